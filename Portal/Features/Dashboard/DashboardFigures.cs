using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Identity;

namespace Portal.Features.Dashboard;

public sealed record DailyInvitations(DateOnly Day, int Sent, int Accepted);

public sealed record DailySignUps(DateOnly Day, int SignedUp, int Activated);

/// <summary>Sign-ups of the last days: per day, in all, and how many of them became active.</summary>
public sealed record SignUpStats(IReadOnlyList<DailySignUps> Days)
{
    public int SignedUp => Days.Sum(d => d.SignedUp);

    public int Activated => Days.Sum(d => d.Activated);

    /// <summary>Activated of signed up in the window, or null when nobody signed up.</summary>
    public double? ActivationRate => SignedUp == 0 ? null : (double)Activated / SignedUp;
}

/// <summary>
/// The dashboard's figures for deferred changes besides those waiting for a moderator (the review
/// inbox counts those); the last two over the dashboard's window.
/// </summary>
public sealed record ChangeCounts(int AwaitingConfirmation, int Applied, int Expired);

/// <summary>
/// The figures only the dashboard shows: invitations and sign-ups per day, and what became of
/// deferred changes, over the last <c>days</c> days (today included, in UTC). The counts a feature's
/// own page shows too (accounts, invitations, mail, the review queue) come from that feature.
/// </summary>
public sealed class DashboardFigures(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock)
{
    /// <summary>Invitations first sent and invitations accepted per day.</summary>
    public async Task<IReadOnlyList<DailyInvitations>> InvitationsAsync(Actor actor, int days, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Admin);
        var (since, window) = Window(days);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var sent = await db.Invitations.Where(i => i.CreatedAt >= since)
            .GroupBy(i => i.CreatedAt.Date).Select(g => new { Day = g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => DateOnly.FromDateTime(g.Day), g => g.Count, cancellationToken);
        var accepted = await db.Invitations.Where(i => i.AcceptedAt >= since)
            .GroupBy(i => i.AcceptedAt!.Value.Date).Select(g => new { Day = g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => DateOnly.FromDateTime(g.Day), g => g.Count, cancellationToken);
        return [.. window.Select(day => new DailyInvitations(day, sent.GetValueOrDefault(day), accepted.GetValueOrDefault(day)))];
    }

    /// <summary>Sign-ups per day, with how many of each day's became active.</summary>
    public async Task<SignUpStats> SignUpsAsync(Actor actor, int days, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Admin);
        var (since, window) = Window(days);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var daily = await db.SignUps.Where(s => s.CreatedAt >= since)
            .GroupBy(s => s.CreatedAt.Date)
            .Select(g => new { Day = g.Key, SignedUp = g.Count(), Activated = g.Count(s => s.Status == SignUpStatus.Active) })
            .ToDictionaryAsync(g => DateOnly.FromDateTime(g.Day), cancellationToken);
        return new SignUpStats([.. window.Select(day => daily.TryGetValue(day, out var d)
            ? new DailySignUps(day, d.SignedUp, d.Activated)
            : new DailySignUps(day, 0, 0))]);
    }

    /// <summary>Changes waiting for their confirmation now, and how many were applied and expired in the window.</summary>
    public async Task<ChangeCounts> ChangesAsync(Actor actor, int days, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Admin);
        var (since, _) = Window(days);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var recent = await db.DeferredChanges.Where(c => c.StatusAt >= since && (c.Status == ChangeStatus.Applied || c.Status == ChangeStatus.Expired))
            .GroupBy(c => c.Status).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, cancellationToken);
        return new ChangeCounts(
            await db.DeferredChanges.CountAsync(c => c.Status == ChangeStatus.Pending && c.Channel != ChangeChannel.Moderator, cancellationToken),
            recent.GetValueOrDefault(ChangeStatus.Applied),
            recent.GetValueOrDefault(ChangeStatus.Expired));
    }

    /// <summary>The window's first moment and its days, oldest first.</summary>
    private (DateTime Since, IEnumerable<DateOnly> Days) Window(int days)
    {
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var first = today.AddDays(1 - days);
        return (first.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), Enumerable.Range(0, days).Select(first.AddDays));
    }
}
