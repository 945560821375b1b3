using System.Linq.Expressions;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Features.Audit;
using Portal.Identity;

namespace Portal.Features.Outbox;

public sealed record OutboxRow(
    long Id, string Template, string Recipient, string Subject, OutboxStatus Status, int Attempts,
    DateTime CreatedAt, DateTime NextAttemptAt, DateTime? SentAt, string? LastError);

/// <summary>A stored message as an admin may see it: secrets in links masked.</summary>
public sealed record OutboxPreview(
    long Id, string Recipient, string Subject, string MessageId, OutboxStatus Status,
    IReadOnlyDictionary<string, string> Headers, string Html, string Text);

public sealed record OutboxQuery(OutboxStatus? Status = null, string? Recipient = null);

public sealed record OutboxCounts(int Queued, int Sent, int Failed);

/// <summary>The admin's view of the outbox: list, preview, retry.</summary>
public sealed class OutboxAdmin(IDbContextFactory<PortalDbContext> dbFactory, AuditLog audit, TimeProvider clock)
{
    private static readonly Dictionary<string, Expression<Func<OutboxMessage, object?>>> Columns = new()
    {
        [nameof(OutboxRow.CreatedAt)] = m => m.CreatedAt,
        [nameof(OutboxRow.Recipient)] = m => m.Recipient,
        [nameof(OutboxRow.Status)] = m => m.Status,
        [nameof(OutboxRow.Attempts)] = m => m.Attempts,
        [nameof(OutboxRow.NextAttemptAt)] = m => m.NextAttemptAt,
        [nameof(OutboxRow.Template)] = m => m.Template,
    };

    public async Task<Page<OutboxRow>> SearchAsync(Actor actor, OutboxQuery query, PageRequest page, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Admin);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var messages = db.OutboxMessages.AsNoTracking();
        if (query.Status is { } status)
        {
            messages = messages.Where(m => m.Status == status);
        }
        if (!string.IsNullOrWhiteSpace(query.Recipient))
        {
            var pattern = Like.Contains(query.Recipient);
            messages = messages.Where(m => EF.Functions.Like(m.Recipient.ToLower(), pattern, Like.Escape));
        }
        return await messages.ToPageAsync(page, Columns, q => q.OrderByDescending(m => m.Id),
            m => new OutboxRow(m.Id, m.Template, m.Recipient, m.Subject, m.Status, m.Attempts, m.CreatedAt, m.NextAttemptAt, m.SentAt, m.LastError),
            cancellationToken);
    }

    public async Task<OutboxCounts> CountsAsync(Actor actor, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Admin);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var counts = await db.OutboxMessages.GroupBy(m => m.Status)
            .Select(g => new { Status = g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Status, g => g.Count, cancellationToken);
        return new OutboxCounts(
            counts.GetValueOrDefault(OutboxStatus.Queued), counts.GetValueOrDefault(OutboxStatus.Sent), counts.GetValueOrDefault(OutboxStatus.Failed));
    }

    public async Task<OutboxPreview?> PreviewAsync(Actor actor, long id, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Admin);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var m = await db.OutboxMessages.AsNoTracking().FirstOrDefaultAsync(m => m.Id == id, cancellationToken);
        if (m is null)
        {
            return null;
        }
        var headers = m.Headers is null
            ? new Dictionary<string, string>()
            : JsonSerializer.Deserialize<Dictionary<string, string>>(m.Headers)!.ToDictionary(h => h.Key, h => SecretMask.Apply(h.Value));
        return new OutboxPreview(m.Id, m.Recipient, m.Subject, m.MessageId, m.Status, headers, SecretMask.Apply(m.HtmlBody), SecretMask.Apply(m.TextBody));
    }

    /// <summary>Puts a failed message back in the queue for a fresh round of attempts.</summary>
    public async Task<bool> RetryAsync(Actor actor, long id, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Admin);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var message = await db.OutboxMessages.FirstOrDefaultAsync(m => m.Id == id && m.Status == OutboxStatus.Failed, cancellationToken);
        if (message is null)
        {
            return false;
        }
        message.Status = OutboxStatus.Queued;
        message.Attempts = 0;
        message.NextAttemptAt = clock.GetUtcNow().UtcDateTime;
        audit.Record(db, actor, AuditActions.OutboxRetried, new AuditTarget("outbox", message.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), message.Recipient), message.Subject);
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }
}
