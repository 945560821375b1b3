namespace Portal.Features.Registration;

/// <summary>Someone signed up; the account waits for its activation.</summary>
public sealed record UserRegistered(long SignUpId, string UserId, string Email);

/// <summary>An account became active: by its activation link, by an admin, or by a moderator's approval.</summary>
public sealed record UserActivated(string UserId);

/// <summary>A moderator approved a sign-up.</summary>
public sealed record RegistrationApproved(long SignUpId, string UserId, string ModeratorName);

/// <summary>A moderator rejected a sign-up; the reason was emailed to the applicant.</summary>
public sealed record RegistrationRejected(long SignUpId, string Email, string Reason, string ModeratorName);
