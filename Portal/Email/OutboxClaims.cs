using Microsoft.EntityFrameworkCore;
using Portal.Data;

namespace Portal.Email;

/// <summary>
/// Takes a batch of due messages for one dispatcher, so that when several nodes share the database
/// each message is sent by one of them. A claim is a lease: it names the batch and runs out, so the
/// messages of a node that died mid-batch go to another node once it has.
/// </summary>
internal static class OutboxClaims
{
    /// <summary>Claims up to <paramref name="count"/> due messages for <paramref name="claim"/>; returns them, oldest due first.</summary>
    public static async Task<List<OutboxMessage>> ClaimAsync(PortalDbContext db, Guid claim, DateTime now, DateTime until, int count,
        CancellationToken cancellationToken)
    {
        List<long> ids;
        if (db.Database.IsNpgsql())
        {
            // Rows another node is claiming this instant are skipped, not waited for: it takes
            // those, this node the next ones.
            ids = await db.Database.SqlQuery<long>($"""
                UPDATE "OutboxMessages" SET "ClaimId" = {claim}, "ClaimedUntil" = {until}
                WHERE "Id" IN (
                    SELECT "Id" FROM "OutboxMessages"
                    WHERE "Status" = {(int)OutboxStatus.Queued} AND "NextAttemptAt" <= {now}
                      AND ("ClaimedUntil" IS NULL OR "ClaimedUntil" <= {now})
                    ORDER BY "NextAttemptAt", "Id"
                    LIMIT {count}
                    FOR UPDATE SKIP LOCKED)
                RETURNING "Id" AS "Value"
                """).ToListAsync(cancellationToken);
        }
        else
        {
            ids = await Due(db.OutboxMessages, now)
                .OrderBy(m => m.NextAttemptAt).ThenBy(m => m.Id)
                .Take(count).Select(m => m.Id)
                .ToListAsync(cancellationToken);
            if (ids.Count > 0)
            {
                // The update checks again that each candidate is free, so of two claimants one gets
                // it; the claim read back below keeps only this one's.
                await Due(db.OutboxMessages, now).Where(m => ids.Contains(m.Id))
                    .ExecuteUpdateAsync(s => s.SetProperty(m => m.ClaimId, claim).SetProperty(m => m.ClaimedUntil, until), cancellationToken);
            }
        }
        if (ids.Count == 0)
        {
            return [];
        }
        return await db.OutboxMessages.AsNoTracking().Where(m => ids.Contains(m.Id) && m.ClaimId == claim)
            .OrderBy(m => m.NextAttemptAt).ThenBy(m => m.Id)
            .ToListAsync(cancellationToken);
    }

    /// <summary>Gives back messages of a batch that were not attempted, for any node to take at once.</summary>
    public static Task<int> ReleaseAsync(PortalDbContext db, Guid claim, IReadOnlyCollection<long> ids, CancellationToken cancellationToken) =>
        db.OutboxMessages.Where(m => ids.Contains(m.Id) && m.ClaimId == claim)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.ClaimId, (Guid?)null).SetProperty(m => m.ClaimedUntil, (DateTime?)null), cancellationToken);

    private static IQueryable<OutboxMessage> Due(IQueryable<OutboxMessage> messages, DateTime now) =>
        messages.Where(m => m.Status == OutboxStatus.Queued && m.NextAttemptAt <= now && (m.ClaimedUntil == null || m.ClaimedUntil <= now));
}
