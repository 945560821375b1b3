using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.Data;

/// <summary>One thing somebody (or the system) did: who, what, to what, when, and the details.</summary>
public class AuditEntry
{
    public long Id { get; set; }

    public DateTime At { get; set; }

    /// <summary>Null when the system acted (a background job, the command line).</summary>
    public string? ActorId { get; set; }

    /// <summary>The actor's name at the time, kept even if the account is renamed or deleted.</summary>
    public required string ActorName { get; set; }

    public required string Action { get; set; }

    public string? TargetType { get; set; }

    public string? TargetId { get; set; }

    /// <summary>A readable name of the target at the time (an address, a file name).</summary>
    public string? TargetName { get; set; }

    public string? Details { get; set; }
}

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> entity)
    {
        entity.Property(e => e.ActorName).HasMaxLength(256);
        entity.Property(e => e.Action).HasMaxLength(64);
        entity.Property(e => e.TargetType).HasMaxLength(64);
        entity.Property(e => e.TargetId).HasMaxLength(64);
        entity.Property(e => e.TargetName).HasMaxLength(320);
        entity.HasIndex(e => e.At);
        entity.HasIndex(e => new { e.Action, e.At });
        entity.HasIndex(e => new { e.TargetType, e.TargetId });
    }
}
