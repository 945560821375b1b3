using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Identity;

namespace Portal.Features.Webhooks;

/// <summary>
/// What features call when something happened that other systems may want to know: one delivery
/// per endpoint that asked for the event, added to the feature's own context so they are committed,
/// or not, with the event. The features know nothing of endpoints.
/// </summary>
public sealed class WebhookEvents(IOptions<WebhooksOptions> options, TimeProvider clock)
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>
    /// Queues <paramref name="type"/> with <paramref name="data"/> (ids and the least a receiver
    /// needs, never a secret) for every enabled endpoint that wants it. Call it before the
    /// transaction's SaveChanges.
    /// </summary>
    public async Task RaiseAsync(PortalDbContext db, string type, object data, CancellationToken cancellationToken)
    {
        var endpoints = await db.WebhookEndpoints.AsNoTracking().Where(e => e.Enabled)
            .Select(e => new { e.Id, e.Events }).ToListAsync(cancellationToken);
        var wanting = endpoints.Where(e => Wants(e.Events, type)).ToList();
        if (wanting.Count == 0)
        {
            return;
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var payload = JsonSerializer.Serialize(new { Type = type, Timestamp = now.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture), Data = data }, Json);
        foreach (var endpoint in wanting)
        {
            db.WebhookDeliveries.Add(new WebhookDelivery
            {
                EndpointId = endpoint.Id,
                EventType = type,
                MessageId = NewMessageId(),
                Payload = payload,
                Status = WebhookDeliveryStatus.Pending,
                CreatedAt = now,
                NextAttemptAt = now,
                RetryUntil = now + options.Value.RetryFor,
            });
        }
    }

    /// <summary>The event types of an endpoint as stored, from the ones it asked for.</summary>
    public static string Store(IEnumerable<string> types) => string.Join(' ', WebhookEventTypes.All.Intersect(types));

    public static IReadOnlyList<string> Read(string stored) => stored.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private static bool Wants(string stored, string type) => Read(stored).Contains(type);

    private static string NewMessageId() => "msg_" + Secrets.NewToken().Token;
}
