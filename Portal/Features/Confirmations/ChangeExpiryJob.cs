using Microsoft.Extensions.Options;

namespace Portal.Features.Confirmations;

/// <summary>
/// Marks pending changes past their expiry as Expired every <see cref="ConfirmationsOptions.ExpiryInterval"/>,
/// so members and moderators see it. A failed run is logged and tried again next time.
/// </summary>
public sealed partial class ChangeExpiryJob(DeferredChanges changes, IOptions<ConfirmationsOptions> options, TimeProvider clock, ILogger<ChangeExpiryJob> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ExpiryInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    var expired = await changes.ExpireAsync(stoppingToken);
                    if (expired > 0)
                    {
                        LogExpired(expired);
                    }
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    LogFailed(ex, options.Value.ExpiryInterval);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Marked {Count} deferred changes expired")]
    private partial void LogExpired(int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Expiring deferred changes failed; trying again in {Interval}")]
    private partial void LogFailed(Exception ex, TimeSpan interval);
}
