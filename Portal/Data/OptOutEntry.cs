using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.Data;

public enum OptOutSource
{
    /// <summary>The opt-out page reached from an invitation.</summary>
    Page,

    /// <summary>A mail client's one-click unsubscribe (RFC 8058).</summary>
    OneClick,
}

/// <summary>
/// An address that must never be invited again, as a keyed hash (HMAC-SHA256 with a key kept outside
/// the database): without the key the list cannot be turned back into addresses.
/// </summary>
public class OptOutEntry
{
    public long Id { get; set; }

    public required string Hash { get; set; }

    public DateTime CreatedAt { get; set; }

    public OptOutSource Source { get; set; }
}

internal sealed class OptOutEntryConfiguration : IEntityTypeConfiguration<OptOutEntry>
{
    public void Configure(EntityTypeBuilder<OptOutEntry> entity)
    {
        entity.Property(e => e.Hash).HasMaxLength(64);
        entity.HasIndex(e => e.Hash).IsUnique();
        entity.HasIndex(e => e.CreatedAt);
    }
}
