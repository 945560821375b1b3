namespace Portal.Features.Confirmations;

/// <summary>A member asked for a change of their details.</summary>
public sealed record ChangeRequested(long ChangeId, string Kind, string TargetId);

/// <summary>
/// The requester proved the change with its link or code. Two presses at the same moment may both
/// raise it; only one applies the change, and <see cref="ChangeApplied"/> is raised once.
/// </summary>
public sealed record ChangeConfirmed(long ChangeId, string Kind, string TargetId);

/// <summary>The change is in effect.</summary>
public sealed record ChangeApplied(long ChangeId, string Kind, string TargetId);

/// <summary>A moderator said no, with a reason the requester was sent.</summary>
public sealed record ChangeRejected(long ChangeId, string Kind, string TargetId, string Reason);
