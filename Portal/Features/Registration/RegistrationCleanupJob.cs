using Microsoft.Extensions.Options;
using Portal.Features.Settings;
using Portal.Identity;

namespace Portal.Features.Registration;

/// <summary>
/// Runs <see cref="RegistrationCleanup"/> every <see cref="RegistrationOptions.CleanupInterval"/>
/// when <see cref="RegistrationOptions.CleanupEnabled"/>, on the stored schedule (<see cref="JobSchedule"/>:
/// restarts do not postpone it, and one node runs it). A failed run is logged and tried again next time.
/// </summary>
public sealed partial class RegistrationCleanupJob(
    RegistrationCleanup cleanup, JobSchedule schedule, IOptions<RegistrationOptions> options, ILogger<RegistrationCleanupJob> logger) : BackgroundService
{
    public const string JobName = "registration-cleanup";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.CleanupEnabled)
        {
            return;
        }
        try
        {
            await schedule.RunPeriodicallyAsync(JobName, options.Value.CleanupInterval, RunOnceAsync, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One cleanup; logs counts only (addresses never reach the log).</summary>
    public async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        try
        {
            var report = await cleanup.RunAsync(Actor.System, dryRun: false, cancellationToken: cancellationToken);
            LogDone(report.AccountCount, report.KeyCount);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogFailed(ex, options.Value.CleanupInterval);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Registration cleanup deleted {Accounts} never-activated accounts and {Keys} old activation keys")]
    private partial void LogDone(int accounts, int keys);

    [LoggerMessage(Level = LogLevel.Error, Message = "Registration cleanup failed; trying again in {Interval}")]
    private partial void LogFailed(Exception ex, TimeSpan interval);
}
