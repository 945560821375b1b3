using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.Data;

/// <summary>
/// A bearer token an admin made for a program that calls the HTTP API. Only the SHA-256 of the token is
/// stored; it acts as <see cref="UserId"/>, within <see cref="Scopes"/>, with at most the rights that
/// account holds at the time of each request.
/// </summary>
public class ApiToken
{
    public long Id { get; set; }

    public required string Name { get; set; }

    public required string TokenHash { get; set; }

    /// <summary>The scopes it grants, separated by spaces (as OAuth writes them).</summary>
    public required string Scopes { get; set; }

    public required string UserId { get; set; }

    public PortalUser? User { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime ExpiresAt { get; set; }

    /// <summary>The last request made with it, to the minute.</summary>
    public DateTime? LastUsedAt { get; set; }

    public DateTime? RevokedAt { get; set; }

    public string? RevokedBy { get; set; }
}

internal sealed class ApiTokenConfiguration : IEntityTypeConfiguration<ApiToken>
{
    public void Configure(EntityTypeBuilder<ApiToken> entity)
    {
        entity.Property(e => e.Name).HasMaxLength(ApiTokenLimits.NameLength);
        entity.Property(e => e.TokenHash).HasMaxLength(64);
        entity.Property(e => e.Scopes).HasMaxLength(200);
        entity.Property(e => e.RevokedBy).HasMaxLength(256);
        entity.HasIndex(e => e.TokenHash).IsUnique();
        entity.HasOne(e => e.User).WithMany().HasForeignKey(e => e.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

public static class ApiTokenLimits
{
    public const int NameLength = 100;
}
