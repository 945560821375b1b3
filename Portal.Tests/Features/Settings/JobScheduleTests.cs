using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Portal.Data;
using Portal.Features.Settings;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Features.Settings;

public class JobScheduleTests : IAsyncLifetime
{
    private readonly TestPortal _portal;
    // Its timers too: the loop's wait ends when the test moves this clock past it.
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 22, 9, 0, 0, TimeSpan.Zero));
    private readonly LogCapture _logs = new();

    public JobScheduleTests() : this(DatabaseProvider.Sqlite)
    {
    }

    protected JobScheduleTests(DatabaseProvider database)
    {
        _portal = TestPortal.WithServices(services =>
        {
            services.AddSingleton<TimeProvider>(_clock);
            services.AddLogging(logging => logging.AddProvider(_logs));
        }, database);
        _portal.Settings["Logging:LogLevel:" + typeof(JobSchedule).FullName] = "Debug";
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
        var lastRun = _clock.GetUtcNow().UtcDateTime.AddDays(-2);
        Assert.True(await Schedule.TryClaimAsync("nightly", null, lastRun));
        var ran = new TaskCompletionSource();
        using var stop = new CancellationTokenSource();

        var loop = Schedule.RunPeriodicallyAsync("nightly", TimeSpan.FromDays(1), _ => { ran.TrySetResult(); return Task.CompletedTask; }, stop.Token);
        await Patience.For(ran.Task, "the overdue job to run");
        await stop.CancelAsync();
        await StoppedAsync(loop);

        Assert.Equal(_clock.GetUtcNow().UtcDateTime, await Schedule.LastRunAsync("nightly"));
    }

    [DatabaseFact]
    public async Task A_job_that_ran_recently_waits_for_its_interval_after_a_restart()
    {
        var lastRun = _clock.GetUtcNow().UtcDateTime.AddMinutes(-5);
        Assert.True(await Schedule.TryClaimAsync("nightly", null, lastRun));
        var runs = 0;
        var ran = new TaskCompletionSource();
        using var stop = new CancellationTokenSource();

        var loop = Schedule.RunPeriodicallyAsync("nightly", TimeSpan.FromDays(1), _ => { runs++; ran.TrySetResult(); return Task.CompletedTask; }, stop.Token);
        var resting = await _logs.LineAsync("Job nightly looks at its schedule again in");

        Assert.Contains("in 23:55:00", resting);
        Assert.Equal(0, runs);
        Assert.Equal(lastRun, await Schedule.LastRunAsync("nightly"));

        _clock.Advance(TimeSpan.FromDays(1) - TimeSpan.FromMinutes(5));
        await Patience.For(ran.Task, "the job to run once its interval was up");
        await stop.CancelAsync();
        await StoppedAsync(loop);

        Assert.Equal(1, runs);
        Assert.Equal(lastRun.AddDays(1), await Schedule.LastRunAsync("nightly"));
    }

    /// <summary>A stopped loop ends, by returning or by the cancellation, whichever it met first.</summary>
    private static async Task StoppedAsync(Task loop)
    {
        try
        {
            await Patience.For(loop, "the stopped loop to end");
        }
        catch (OperationCanceledException)
        {
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _portal.DisposeAsync();
}

public sealed class JobScheduleOnPostgresTests() : JobScheduleTests(DatabaseProvider.Postgres), IPostgresVariant;
