using System.Linq.Expressions;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Features.Audit;
using Portal.Identity;

namespace Portal.Features.OptOut;

public sealed record OptOutRow(long Id, DateTime CreatedAt, OptOutSource Source);

/// <summary>The answer to "is this address on the list?" or why the question could not be asked.</summary>
public sealed record OptOutCheck(bool Listed, string? Error);

/// <summary>
/// Addresses that must never be invited again, kept as HMAC-SHA256 of the address's match key under
/// a key that lives outside the database. Every invitation path asks <see cref="IsListedAsync"/>.
/// </summary>
public sealed class OptOutList(IDbContextFactory<PortalDbContext> dbFactory, OptOutKey key, AuditLog audit, TimeProvider clock)
{
    public const string AuditTargetType = "opt-out";

    private static readonly Dictionary<string, Expression<Func<OptOutEntry, object?>>> Columns = new()
    {
        [nameof(OptOutRow.CreatedAt)] = e => e.CreatedAt,
        [nameof(OptOutRow.Source)] = e => e.Source,
    };

    /// <summary>The stored form of an address: never the address, never an unkeyed hash of it.</summary>
    public string Hash(string canonicalAddress) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(key.Bytes, Encoding.UTF8.GetBytes(EmailAddress.Key(canonicalAddress))));

    public async Task<bool> IsListedAsync(PortalDbContext db, string canonicalAddress, CancellationToken cancellationToken = default) =>
        (await ListedAsync(db, [canonicalAddress], cancellationToken)).Count > 0;

    /// <summary>Which of the addresses are on the list, as match keys (see EmailAddress.Key); one query for all.</summary>
    public async Task<HashSet<string>> ListedAsync(PortalDbContext db, IEnumerable<string> canonicalAddresses, CancellationToken cancellationToken = default)
    {
        var keysByHash = new Dictionary<string, string>();
        foreach (var address in canonicalAddresses)
        {
            keysByHash.TryAdd(Hash(address), EmailAddress.Key(address));
        }
        var hashes = keysByHash.Keys.ToList();
        var listed = await db.OptOutEntries.Where(e => hashes.Contains(e.Hash)).Select(e => e.Hash).ToListAsync(cancellationToken);
        return [.. listed.Select(h => keysByHash[h])];
    }

    /// <summary>Adds the address (once) to the caller's context, to be saved with the rest of the opt-out.</summary>
    public async Task AddAsync(PortalDbContext db, string canonicalAddress, OptOutSource source, CancellationToken cancellationToken = default)
    {
        if (!await IsListedAsync(db, canonicalAddress, cancellationToken))
        {
            db.OptOutEntries.Add(new OptOutEntry { Hash = Hash(canonicalAddress), CreatedAt = clock.GetUtcNow().UtcDateTime, Source = source });
        }
    }

    public async Task<OptOutCheck> CheckAsync(Actor actor, string address, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Admin);
        var check = EmailAddress.Check(address);
        if (!check.IsValid)
        {
            return new OptOutCheck(false, check.Error);
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var listed = await IsListedAsync(db, check.Canonical!, cancellationToken);
        // Who looks up addresses is recorded; which address is not (that would store it).
        audit.Record(db, actor, AuditActions.OptOutChecked, null, listed ? "an address was checked: on the list" : "an address was checked: not on the list");
        await db.SaveChangesAsync(cancellationToken);
        return new OptOutCheck(listed, null);
    }

    public async Task<Page<OptOutRow>> SearchAsync(Actor actor, PageRequest page, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Admin);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.OptOutEntries.AsNoTracking().ToPageAsync(page, Columns, q => q.OrderByDescending(e => e.Id),
            e => new OptOutRow(e.Id, e.CreatedAt, e.Source), cancellationToken);
    }

    /// <summary>Takes an entry off the list, when the person asked to be invitable again.</summary>
    public async Task<bool> RemoveAsync(Actor actor, long id, string reason, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Admin);
        var why = AuditLog.RequireReason(reason);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var entry = await db.OptOutEntries.FirstOrDefaultAsync(e => e.Id == id, cancellationToken);
        if (entry is null)
        {
            return false;
        }
        db.OptOutEntries.Remove(entry);
        audit.Record(db, actor, AuditActions.OptOutRemoved,
            new AuditTarget(AuditTargetType, id.ToString(System.Globalization.CultureInfo.InvariantCulture), $"opted out {entry.CreatedAt:yyyy-MM-dd}"),
            why);
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }
}
