using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Portal.Data;

namespace Portal.Features.Settings;

/// <summary>
/// When periodic jobs last ran, stored with the site settings: a schedule survives restarts (a
/// daily job still runs daily on a portal restarted every night), and when several nodes share the
/// database exactly one of them takes each run.
/// </summary>
public sealed partial class JobSchedule(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock, ILogger<JobSchedule> logger)
{
    /// <summary>How long after start a job that never ran waits for its first run: not while the portal is starting.</summary>
    public static readonly TimeSpan FirstRunDelay = TimeSpan.FromMinutes(1);

    /// <summary>How long to wait before looking at the schedule again when the database could not be read.</summary>
    public static readonly TimeSpan RetryDelay = TimeSpan.FromMinutes(1);

    public async Task<DateTime?> LastRunAsync(string job, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var stored = await db.SiteSettings.AsNoTracking().Where(s => s.Key == Key(job)).Select(s => s.Value).FirstOrDefaultAsync(cancellationToken);
        return stored is null ? null : DateTime.Parse(stored, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
    }

    /// <summary>
    /// Takes the run due after <paramref name="lastSeen"/> for this caller: true for exactly one of
    /// several callers that saw the same last run, false when another took it first.
    /// </summary>
    public async Task<bool> TryClaimAsync(string job, DateTime? lastSeen, DateTime now, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var key = Key(job);
        var value = Format(now);
        if (lastSeen is { } seen)
        {
            var previous = Format(seen);
            return await db.SiteSettings.Where(s => s.Key == key && s.Value == previous)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.Value, value).SetProperty(x => x.UpdatedAt, now), cancellationToken) == 1;
        }
        db.SiteSettings.Add(new SiteSetting { Key = key, Value = value, UpdatedAt = now, UpdatedByName = "system" });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e))
        {
            // Another node stored the first run a moment earlier.
            return false;
        }
    }

    /// <summary>
    /// Runs <paramref name="run"/> every <paramref name="interval"/> until stopped, counting from the
    /// stored last run (a job that never ran starts <see cref="FirstRunDelay"/> after this call).
    /// </summary>
    public async Task RunPeriodicallyAsync(string job, TimeSpan interval, Func<CancellationToken, Task> run, CancellationToken cancellationToken)
    {
        var firstDue = clock.GetUtcNow().UtcDateTime + FirstRunDelay;
        while (!cancellationToken.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                var last = await LastRunAsync(job, cancellationToken);
                var now = clock.GetUtcNow().UtcDateTime;
                var due = last + interval ?? firstDue;
                if (due <= now)
                {
                    if (await TryClaimAsync(job, last, now, cancellationToken))
                    {
                        await run(cancellationToken);
                    }
                    continue;
                }
                // Look again when it is due: another node may have run it meanwhile.
                wait = due - now;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                // The database is away for a moment: the job waits for it rather than ending.
                LogScheduleUnreadable(ex, job, RetryDelay);
                wait = RetryDelay;
            }
            var rest = Task.Delay(wait, clock, cancellationToken);
            LogResting(job, wait);
            await rest;
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Job {Job} looks at its schedule again in {Delay}")]
    private partial void LogResting(string job, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Error, Message = "The schedule of job {Job} could not be read; looking again in {Delay}")]
    private partial void LogScheduleUnreadable(Exception ex, string job, TimeSpan delay);

    private static string Key(string job) => $"Jobs:{job}:LastRunAt";

    private static string Format(DateTime at) => at.ToString("O", CultureInfo.InvariantCulture);
}
