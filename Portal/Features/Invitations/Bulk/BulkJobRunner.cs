using Portal.Background;

namespace Portal.Features.Invitations.Bulk;

/// <summary>
/// Runs started bulk invitations in the background, batch after batch, whether or not anybody
/// watches. After a restart it picks up the run that was going, where it stopped.
/// </summary>
public sealed partial class BulkJobRunner(BulkRuns runs, TimeProvider clock, ILogger<BulkJobRunner> logger) : BackgroundService
{
    private static readonly TimeSpan IdlePoll = TimeSpan.FromSeconds(1);

    private readonly WorkLoop _loop = new(clock);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        _loop.RunAsync(RunNextAsync, IdlePoll, ex => LogUnreadable(ex, IdlePoll), stoppingToken);

    /// <summary>Has the runner look for started runs now, and completes once it has run every one it found to its end.</summary>
    public Task RunNowAsync(CancellationToken cancellationToken = default) => _loop.WorkedOffAsync(cancellationToken);

    /// <summary>Runs the next runnable job to its end; true when there was one (there may be another).</summary>
    private async Task<bool> RunNextAsync(CancellationToken stoppingToken)
    {
        if (await runs.NextRunnableAsync(stoppingToken) is not { } jobId)
        {
            return false;
        }
        try
        {
            while (await runs.RunBatchAsync(jobId, stoppingToken))
            {
            }
            return true;
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            LogFailed(ex, jobId);
            await runs.FailAsync(jobId, ex.Message, CancellationToken.None);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Bulk invitation job {JobId} failed; it can be resumed from its page")]
    private partial void LogFailed(Exception ex, long jobId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Looking for bulk invitation jobs to run failed; trying again in {Delay}")]
    private partial void LogUnreadable(Exception ex, TimeSpan delay);
}
