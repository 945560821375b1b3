using Portal.Data;
using Portal.Features.Settings;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Features.Settings;

public class JobScheduleTests : IAsyncLifetime
{
    private readonly TestPortal _portal;

    public JobScheduleTests() : this(DatabaseProvider.Sqlite)
    {
    }

    protected JobScheduleTests(DatabaseProvider database)
    {
        _portal = TestPortal.WithServices(_ => { }, database);
    }

    private JobSchedule Schedule => _portal.Get<JobSchedule>();

    private static DateTime At(int hour) => new(2026, 11, 22, hour, 0, 0, DateTimeKind.Utc);

    [DatabaseFact]
    public async Task A_job_that_never_ran_has_no_last_run_and_its_first_claim_is_stored()
    {
        Assert.Null(await Schedule.LastRunAsync("nightly"));

        Assert.True(await Schedule.TryClaimAsync("nightly", null, At(3)));

        Assert.Equal(At(3), await Schedule.LastRunAsync("nightly"));
        Assert.Null(await Schedule.LastRunAsync("another"));
    }

    [DatabaseFact]
    public async Task Of_several_nodes_that_saw_the_same_last_run_exactly_one_takes_the_next()
    {
        Assert.True(await Schedule.TryClaimAsync("nightly", null, At(3)));

        var claims = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Task.Run(() => Schedule.TryClaimAsync("nightly", At(3), At(4).AddSeconds(i)))));

        Assert.Single(claims, c => c);
        Assert.False(await Schedule.TryClaimAsync("nightly", null, At(5)));
        Assert.False(await Schedule.TryClaimAsync("nightly", At(3), At(5)));
    }

    [DatabaseFact]
    public async Task An_overdue_job_runs_at_once_after_a_restart_and_records_the_run()
    {
        var lastRun = DateTime.UtcNow.AddDays(-2);
        Assert.True(await Schedule.TryClaimAsync("nightly", null, lastRun));
        var ran = new TaskCompletionSource();
        using var stop = new CancellationTokenSource();

        var loop = Schedule.RunPeriodicallyAsync("nightly", TimeSpan.FromDays(1), _ => { ran.TrySetResult(); return Task.CompletedTask; }, stop.Token);
        await ran.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await StoppedAsync(loop);

        Assert.True(await Schedule.LastRunAsync("nightly") > lastRun.AddDays(1));
    }

    [DatabaseFact]
    public async Task A_job_that_ran_recently_waits_for_its_interval_after_a_restart()
    {
        var lastRun = DateTime.UtcNow.AddMinutes(-5);
        Assert.True(await Schedule.TryClaimAsync("nightly", null, lastRun));
        var runs = 0;
        using var stop = new CancellationTokenSource();

        var loop = Schedule.RunPeriodicallyAsync("nightly", TimeSpan.FromDays(1), _ => { runs++; return Task.CompletedTask; }, stop.Token);
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        await stop.CancelAsync();
        await StoppedAsync(loop);

        Assert.Equal(0, runs);
        Assert.Equal(lastRun, await Schedule.LastRunAsync("nightly"));
    }

    /// <summary>A stopped loop ends, by returning or by the cancellation, whichever it met first.</summary>
    private static async Task StoppedAsync(Task loop)
    {
        try
        {
            await loop.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (OperationCanceledException)
        {
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _portal.DisposeAsync();
}

public sealed class JobScheduleOnPostgresTests() : JobScheduleTests(DatabaseProvider.Postgres), IPostgresVariant;
