using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.Data;

/// <summary>Where a sign-up stands. Decided and expired applications are kept, never deleted.</summary>
public enum SignUpStatus
{
    /// <summary>The activation link has not been used yet.</summary>
    AwaitingActivation,

    /// <summary>The address is confirmed; a moderator has to decide.</summary>
    AwaitingApproval,

    /// <summary>The account is active (activated, or approved by a moderator).</summary>
    Active,

    /// <summary>A moderator said no; the account was removed, the application stays with the reason.</summary>
    Rejected,

    /// <summary>Never activated; cleanup removed the account after its link expired.</summary>
    Expired,

    /// <summary>An admin deleted the account before it was activated.</summary>
    Deleted,
}

/// <summary>
/// One application to join by self-registration: who, when, and what became of it. The account
/// it created is <see cref="UserId"/> while it exists; the application outlives it.
/// </summary>
public class SignUp
{
    public long Id { get; set; }

    public string? UserId { get; set; }

    public required string Email { get; set; }

    /// <summary>The domain of the address, for the moderators' filter.</summary>
    public required string Domain { get; set; }

    public required string UserName { get; set; }

    public SignUpStatus Status { get; set; }

    public DateTime CreatedAt { get; set; }

    /// <summary>When the activation link was used (the address confirmed).</summary>
    public DateTime? ConfirmedAt { get; set; }

    /// <summary>Activation emails sent after the first.</summary>
    public int Resends { get; set; }

    public DateTime? DecidedAt { get; set; }

    public string? DecidedById { get; set; }

    public string? DecidedByName { get; set; }

    /// <summary>Why it was rejected, as told to the applicant; or why it was closed.</summary>
    public string? Reason { get; set; }
}

/// <summary>
/// An activation link's secret, stored as its SHA-256 only. A new link for the account revokes
/// the older ones; using one spends it. Spent and revoked keys are removed after a retention period.
/// </summary>
public class ActivationKey
{
    public long Id { get; set; }

    public required string UserId { get; set; }

    public required string KeyHash { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime ExpiresAt { get; set; }

    public DateTime? SpentAt { get; set; }

    /// <summary>When a newer link replaced this one.</summary>
    public DateTime? RevokedAt { get; set; }
}

internal sealed class SignUpConfiguration : IEntityTypeConfiguration<SignUp>
{
    public void Configure(EntityTypeBuilder<SignUp> entity)
    {
        entity.Property(e => e.Email).HasMaxLength(320);
        entity.Property(e => e.Domain).HasMaxLength(255);
        entity.Property(e => e.UserName).HasMaxLength(256);
        entity.Property(e => e.DecidedByName).HasMaxLength(256);
        entity.Property(e => e.Reason).HasMaxLength(RegistrationLimits.ReasonLength);
        entity.HasIndex(e => e.UserId);
        entity.HasIndex(e => new { e.Status, e.CreatedAt });
        entity.HasIndex(e => e.CreatedAt);
        entity.HasOne<PortalUser>().WithMany().HasForeignKey(e => e.UserId).OnDelete(DeleteBehavior.SetNull);
    }
}

internal sealed class ActivationKeyConfiguration : IEntityTypeConfiguration<ActivationKey>
{
    public void Configure(EntityTypeBuilder<ActivationKey> entity)
    {
        entity.Property(e => e.KeyHash).HasMaxLength(64);
        entity.HasIndex(e => e.KeyHash).IsUnique();
        entity.HasIndex(e => e.UserId);
        entity.HasOne<PortalUser>().WithMany().HasForeignKey(e => e.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

public static class RegistrationLimits
{
    public const int ReasonLength = 1000;
}
