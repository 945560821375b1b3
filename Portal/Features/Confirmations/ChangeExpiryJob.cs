using Microsoft.Extensions.Options;
using Portal.Features.Settings;

namespace Portal.Features.Confirmations;

/// <summary>
/// Marks pending changes past their expiry as Expired every <see cref="ConfirmationsOptions.ExpiryInterval"/>,
/// so members and moderators see it, on the stored schedule (<see cref="JobSchedule"/>: one node runs
/// each round). A failed run is logged and tried again next time.
/// </summary>
public sealed partial class ChangeExpiryJob(
    ChangeLifecycle changes, JobSchedule schedule, IOptions<ConfirmationsOptions> options, ILogger<ChangeExpiryJob> logger) : BackgroundService
{
    public const string JobName = "change-expiry";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await schedule.RunPeriodicallyAsync(JobName, options.Value.ExpiryInterval, RunOnceAsync, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        try
        {
            var expired = await changes.ExpireAsync(cancellationToken);
            if (expired > 0)
            {
                LogExpired(expired);
            }
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogFailed(ex, options.Value.ExpiryInterval);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Marked {Count} deferred changes expired")]
    private partial void LogExpired(int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Expiring deferred changes failed; trying again in {Interval}")]
    private partial void LogFailed(Exception ex, TimeSpan interval);
}
