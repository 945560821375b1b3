using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.Data;

/// <summary>
/// An <c>Idempotency-Key</c> a token sent with a call that creates or starts something, and the answer
/// the first call got: a retry with the same key gets that answer again instead of a second effect.
/// <see cref="CompletedAt"/> is null while the first call is still running.
/// </summary>
public class ApiIdempotencyKey
{
    public long Id { get; set; }

    public long TokenId { get; set; }

    public ApiToken? Token { get; set; }

    public required string Key { get; set; }

    /// <summary>SHA-256 of the method, the path and the body: the same key with another request is refused.</summary>
    public required string RequestHash { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime? CompletedAt { get; set; }

    public int StatusCode { get; set; }

    public string? ContentType { get; set; }

    public string? Location { get; set; }

    /// <summary>The answer's body: JSON, which an opt-out searches for the address it erases.</summary>
    public string? Body { get; set; }
}

internal sealed class ApiIdempotencyKeyConfiguration : IEntityTypeConfiguration<ApiIdempotencyKey>
{
    public void Configure(EntityTypeBuilder<ApiIdempotencyKey> entity)
    {
        entity.Property(e => e.Key).HasMaxLength(ApiIdempotencyLimits.KeyLength);
        entity.Property(e => e.RequestHash).HasMaxLength(64);
        entity.Property(e => e.ContentType).HasMaxLength(200);
        entity.Property(e => e.Location).HasMaxLength(2000);
        entity.HasIndex(e => new { e.TokenId, e.Key }).IsUnique();
        entity.HasIndex(e => e.CreatedAt);
        entity.HasOne(e => e.Token).WithMany().HasForeignKey(e => e.TokenId).OnDelete(DeleteBehavior.Cascade);
    }
}

public static class ApiIdempotencyLimits
{
    public const int KeyLength = 255;
}
