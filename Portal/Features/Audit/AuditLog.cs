using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Identity;

namespace Portal.Features.Audit;

/// <summary>What an entry is about: a type, its key, and a readable name at the time.</summary>
public sealed record AuditTarget(string Type, string Id, string? Name = null);

public sealed record AuditRow(
    long Id, DateTime At, string? ActorId, string ActorName, string Action,
    string? TargetType, string? TargetId, string? TargetName, string? Details);

/// <summary>Filters of the audit page; every one is optional.</summary>
public sealed record AuditQuery(string? Search = null, string? Action = null, DateTime? From = null, DateTime? To = null);

/// <summary>
/// The audit log every feature writes to. Entries are added to the caller's context so they are
/// committed, or not, together with what they describe.
/// </summary>
public sealed class AuditLog(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock)
{
    private static readonly Dictionary<string, Expression<Func<AuditEntry, object?>>> Columns = new()
    {
        [nameof(AuditRow.At)] = e => e.At,
        [nameof(AuditRow.ActorName)] = e => e.ActorName,
        [nameof(AuditRow.Action)] = e => e.Action,
        [nameof(AuditRow.TargetName)] = e => e.TargetName,
    };

    public void Record(PortalDbContext db, Actor actor, string action, AuditTarget? target = null, string? details = null) =>
        db.AuditEntries.Add(new AuditEntry
        {
            At = clock.GetUtcNow().UtcDateTime,
            ActorId = actor.UserId,
            ActorName = actor.AuditName,
            Action = action,
            TargetType = target?.Type,
            TargetId = target?.Id,
            TargetName = target?.Name,
            Details = details,
        });

    /// <summary>
    /// The reason an admin gives for taking an entry off a list that protects people (opt-outs,
    /// bounced addresses), trimmed. It is required: the audit log keeps it as the why.
    /// </summary>
    public static string RequireReason(string? reason) => string.IsNullOrWhiteSpace(reason)
        ? throw new ArgumentException("Say why the entry is removed.", nameof(reason))
        : reason.Trim();

    public async Task<Page<AuditRow>> SearchAsync(Actor actor, AuditQuery query, PageRequest page, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Admin);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var entries = db.AuditEntries.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(query.Action))
        {
            entries = entries.Where(e => e.Action == query.Action);
        }
        if (query.From is { } from)
        {
            entries = entries.Where(e => e.At >= from);
        }
        if (query.To is { } to)
        {
            entries = entries.Where(e => e.At < to);
        }
        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            var pattern = Like.Contains(query.Search);
            var exact = query.Search.Trim();
            entries = entries.Where(e =>
                EF.Functions.Like(e.TargetName!.ToLower(), pattern, Like.Escape) || EF.Functions.Like(e.Details!.ToLower(), pattern, Like.Escape)
                || EF.Functions.Like(e.ActorName.ToLower(), pattern, Like.Escape) || e.TargetId == exact);
        }
        return await entries.ToPageAsync(page, Columns, q => q.OrderByDescending(e => e.At).ThenByDescending(e => e.Id),
            e => new AuditRow(e.Id, e.At, e.ActorId, e.ActorName, e.Action, e.TargetType, e.TargetId, e.TargetName, e.Details),
            cancellationToken);
    }

    /// <summary>The actions that occur in the log, for the filter list.</summary>
    public async Task<IReadOnlyList<string>> ActionsAsync(Actor actor, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Admin);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.AuditEntries.Select(e => e.Action).Distinct().OrderBy(a => a).ToListAsync(cancellationToken);
    }
}
