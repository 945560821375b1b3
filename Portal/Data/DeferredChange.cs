using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.Data;

/// <summary>How a deferred change is confirmed.</summary>
public enum ChangeChannel
{
    /// <summary>A link mailed to the new address.</summary>
    Link,

    /// <summary>A code texted to the new number.</summary>
    Sms,

    /// <summary>A code in a printed letter to the new address.</summary>
    Letter,

    /// <summary>The reference of a small bank transfer to the new account.</summary>
    Transfer,

    /// <summary>A moderator decides; there is no secret.</summary>
    Moderator,
}

/// <summary>Where a deferred change stands.</summary>
public enum ChangeStatus
{
    /// <summary>Waiting for its secret or for a moderator.</summary>
    Pending,

    /// <summary>The requester confirmed, but the record changed since the request: a moderator decides.</summary>
    Confirmed,

    Applied,
    Rejected,
    Expired,

    /// <summary>Withdrawn by the requester, replaced by a newer request, or cancelled from the old address.</summary>
    Cancelled,

    /// <summary>Could not be applied (record gone, no longer valid) or killed by wrong codes; the reason says which.</summary>
    Failed,

    /// <summary>Applied, then undone from the old address with the link in the notice sent when it took effect.</summary>
    Reverted,
}

/// <summary>
/// An edit that waits: the values before and proposed, who asked, how it is confirmed (the secret
/// is stored as a hash only), and what became of it. Rows are kept after the decision as history.
/// </summary>
public class DeferredChange
{
    public long Id { get; set; }

    public required string Kind { get; set; }

    public required string TargetType { get; set; }

    public required string TargetId { get; set; }

    /// <summary>Field name to proposed value, JSON.</summary>
    public required string ProposedJson { get; set; }

    /// <summary>Field name to value at request time, JSON; compared with the record before applying.</summary>
    public required string BeforeJson { get; set; }

    public string? RequestedById { get; set; }

    public required string RequestedByName { get; set; }

    public ChangeChannel Channel { get; set; }

    /// <summary>SHA-256 of the link token or of the code bound to this change; null for moderator kinds.</summary>
    public string? SecretHash { get; set; }

    /// <summary>SHA-256 of the "this wasn't me" token sent to the old address (email changes).</summary>
    public string? CancelHash { get; set; }

    /// <summary>
    /// SHA-256 of the "undo this" token sent to the old address once an email change took effect;
    /// it reverts the change and signs the account out everywhere until <see cref="RevertUntil"/>.
    /// </summary>
    public string? RevertHash { get; set; }

    public DateTime? RevertUntil { get; set; }

    public int Attempts { get; set; }

    public int MaxAttempts { get; set; }

    /// <summary>Secrets sent after the first.</summary>
    public int Resends { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime ExpiresAt { get; set; }

    public ChangeStatus Status { get; set; }

    public DateTime StatusAt { get; set; }

    public string? DecidedById { get; set; }

    public string? DecidedByName { get; set; }

    public string? Reason { get; set; }

    /// <summary>Set when the record changed between the request and the confirmation.</summary>
    public bool TargetChanged { get; set; }

    /// <summary>
    /// For a change whose record moved: the record's values the moderators were last shown. An
    /// approval applies only while the record still holds them; a newer edit means look again.
    /// </summary>
    public string? SeenJson { get; set; }

    public int ApprovalsNeeded { get; set; } = 1;

    public int ApprovalsGiven { get; set; }

    public string? FirstApproverId { get; set; }

    public string? FirstApproverName { get; set; }

    public string? ClaimedById { get; set; }

    public string? ClaimedByName { get; set; }

    public DateTime? ClaimedUntil { get; set; }

    /// <summary>Incremented on every change to the row; a moderator approves the exact version shown.</summary>
    public int Version { get; set; }

    /// <summary>Where the secret went, masked, for display ("+49 *** **89").</summary>
    public string? Destination { get; set; }
}

internal sealed class DeferredChangeConfiguration : IEntityTypeConfiguration<DeferredChange>
{
    public void Configure(EntityTypeBuilder<DeferredChange> entity)
    {
        entity.Property(e => e.Kind).HasMaxLength(64);
        entity.Property(e => e.TargetType).HasMaxLength(64);
        entity.Property(e => e.TargetId).HasMaxLength(64);
        entity.Property(e => e.RequestedByName).HasMaxLength(256);
        entity.Property(e => e.DecidedByName).HasMaxLength(256);
        entity.Property(e => e.FirstApproverName).HasMaxLength(256);
        entity.Property(e => e.ClaimedByName).HasMaxLength(256);
        entity.Property(e => e.SecretHash).HasMaxLength(64);
        entity.Property(e => e.CancelHash).HasMaxLength(64);
        entity.Property(e => e.RevertHash).HasMaxLength(64);
        entity.Property(e => e.Destination).HasMaxLength(320);
        entity.Property(e => e.Reason).HasMaxLength(RegistrationLimits.ReasonLength);
        entity.Property(e => e.Channel).HasConversion<string>().HasMaxLength(16);
        entity.Property(e => e.Status).HasConversion<string>().HasMaxLength(16);
        entity.Property(e => e.Version).IsConcurrencyToken();
        entity.HasIndex(e => new { e.Status, e.CreatedAt });
        entity.HasIndex(e => new { e.TargetType, e.TargetId, e.Kind, e.Status });
        entity.HasIndex(e => e.RequestedById);
        entity.HasIndex(e => e.SecretHash).IsUnique().HasFilter("\"SecretHash\" IS NOT NULL");
        entity.HasIndex(e => e.CancelHash).IsUnique().HasFilter("\"CancelHash\" IS NOT NULL");
        entity.HasIndex(e => e.RevertHash).IsUnique().HasFilter("\"RevertHash\" IS NOT NULL");
    }
}
