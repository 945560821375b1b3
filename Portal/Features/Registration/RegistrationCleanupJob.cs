using Microsoft.Extensions.Options;
using Portal.Identity;

namespace Portal.Features.Registration;

/// <summary>
/// Runs <see cref="RegistrationCleanup"/> every <see cref="RegistrationOptions.CleanupInterval"/>
/// (the first run one interval after start, not while the portal is starting) when
/// <see cref="RegistrationOptions.CleanupEnabled"/>. A failed run is logged and tried again next time.
/// </summary>
public sealed partial class RegistrationCleanupJob(
    RegistrationCleanup cleanup, IOptions<RegistrationOptions> options, TimeProvider clock, ILogger<RegistrationCleanupJob> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.CleanupEnabled)
        {
            return;
        }
        using var timer = new PeriodicTimer(options.Value.CleanupInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await RunOnceAsync(stoppingToken);
            }
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
