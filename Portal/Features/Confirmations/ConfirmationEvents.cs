namespace Portal.Features.Confirmations;

/// <summary>A member asked for a change of their details.</summary>
public sealed record ChangeRequested(long ChangeId, string Kind, string TargetId);

/// <summary>
/// The requester proved the change with its link or code and it moved on (applied, handed to the
/// moderators, or failed its checks). Raised once per change, however many presses arrive together.
/// </summary>
public sealed record ChangeConfirmed(long ChangeId, string Kind, string TargetId);

/// <summary>The change is in effect.</summary>
public sealed record ChangeApplied(long ChangeId, string Kind, string TargetId);

/// <summary>A moderator said no, with a reason the requester was sent.</summary>
public sealed record ChangeRejected(long ChangeId, string Kind, string TargetId, string Reason);
