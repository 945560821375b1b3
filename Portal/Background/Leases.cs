using Microsoft.EntityFrameworkCore;
using Npgsql;
using Portal.Data;

namespace Portal.Background;

/// <summary>
/// Takes a batch of due rows for one dispatcher, so that when several nodes share the database each row
/// is sent by one of them. A claim is a lease: it names the batch and runs out, so the rows of a node
/// that died mid-batch go to another node once it has. The mail outbox and the webhook dispatcher share it.
/// </summary>
internal static class Leases
{
    /// <summary>
    /// Claims up to <paramref name="count"/> rows of <paramref name="table"/> that are <paramref name="waiting"/>
    /// (written once for each database: <paramref name="waitingSql"/> is the same condition in PostgreSQL's
    /// SQL, over the table's own columns), due at <paramref name="now"/> and free; returns them, read from
    /// <paramref name="readFrom"/> (which may include what the dispatcher needs beside them), oldest due first.
    /// </summary>
    public static async Task<List<T>> ClaimAsync<T>(
        PortalDbContext db, IQueryable<T> waiting, IQueryable<T> readFrom, string table, string waitingSql,
        Guid claim, DateTime now, DateTime until, int count, CancellationToken cancellationToken) where T : class, ILeasedWork
    {
        var ids = db.Database.IsNpgsql()
            ? await ClaimOnPostgresAsync(db, table, waitingSql, claim, now, until, count, cancellationToken)
            : await ClaimOnSqliteAsync(waiting, claim, now, until, count, cancellationToken);
        if (ids.Count == 0)
        {
            return [];
        }
        return await readFrom.AsNoTracking().Where(r => ids.Contains(r.Id) && r.ClaimId == claim)
            .OrderBy(r => r.NextAttemptAt).ThenBy(r => r.Id)
            .ToListAsync(cancellationToken);
    }

    /// <summary>Gives back rows of a batch that were not attempted, for any node to take at once.</summary>
    public static Task<int> ReleaseAsync<T>(IQueryable<T> rows, Guid claim, IReadOnlyCollection<long> ids, CancellationToken cancellationToken)
        where T : class, ILeasedWork =>
        rows.Where(r => ids.Contains(r.Id) && r.ClaimId == claim)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.ClaimId, (Guid?)null).SetProperty(r => r.ClaimedUntil, (DateTime?)null), cancellationToken);

    /// <summary>
    /// Rows another node is claiming this instant are skipped, not waited for: it takes those, this node
    /// the next ones. The table and the condition are the callers' constants, never input.
    /// </summary>
    private static Task<List<long>> ClaimOnPostgresAsync(
        PortalDbContext db, string table, string waitingSql, Guid claim, DateTime now, DateTime until, int count, CancellationToken cancellationToken)
    {
        var sql = $"""
                UPDATE "{table}" SET "ClaimId" = @claim, "ClaimedUntil" = @until
                WHERE "Id" IN (
                    SELECT "Id" FROM "{table}"
                    WHERE {waitingSql} AND "NextAttemptAt" <= @now
                      AND ("ClaimedUntil" IS NULL OR "ClaimedUntil" <= @now)
                    ORDER BY "NextAttemptAt", "Id"
                    LIMIT @count
                    FOR UPDATE SKIP LOCKED)
                RETURNING "Id" AS "Value"
                """;
        return db.Database.SqlQueryRaw<long>(sql,
            new NpgsqlParameter("claim", claim), new NpgsqlParameter("until", until),
            new NpgsqlParameter("now", now), new NpgsqlParameter("count", count)).ToListAsync(cancellationToken);
    }

    private static async Task<List<long>> ClaimOnSqliteAsync<T>(
        IQueryable<T> waiting, Guid claim, DateTime now, DateTime until, int count, CancellationToken cancellationToken) where T : class, ILeasedWork
    {
        var ids = await Due(waiting, now).OrderBy(r => r.NextAttemptAt).ThenBy(r => r.Id)
            .Take(count).Select(r => r.Id).ToListAsync(cancellationToken);
        if (ids.Count > 0)
        {
            // The update checks again that each candidate is free, so of two claimants one gets it; only
            // the rows that carry this claim are read back.
            await Due(waiting, now).Where(r => ids.Contains(r.Id))
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.ClaimId, claim).SetProperty(r => r.ClaimedUntil, until), cancellationToken);
        }
        return ids;
    }

    private static IQueryable<T> Due<T>(IQueryable<T> waiting, DateTime now) where T : class, ILeasedWork =>
        waiting.Where(r => r.NextAttemptAt <= now && (r.ClaimedUntil == null || r.ClaimedUntil <= now));
}
