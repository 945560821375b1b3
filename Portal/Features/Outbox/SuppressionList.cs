using System.Globalization;
using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Features.Audit;
using Portal.Identity;
using Portal.Localization;

namespace Portal.Features.Outbox;

public sealed record SuppressionRow(long Id, string Address, string Reply, DateTime CreatedAt);

/// <summary>What the invite operation knows of a suppressed address: when its mail bounced, and the server's reply.</summary>
public sealed record Bounce(DateTime At, string Reply)
{
    /// <summary>Replies longer than this are cut in <see cref="Explanation"/>, so that it fits the reason of a bulk row.</summary>
    private const int ShownReply = 300;

    private static readonly StaticTexts Texts = new(typeof(SuppressionList));

    /// <summary>When it bounced, and the reply, in the reader's language.</summary>
    public string Explanation => Texts.Format("Explanation", At, Reply.Length <= ShownReply ? Reply : Reply[..ShownReply] + "…");
}

/// <summary>
/// Addresses whose mail server refused a message for good: no invitation goes to them until an admin
/// removes the entry, with a reason. An address is kept in its match form (<see cref="EmailAddress.Key"/>),
/// so one entry stands for every spelling of it, and the unique index keeps it to one entry.
/// </summary>
public sealed class SuppressionList(IDbContextFactory<PortalDbContext> dbFactory, AuditLog audit, TimeProvider clock)
{
    public const string AuditTargetType = "suppression";

    private static readonly Dictionary<string, Expression<Func<MailSuppression, object?>>> Columns = new()
    {
        [nameof(SuppressionRow.Address)] = s => s.Address,
        [nameof(SuppressionRow.CreatedAt)] = s => s.CreatedAt,
    };

    /// <summary>
    /// Suppresses the recipient of a bounced message, with an audit entry, saved in the caller's context
    /// (and transaction); nothing when it is suppressed already. When another node suppresses the same
    /// address at the same moment, the save breaks the unique index: the caller then does it again, and
    /// finds the entry.
    /// </summary>
    public async Task AddAsync(PortalDbContext db, string recipient, string reply, CancellationToken cancellationToken)
    {
        // Every address was read by EmailAddress.Check when the portal took it; one that was not is kept as it is.
        var address = EmailAddress.Key(EmailAddress.Canonicalize(recipient) ?? recipient);
        if (await db.MailSuppressions.AnyAsync(s => s.Address == address, cancellationToken))
        {
            return;
        }
        var suppression = new MailSuppression
        {
            Address = address,
            Reason = reply.Length <= 2000 ? reply : reply[..2000],
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        db.MailSuppressions.Add(suppression);
        // The audit entry names the entry, which has its id once saved.
        await db.SaveChangesAsync(cancellationToken);
        audit.Record(db, Actor.System, AuditActions.SuppressionAdded, Target(suppression), suppression.Reason);
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>The bounces of those of the addresses that are suppressed, by match key; one query for all.</summary>
    public static async Task<Dictionary<string, Bounce>> BouncesAsync(
        PortalDbContext db, IEnumerable<string> canonicalAddresses, CancellationToken cancellationToken)
    {
        var keys = canonicalAddresses.Select(EmailAddress.Key).Distinct().ToList();
        return await db.MailSuppressions.Where(s => keys.Contains(s.Address))
            .Select(s => new { s.Address, s.CreatedAt, s.Reason })
            .ToDictionaryAsync(s => s.Address, s => new Bounce(s.CreatedAt, s.Reason), cancellationToken);
    }

    /// <summary>The suppressed addresses, newest first; <paramref name="search"/> matches the address or the reply.</summary>
    public async Task<Page<SuppressionRow>> SearchAsync(Actor actor, string? search, PageRequest page, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Admin);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var entries = db.MailSuppressions.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(search))
        {
            // Addresses are stored lower-cased already (their match form).
            var pattern = Like.Contains(search);
            entries = entries.Where(s => EF.Functions.Like(s.Address, pattern, Like.Escape) || EF.Functions.Like(s.Reason.ToLower(), pattern, Like.Escape));
        }
        return await entries.ToPageAsync(page, Columns, q => q.OrderByDescending(s => s.CreatedAt).ThenByDescending(s => s.Id),
            s => new SuppressionRow(s.Id, s.Address, s.Reason, s.CreatedAt), cancellationToken);
    }

    /// <summary>Takes an address off the list, so that it can be invited again (its mailbox was fixed, or the bounce was wrong).</summary>
    public async Task<bool> RemoveAsync(Actor actor, long id, string reason, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Admin);
        var why = AuditLog.RequireReason(reason);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var entry = await db.MailSuppressions.AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (entry is null)
        {
            return false;
        }
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // Conditional: of two admins removing it at once, one does, and one audit entry says so.
        if (await db.MailSuppressions.Where(s => s.Id == id).ExecuteDeleteAsync(cancellationToken) == 0)
        {
            return false;
        }
        audit.Record(db, actor, AuditActions.SuppressionRemoved, Target(entry), why);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    private static AuditTarget Target(MailSuppression entry) =>
        new(AuditTargetType, entry.Id.ToString(CultureInfo.InvariantCulture), entry.Address);
}
