namespace Portal.Features.Invitations;

/// <summary>An invitation went out (or out again, with a new link).</summary>
public sealed record InvitationSent(long InvitationId, string UserId, string Email, bool Resent);

/// <summary>An invitee registered through their invitation.</summary>
public sealed record InvitationAccepted(long InvitationId, string UserId);

/// <summary>An address opted out of invitations. The address itself is not carried: it is gone.</summary>
public sealed record OptedOut(IReadOnlyList<long> InvitationIds, DateTime At);
