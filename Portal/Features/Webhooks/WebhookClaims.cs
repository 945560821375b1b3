using Microsoft.EntityFrameworkCore;
using Portal.Data;

namespace Portal.Features.Webhooks;

/// <summary>
/// Takes a batch of due deliveries for one dispatcher, as <see cref="Email.OutboxClaims"/> does for
/// mail: a claim names the batch and runs out, so nodes sharing the database never post the same
/// delivery at once, and the batch of a node that died goes to another once its claim has run out.
/// </summary>
internal static class WebhookClaims
{
    public static async Task<List<WebhookDelivery>> ClaimAsync(PortalDbContext db, Guid claim, DateTime now, DateTime until, int count,
        CancellationToken cancellationToken)
    {
        List<long> ids;
        if (db.Database.IsNpgsql())
        {
            ids = await db.Database.SqlQuery<long>($"""
                UPDATE "WebhookDeliveries" SET "ClaimId" = {claim}, "ClaimedUntil" = {until}
                WHERE "Id" IN (
                    SELECT "Id" FROM "WebhookDeliveries"
                    WHERE "Status" = {(int)WebhookDeliveryStatus.Pending} AND "NextAttemptAt" <= {now}
                      AND ("ClaimedUntil" IS NULL OR "ClaimedUntil" <= {now})
                      AND EXISTS (SELECT 1 FROM "WebhookEndpoints" e WHERE e."Id" = "EndpointId" AND e."Enabled")
                    ORDER BY "NextAttemptAt", "Id"
                    LIMIT {count}
                    FOR UPDATE SKIP LOCKED)
                RETURNING "Id" AS "Value"
                """).ToListAsync(cancellationToken);
        }
        else
        {
            ids = await Due(db.WebhookDeliveries, now).OrderBy(d => d.NextAttemptAt).ThenBy(d => d.Id)
                .Take(count).Select(d => d.Id).ToListAsync(cancellationToken);
            if (ids.Count > 0)
            {
                // Checks again that each is free: of two claimants one gets it.
                await Due(db.WebhookDeliveries, now).Where(d => ids.Contains(d.Id))
                    .ExecuteUpdateAsync(s => s.SetProperty(d => d.ClaimId, claim).SetProperty(d => d.ClaimedUntil, until), cancellationToken);
            }
        }
        if (ids.Count == 0)
        {
            return [];
        }
        return await db.WebhookDeliveries.AsNoTracking().Include(d => d.Endpoint)
            .Where(d => ids.Contains(d.Id) && d.ClaimId == claim)
            .OrderBy(d => d.NextAttemptAt).ThenBy(d => d.Id)
            .ToListAsync(cancellationToken);
    }

    public static Task<int> ReleaseAsync(PortalDbContext db, Guid claim, IReadOnlyCollection<long> ids, CancellationToken cancellationToken) =>
        db.WebhookDeliveries.Where(d => ids.Contains(d.Id) && d.ClaimId == claim)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.ClaimId, (Guid?)null).SetProperty(d => d.ClaimedUntil, (DateTime?)null), cancellationToken);

    /// <summary>Deliveries due now and free; those of a disabled endpoint wait until it is enabled again.</summary>
    private static IQueryable<WebhookDelivery> Due(IQueryable<WebhookDelivery> deliveries, DateTime now) =>
        deliveries.Where(d => d.Status == WebhookDeliveryStatus.Pending && d.NextAttemptAt <= now && (d.ClaimedUntil == null || d.ClaimedUntil <= now)
            && d.Endpoint!.Enabled);
}
