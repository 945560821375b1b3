using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Features.Audit;
using Portal.Identity;

namespace Portal.Features.Webhooks;

public sealed record WebhookEndpointRow(long Id, string Url, IReadOnlyList<string> Events, bool Enabled, DateTime CreatedAt);

public sealed record WebhookDeliveryRow(
    long Id, string EventType, string MessageId, WebhookDeliveryStatus Status, DateTime CreatedAt, int Attempts,
    DateTime? LastAttemptAt, int? ResponseStatus, string? Response, DateTime? NextAttemptAt);

/// <summary>A registered endpoint and its secret, which is shown this once; or why the URL was refused.</summary>
public sealed record WebhookRegistration(WebhookEndpointRow? Endpoint, string? Secret, WebhookUrlProblem? Problem, bool NoEvents = false)
{
    public bool Succeeded => Endpoint is not null;
}

/// <summary>What admins do with webhooks: register endpoints, switch them on and off, delete them, see and resend deliveries.</summary>
public sealed class WebhookAdmin(
    IDbContextFactory<PortalDbContext> dbFactory,
    AuditLog audit,
    WebhookDispatcher dispatcher,
    WebhookSecrets secrets,
    IOptions<WebhooksOptions> options,
    TimeProvider clock)
{
    public const string AuditTargetType = "webhook";

    /// <summary>How many of an endpoint's latest deliveries the page shows.</summary>
    public const int RecentDeliveries = 50;

    public async Task<IReadOnlyList<WebhookEndpointRow>> EndpointsAsync(Actor actor, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Admin);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var endpoints = await db.WebhookEndpoints.AsNoTracking().OrderBy(e => e.Id).ToListAsync(cancellationToken);
        return endpoints.Select(Row).ToList();
    }

    public async Task<WebhookRegistration> RegisterAsync(Actor actor, string url, IReadOnlyCollection<string> events, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Admin);
        var stored = WebhookEvents.Store(events);
        if (stored.Length == 0)
        {
            return new WebhookRegistration(null, null, null, NoEvents: true);
        }
        if (await WebhookUrls.CheckAsync(url, options.Value.AllowInsecureUrls, cancellationToken) is { } problem)
        {
            return new WebhookRegistration(null, null, problem);
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var secret = WebhookSignature.NewSecret();
        var endpoint = new WebhookEndpoint
        {
            Url = url.Trim(),
            Events = stored,
            Secret = secrets.Seal(secret),
            Enabled = true,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        // The audit entry names the endpoint by its id: both are saved in one transaction.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        db.WebhookEndpoints.Add(endpoint);
        await db.SaveChangesAsync(cancellationToken);
        audit.Record(db, actor, AuditActions.WebhookRegistered, Target(endpoint), stored);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new WebhookRegistration(Row(endpoint), secret, null);
    }

    public async Task<bool> SetEnabledAsync(Actor actor, long id, bool enabled, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Admin);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var endpoint = await db.WebhookEndpoints.FirstOrDefaultAsync(e => e.Id == id, cancellationToken);
        if (endpoint is null)
        {
            return false;
        }
        endpoint.Enabled = enabled;
        audit.Record(db, actor, enabled ? AuditActions.WebhookEnabled : AuditActions.WebhookDisabled, Target(endpoint));
        await db.SaveChangesAsync(cancellationToken);
        if (enabled)
        {
            dispatcher.Wake();
        }
        return true;
    }

    /// <summary>Deletes the endpoint with its deliveries, sent or not.</summary>
    public async Task<bool> DeleteAsync(Actor actor, long id, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Admin);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var endpoint = await db.WebhookEndpoints.FirstOrDefaultAsync(e => e.Id == id, cancellationToken);
        if (endpoint is null)
        {
            return false;
        }
        db.WebhookEndpoints.Remove(endpoint);
        audit.Record(db, actor, AuditActions.WebhookDeleted, Target(endpoint));
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    public async Task<IReadOnlyList<WebhookDeliveryRow>> DeliveriesAsync(Actor actor, long endpointId, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Admin);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.WebhookDeliveries.AsNoTracking().Where(d => d.EndpointId == endpointId)
            .OrderByDescending(d => d.Id).Take(RecentDeliveries)
            .Select(d => new WebhookDeliveryRow(d.Id, d.EventType, d.MessageId, d.Status, d.CreatedAt, d.Attempts, d.LastAttemptAt,
                d.ResponseStatus, d.Response, d.Status == WebhookDeliveryStatus.Pending ? d.NextAttemptAt : null))
            .ToListAsync(cancellationToken);
    }

    /// <summary>
    /// Sends a delivery again, whatever became of it, with the same <c>webhook-id</c>: now, and
    /// retried for as long as a new one would be.
    /// </summary>
    public async Task<bool> ResendAsync(Actor actor, long deliveryId, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Admin);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var delivery = await db.WebhookDeliveries.Include(d => d.Endpoint).FirstOrDefaultAsync(d => d.Id == deliveryId, cancellationToken);
        if (delivery is null)
        {
            return false;
        }
        var now = clock.GetUtcNow().UtcDateTime;
        delivery.Status = WebhookDeliveryStatus.Pending;
        delivery.Attempts = 0;
        delivery.NextAttemptAt = now;
        delivery.RetryUntil = now + options.Value.RetryFor;
        audit.Record(db, actor, AuditActions.WebhookResent, Target(delivery.Endpoint!), $"{delivery.EventType} {delivery.MessageId}");
        await db.SaveChangesAsync(cancellationToken);
        dispatcher.Wake();
        return true;
    }

    private static AuditTarget Target(WebhookEndpoint endpoint) =>
        new(AuditTargetType, endpoint.Id.ToString(CultureInfo.InvariantCulture), endpoint.Url);

    private static WebhookEndpointRow Row(WebhookEndpoint e) => new(e.Id, e.Url, WebhookEvents.Read(e.Events), e.Enabled, e.CreatedAt);
}
