namespace Portal.Features.Invitations.Bulk;

/// <summary>
/// Runs started bulk invitations in the background, batch after batch, whether or not anybody
/// watches. After a restart it picks up the run that was going, where it stopped.
/// </summary>
public sealed partial class BulkJobRunner(BulkInvites bulk, TimeProvider clock, ILogger<BulkJobRunner> logger) : BackgroundService
{
    private static readonly TimeSpan IdlePoll = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            long? jobId = null;
            try
            {
                jobId = await bulk.NextRunnableAsync(stoppingToken);
                if (jobId is { } id)
                {
                    while (await bulk.RunBatchAsync(id, stoppingToken))
                    {
                    }
                    continue;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogFailed(ex, jobId);
                if (jobId is { } failed)
                {
                    await bulk.FailAsync(failed, ex.Message, CancellationToken.None);
                }
            }
            try
            {
                await Task.Delay(IdlePoll, clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Bulk invitation job {JobId} failed; it can be resumed from its page")]
    private partial void LogFailed(Exception ex, long? jobId);
}
