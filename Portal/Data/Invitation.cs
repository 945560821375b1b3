using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.Data;

public enum InvitationStatus
{
    Pending,
    Accepted,

    /// <summary>Never stored: a Pending invitation past its expiry is shown as Expired.</summary>
    Expired,

    Revoked,
    OptedOut,
}

/// <summary>
/// One invitation of one address. It is kept for good, whatever becomes of it; once the address
/// opts out its text is blanked, and only the keyed hash on the opt-out list remains.
/// </summary>
public class Invitation
{
    public long Id { get; set; }

    /// <summary>The canonical address mail goes to; null once the address opted out.</summary>
    public string? Email { get; set; }

    /// <summary>The address as matched (see EmailAddress.Key); null once the address opted out.</summary>
    public string? EmailKey { get; set; }

    /// <summary>The invited account; null once it was deleted (opt-out).</summary>
    public string? UserId { get; set; }

    public PortalUser? User { get; set; }

    public string? InviterId { get; set; }

    /// <summary>The inviter's name when invited, shown to the invitee and kept if the inviter is renamed.</summary>
    public required string InviterName { get; set; }

    /// <summary>The invitee's name, when the inviter gave one; the mail greets them by it.</summary>
    public string? Name { get; set; }

    /// <summary>The bulk upload that sent it, if any (for that upload's funnel).</summary>
    public long? BulkJobId { get; set; }

    /// <summary>The role granted when the invitee registers.</summary>
    public string? Role { get; set; }

    /// <summary>A personal message from the inviter, plain text.</summary>
    public string? Message { get; set; }

    /// <summary>
    /// The language the invitee is written to in (a culture name such as "de"): the mail, the
    /// invitation's pages, and the new member's preference. Null on invitations older than languages: the site's.
    /// </summary>
    public string? Language { get; set; }

    /// <summary>SHA-256 of the link's token; the token itself is never stored.</summary>
    public required string TokenHash { get; set; }

    public InvitationStatus Status { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime LastSentAt { get; set; }

    public int SendCount { get; set; }

    public DateTime ExpiresAt { get; set; }

    public DateTime? AcceptedAt { get; set; }

    public DateTime? RevokedAt { get; set; }

    public string? RevokedBy { get; set; }

    public DateTime? OptedOutAt { get; set; }

    public InvitationStatus EffectiveStatus(DateTime now) =>
        Status == InvitationStatus.Pending && ExpiresAt <= now ? InvitationStatus.Expired : Status;
}

/// <summary>The token of a link that a resend replaced, so the old link can say so.</summary>
public class RetiredInvitationToken
{
    public required string TokenHash { get; set; }

    public long InvitationId { get; set; }

    public DateTime RetiredAt { get; set; }
}

internal sealed class InvitationConfiguration : IEntityTypeConfiguration<Invitation>
{
    public void Configure(EntityTypeBuilder<Invitation> entity)
    {
        entity.Property(e => e.Email).HasMaxLength(320);
        entity.Property(e => e.EmailKey).HasMaxLength(320);
        entity.Property(e => e.InviterName).HasMaxLength(256);
        entity.Property(e => e.Name).HasMaxLength(BulkLimits.FieldLength);
        entity.HasIndex(e => e.BulkJobId);
        entity.HasOne<BulkJob>().WithMany().HasForeignKey(e => e.BulkJobId).OnDelete(DeleteBehavior.SetNull);
        entity.Property(e => e.Role).HasMaxLength(64);
        entity.Property(e => e.Message).HasMaxLength(InvitationLimits.MessageLength);
        entity.Property(e => e.Language).HasMaxLength(LanguageCode.MaxLength);
        entity.Property(e => e.TokenHash).HasMaxLength(64);
        entity.Property(e => e.RevokedBy).HasMaxLength(256);
        entity.HasIndex(e => e.TokenHash).IsUnique();
        entity.HasIndex(e => new { e.EmailKey, e.Status });
        entity.HasIndex(e => new { e.Status, e.ExpiresAt });
        entity.HasIndex(e => e.CreatedAt);
        entity.HasIndex(e => e.AcceptedAt);
        entity.HasOne(e => e.User).WithMany().HasForeignKey(e => e.UserId).OnDelete(DeleteBehavior.SetNull);
    }
}

internal sealed class RetiredInvitationTokenConfiguration : IEntityTypeConfiguration<RetiredInvitationToken>
{
    public void Configure(EntityTypeBuilder<RetiredInvitationToken> entity)
    {
        entity.HasKey(e => e.TokenHash);
        entity.Property(e => e.TokenHash).HasMaxLength(64);
        entity.HasOne<Invitation>().WithMany().HasForeignKey(e => e.InvitationId).OnDelete(DeleteBehavior.Cascade);
    }
}

public static class InvitationLimits
{
    public const int MessageLength = 1000;
}
