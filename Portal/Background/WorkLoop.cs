namespace Portal.Background;

/// <summary>
/// The loop of a background worker that looks for work at an interval (the outbox, bulk runs) and
/// can be woken to look at once. Whoever wakes it may wait until it has done all the work there was
/// at that moment: until a pass that began after the call found nothing more to do. A command that
/// must see its mail out, or a test, waits for that instead of guessing how long the work takes.
/// </summary>
public sealed class WorkLoop(TimeProvider clock)
{
    private readonly Lock _lock = new();
    private TaskCompletionSource _woken = NewSignal();
    private List<TaskCompletionSource> _waiting = [];
    private bool _stopped;

    /// <summary>Makes the loop look for work now instead of at the end of its interval.</summary>
    public void Wake()
    {
        lock (_lock)
        {
            _woken.TrySetResult();
        }
    }

    /// <summary>
    /// Wakes the loop and completes once it has done the work there was at this call; fails with the
    /// error of the pass that should have done it, or at once when the loop has stopped.
    /// </summary>
    public Task WorkedOffAsync(CancellationToken cancellationToken = default)
    {
        var done = NewSignal();
        lock (_lock)
        {
            if (_stopped)
            {
                return Task.FromException(new InvalidOperationException("The background loop has stopped."));
            }
            _waiting.Add(done);
            _woken.TrySetResult();
        }
        return done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="pass"/> until stopped. A pass returns true when it may have left work
    /// behind (it took a full batch): the next pass follows at once. Otherwise the loop rests for
    /// <paramref name="interval"/> or until woken. A failed pass is handed to <paramref name="failed"/>
    /// and the loop rests before the next.
    /// </summary>
    public async Task RunAsync(Func<CancellationToken, Task<bool>> pass, TimeSpan interval, Action<Exception> failed, CancellationToken stoppingToken)
    {
        // The callers this pass (and those after it, while work remains) serve.
        List<TaskCompletionSource> served = [];
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                Task woken;
                lock (_lock)
                {
                    served.AddRange(_waiting);
                    _waiting = [];
                    if (_woken.Task.IsCompleted)
                    {
                        _woken = NewSignal();
                    }
                    woken = _woken.Task;
                }

                bool more;
                try
                {
                    more = await pass(stoppingToken);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    failed(ex);
                    served.ForEach(caller => caller.TrySetException(ex));
                    served.Clear();
                    more = false;
                }
                if (more)
                {
                    continue;
                }
                served.ForEach(caller => caller.TrySetResult());
                served.Clear();
                await RestAsync(woken, interval, stoppingToken);
            }
        }
        finally
        {
            lock (_lock)
            {
                _stopped = true;
                served.AddRange(_waiting);
                _waiting = [];
            }
            var stopped = new InvalidOperationException("The background loop stopped before it got to the work.");
            served.ForEach(caller => caller.TrySetException(stopped));
        }
    }

    private async Task RestAsync(Task woken, TimeSpan interval, CancellationToken stoppingToken)
    {
        try
        {
            await woken.WaitAsync(interval, clock, stoppingToken);
        }
        catch (TimeoutException)
        {
            // The interval is up: time to look again.
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: the loop ends.
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
