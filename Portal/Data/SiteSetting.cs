using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.Data;

/// <summary>A setting an admin changed at run time; it overrides the configuration file's value.</summary>
public class SiteSetting
{
    public required string Key { get; set; }

    public required string Value { get; set; }

    public DateTime UpdatedAt { get; set; }

    public string? UpdatedByName { get; set; }
}

internal sealed class SiteSettingConfiguration : IEntityTypeConfiguration<SiteSetting>
{
    public void Configure(EntityTypeBuilder<SiteSetting> entity)
    {
        entity.HasKey(e => e.Key);
        entity.Property(e => e.Key).HasMaxLength(128);
        entity.Property(e => e.Value).HasMaxLength(4000);
        entity.Property(e => e.UpdatedByName).HasMaxLength(256);
    }
}
