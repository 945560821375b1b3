using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.Data;

/// <summary>
/// One request or resend of a deferred change (a code, link or notice went out): what the limits on
/// asking count, per change, per kind and per account, and what says when the next one is allowed.
/// Rows older than the longest limit's window are deleted.
/// </summary>
public class ChangeSend
{
    public long Id { get; set; }

    public long ChangeId { get; set; }

    public required string Kind { get; set; }

    /// <summary>The account the change is for.</summary>
    public required string TargetId { get; set; }

    public DateTime SentAt { get; set; }
}

internal sealed class ChangeSendConfiguration : IEntityTypeConfiguration<ChangeSend>
{
    public void Configure(EntityTypeBuilder<ChangeSend> entity)
    {
        entity.Property(e => e.Kind).HasMaxLength(64);
        entity.Property(e => e.TargetId).HasMaxLength(64);
        entity.HasIndex(e => new { e.TargetId, e.SentAt });
        entity.HasIndex(e => new { e.ChangeId, e.SentAt });
        entity.HasIndex(e => e.SentAt);
    }
}
