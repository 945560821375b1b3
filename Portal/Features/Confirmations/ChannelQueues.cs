using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Features.Audit;
using Portal.Identity;

namespace Portal.Features.Confirmations;

public sealed record SmsRow(long Id, string To, string Body, DateTime CreatedAt, long? ChangeId);

/// <param name="Code">Null once the letter is posted.</param>
/// <param name="ExpiresAt">Until when the code can be entered, printed in the letter.</param>
/// <param name="Language">The member's saved language, which the letter is written in.</param>
public sealed record LetterRow(
    long Id, long ChangeId, string RecipientName, string AddressBlock, string? Code, DateTime CreatedAt, DateTime? PostedAt, string? PostedByName, DateTime ExpiresAt,
    string? Language);

/// <param name="Reference">Null once the transfer is sent.</param>
public sealed record TransferRow(long Id, long ChangeId, string Iban, string Holder, int AmountCents, string? Reference, DateTime CreatedAt, DateTime? SentAt, string? SentByName);

/// <summary>
/// What the channels hold for admins: the development SMS outbox, the letters to print and post, the
/// transfers for the finance person to send. Posting a letter or sending a transfer clears its code,
/// so the database keeps no usable secret afterwards.
/// </summary>
public sealed partial class ChannelQueues(IDbContextFactory<PortalDbContext> dbFactory, IHostEnvironment environment, AuditLog audit, TimeProvider clock)
{
    /// <summary>The newest text messages; codes are shown only in development, where no real phone receives them.</summary>
    public async Task<Page<SmsRow>> SmsOutboxAsync(Actor actor, PageRequest page, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Admin);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var result = await db.SmsMessages.AsNoTracking().ToPageAsync(page, new Dictionary<string, System.Linq.Expressions.Expression<Func<SmsMessage, object?>>>(),
            q => q.OrderByDescending(m => m.Id), m => new SmsRow(m.Id, m.To, m.Body, m.CreatedAt, m.ChangeId), cancellationToken);
        return environment.IsDevelopment()
            ? result
            : new Page<SmsRow>([.. result.Items.Select(m => m with { Body = HideCodes(m.Body) })], result.Total);
    }

    /// <summary>Letters not yet posted (oldest first), or all, newest first.</summary>
    public async Task<IReadOnlyList<LetterRow>> LettersAsync(Actor actor, bool unpostedOnly = true, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Admin);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var letters = db.Letters.AsNoTracking();
        letters = unpostedOnly ? letters.Where(l => l.PostedAt == null).OrderBy(l => l.Id) : letters.OrderByDescending(l => l.Id).Take(500);
        return await letters.Select(l => new LetterRow(l.Id, l.ChangeId, l.RecipientName, l.AddressBlock, l.Code, l.CreatedAt, l.PostedAt, l.PostedByName,
                db.DeferredChanges.Where(c => c.Id == l.ChangeId).Select(c => c.ExpiresAt).FirstOrDefault(),
                db.DeferredChanges.Where(c => c.Id == l.ChangeId).Join(db.Users, c => c.TargetId, u => u.Id, (c, u) => u.Language).FirstOrDefault()))
            .ToListAsync(cancellationToken);
    }

    /// <summary>Marks printed letters posted and clears their codes. Returns how many were still unposted.</summary>
    public async Task<int> MarkLettersPostedAsync(Actor actor, IReadOnlyList<long> ids, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Admin);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        var count = await db.Letters.Where(l => ids.Contains(l.Id) && l.PostedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.PostedAt, now).SetProperty(l => l.PostedByName, actor.Name).SetProperty(l => l.Code, (string?)null), cancellationToken);
        audit.Record(db, actor, AuditActions.LettersPosted, null, $"{count} letter(s)");
        await db.SaveChangesAsync(cancellationToken);
        return count;
    }

    /// <summary>Transfers not yet sent (oldest first), or all, newest first.</summary>
    public async Task<IReadOnlyList<TransferRow>> TransfersAsync(Actor actor, bool unsentOnly = true, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Admin);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var transfers = db.BankTransfers.AsNoTracking();
        transfers = unsentOnly ? transfers.Where(t => t.SentAt == null).OrderBy(t => t.Id) : transfers.OrderByDescending(t => t.Id).Take(500);
        return await transfers.Select(t => new TransferRow(t.Id, t.ChangeId, t.Iban, t.Holder, t.AmountCents, t.Reference, t.CreatedAt, t.SentAt, t.SentByName))
            .ToListAsync(cancellationToken);
    }

    /// <summary>Marks transfers sent and clears their references. Returns how many were still unsent.</summary>
    public async Task<int> MarkTransfersSentAsync(Actor actor, IReadOnlyList<long> ids, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Admin);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        var count = await db.BankTransfers.Where(t => ids.Contains(t.Id) && t.SentAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.SentAt, now).SetProperty(t => t.SentByName, actor.Name).SetProperty(t => t.Reference, (string?)null), cancellationToken);
        audit.Record(db, actor, AuditActions.TransfersSent, null, $"{count} transfer(s)");
        await db.SaveChangesAsync(cancellationToken);
        return count;
    }

    /// <summary>A text message with its code blotted out.</summary>
    public static string HideCodes(string body) => Digits().Replace(body, "••••••");

    [GeneratedRegex(@"\b[0-9]{6}\b")]
    private static partial Regex Digits();
}
