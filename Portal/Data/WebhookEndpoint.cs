using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.Data;

/// <summary>A URL an admin registered to be told of events, with the secret its requests are signed with.</summary>
public class WebhookEndpoint
{
    public long Id { get; set; }

    public required string Url { get; set; }

    /// <summary>The event types it wants, separated by spaces.</summary>
    public required string Events { get; set; }

    /// <summary>
    /// <c>whsec_</c> and the base64 of the key, sealed with the Data Protection key ring (see
    /// <c>WebhookSecrets</c>). The admin sees it once, when the endpoint is registered.
    /// </summary>
    public required string Secret { get; set; }

    public bool Enabled { get; set; }

    public DateTime CreatedAt { get; set; }

    public List<WebhookDelivery> Deliveries { get; set; } = [];
}

public enum WebhookDeliveryStatus
{
    Pending,
    Delivered,

    /// <summary>Not answered with a 2xx in the time deliveries are retried for.</summary>
    Failed,
}

/// <summary>
/// One event on its way to one endpoint. It is written in the same transaction as the event, so it
/// exists exactly when the event happened; it stays Pending until the endpoint answers with a 2xx.
/// </summary>
public class WebhookDelivery : ILeasedWork
{
    public long Id { get; set; }

    public long EndpointId { get; set; }

    public WebhookEndpoint? Endpoint { get; set; }

    public required string EventType { get; set; }

    /// <summary>The <c>webhook-id</c>: the same on every attempt, so a receiver can drop a repeat.</summary>
    public required string MessageId { get; set; }

    /// <summary>The JSON body, exactly as it is signed and sent.</summary>
    public required string Payload { get; set; }

    public WebhookDeliveryStatus Status { get; set; }

    public int Attempts { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime NextAttemptAt { get; set; }

    /// <summary>Attempts go on until then; after it, a failed one marks the delivery Failed.</summary>
    public DateTime RetryUntil { get; set; }

    public DateTime? LastAttemptAt { get; set; }

    /// <summary>The HTTP status of the last answer; null when there was none (a timeout, a refused connection).</summary>
    public int? ResponseStatus { get; set; }

    /// <summary>The first bytes of the last answer, or what went wrong when there was none.</summary>
    public string? Response { get; set; }

    /// <summary>The dispatcher batch sending the delivery now; null while nobody holds it.</summary>
    public Guid? ClaimId { get; set; }

    /// <summary>Until when the claim holds; then another node may send it.</summary>
    public DateTime? ClaimedUntil { get; set; }
}

internal sealed class WebhookEndpointConfiguration : IEntityTypeConfiguration<WebhookEndpoint>
{
    public void Configure(EntityTypeBuilder<WebhookEndpoint> entity)
    {
        entity.Property(e => e.Url).HasMaxLength(WebhookEndpointLimits.UrlLength);
        entity.Property(e => e.Events).HasMaxLength(1000);
        entity.Property(e => e.Secret).HasMaxLength(WebhookEndpointLimits.SealedSecretLength);
        entity.HasMany(e => e.Deliveries).WithOne(d => d.Endpoint).HasForeignKey(d => d.EndpointId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class WebhookDeliveryConfiguration : IEntityTypeConfiguration<WebhookDelivery>
{
    public void Configure(EntityTypeBuilder<WebhookDelivery> entity)
    {
        entity.Property(e => e.EventType).HasMaxLength(64);
        entity.Property(e => e.MessageId).HasMaxLength(64);
        entity.Property(e => e.Response).HasMaxLength(WebhookEndpointLimits.ResponseLength);
        entity.HasIndex(e => new { e.Status, e.NextAttemptAt });
        entity.HasIndex(e => new { e.EndpointId, e.Id });
    }
}

public static class WebhookEndpointLimits
{
    public const int UrlLength = 2000;

    /// <summary>Room for a sealed secret: about 200 characters today, and a key ring's later formats.</summary>
    public const int SealedSecretLength = 1000;

    /// <summary>How much of an answer is kept for the admin to see.</summary>
    public const int ResponseLength = 500;
}
