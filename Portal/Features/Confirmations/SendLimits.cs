using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;

namespace Portal.Features.Confirmations;

/// <summary>
/// How often codes, links and notices for deferred changes may go out: one change at most every
/// <see cref="ConfirmationsOptions.ResendInterval"/>, one kind <see cref="ConfirmationsOptions.RequestsPerHour"/>
/// times an hour, one account <see cref="ConfirmationsOptions.SendsPerAccountPerHour"/> times an hour.
/// Each send is logged (<see cref="ChangeSend"/>), so a refusal can say exactly when asking works again.
/// </summary>
public sealed class SendLimits(IOptions<ConfirmationsOptions> options)
{
    /// <summary>How long the log is kept: longer than any window it is asked about.</summary>
    private static readonly TimeSpan Kept = TimeSpan.FromDays(1);

    private static readonly TimeSpan Window = TimeSpan.FromHours(1);

    /// <summary>
    /// When the account may next ask for a change of the kind, or have the change's secret sent
    /// again (with <paramref name="changeId"/>); null when it may now.
    /// </summary>
    public async Task<DateTime?> NextAllowedAsync(PortalDbContext db, string kind, string targetId, long? changeId, DateTime now, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var since = now - Window;
        var sends = await db.ChangeSends.AsNoTracking().Where(s => s.TargetId == targetId && s.SentAt > since)
            .OrderByDescending(s => s.SentAt).Select(s => new { s.ChangeId, s.Kind, s.SentAt }).ToListAsync(cancellationToken);
        var next = now;
        if (changeId is { } id && sends.FirstOrDefault(s => s.ChangeId == id) is { } last)
        {
            next = Later(next, last.SentAt + settings.ResendInterval);
        }
        // Over a limit, asking works again when the send that filled it leaves the window.
        var ofKind = sends.Where(s => s.Kind == kind).ToList();
        if (ofKind.Count >= settings.RequestsPerHour)
        {
            next = Later(next, ofKind[settings.RequestsPerHour - 1].SentAt + Window);
        }
        if (sends.Count >= settings.SendsPerAccountPerHour)
        {
            next = Later(next, sends[settings.SendsPerAccountPerHour - 1].SentAt + Window);
        }
        return next > now ? next : null;
    }

    /// <summary>Logs a send in the caller's unit of work; the caller saves.</summary>
    public static void Record(PortalDbContext db, DeferredChange change, DateTime now) =>
        db.ChangeSends.Add(new ChangeSend { ChangeId = change.Id, Kind = change.Kind, TargetId = change.TargetId, SentAt = now });

    /// <summary>Forgets sends older than any window.</summary>
    public static Task<int> PruneAsync(PortalDbContext db, DateTime now, CancellationToken cancellationToken)
    {
        var before = now - Kept;
        return db.ChangeSends.Where(s => s.SentAt < before).ExecuteDeleteAsync(cancellationToken);
    }

    private static DateTime Later(DateTime a, DateTime b) => a > b ? a : b;
}
