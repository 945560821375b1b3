using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Portal.Data;
using Portal.Features.Audit;
using Portal.Features.Invitations.Bulk;
using Portal.Identity;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Features.Invitations.Bulk;

/// <summary>A bulk run beside the portal's other writers, on SQLite, where one writer writes at a time.</summary>
public class BulkRunsTests : IAsyncLifetime
{
    private static readonly Actor Admin = new("bulk-admin", "Bulk Admin", new HashSet<string> { Roles.Admin });

    // Moved by nobody: a batch that lets writers go first waits for them, never for the clock.
    private readonly TimerWatchingClock _clock = new();
    private readonly TestPortal _portal;

    public BulkRunsTests()
    {
        _portal = TestPortal.WithServices(services =>
        {
            services.RemoveAll<IHostedService>();
            services.AddSingleton(new WaitingWriters(_clock));
        });
    }

    private BulkRuns Runs => _portal.Get<BulkRuns>();

    [Fact]
    public async Task A_writer_waiting_for_the_lock_goes_before_the_runs_next_batch()
    {
        var jobId = await _portal.Get<BulkAnalysis>().AnalyzeAsync(Admin, "people.csv",
            new MemoryStream(Encoding.UTF8.GetBytes("email\na@example.org\nb@example.org\n")));
        Assert.Null(await Runs.StartAsync(Admin, jobId, new BulkRunOptions(null, null, Resend: false, ExpiryDays: 14)));
        Assert.Equal(jobId, await Runs.NextRunnableAsync(default));

        string connectionString;
        await using (var db = await _portal.DbAsync())
        {
            connectionString = db.Database.GetConnectionString()!;
        }
        // Another process holds the write lock: nothing the portal counts.
        await using var other = new SqliteConnection(connectionString);
        await other.OpenAsync();
        var otherTransaction = other.BeginTransaction();
        // A writer of the portal's, counted as its contexts are, on a connection that says when it begins.
        await using var connection = new BeginWatchingConnection(connectionString);
        await connection.OpenAsync();
        await using var writer = new PortalDbContext(new DbContextOptionsBuilder<PortalDbContext>()
            .UseSqlite(connection).AddInterceptors(_portal.Get<WaitingWriters>()).Options);
        connection.Watch();
        var written = Task.Run(async () =>
        {
            await using var transaction = await writer.Database.BeginTransactionAsync();
            var invitationsSeen = await writer.Invitations.CountAsync();
            _portal.Get<AuditLog>().Record(writer, Admin, "test.written");
            await writer.SaveChangesAsync();
            await transaction.CommitAsync();
            return invitationsSeen;
        });
        await Patience.For(connection.Beginning, "the writer to begin its transaction");

        var batch = Task.Run(() => Runs.RunBatchAsync(jobId, default));
        await Patience.For(Task.WhenAny(_clock.TimerStarted, batch), "the batch to let the writer go first, or to run");
        Assert.False(batch.IsCompleted, "The batch ran without waiting for the writer.");
        otherTransaction.Rollback();

        Assert.Equal(0, await Patience.For(written, "the writer's transaction"));
        Assert.True(await Patience.For(batch, "the batch"));
        await using var check = await _portal.DbAsync();
        Assert.Equal(2, await check.Invitations.CountAsync());
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _portal.DisposeAsync().AsTask();

    /// <summary>
    /// A connection that says when it begins a transaction, which the portal counts before: once
    /// watched, the first command it makes is the transaction's BEGIN.
    /// </summary>
    private sealed class BeginWatchingConnection(string connectionString) : SqliteConnection(connectionString)
    {
        private readonly TaskCompletionSource _beginning = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private volatile bool _watching;

        public Task Beginning => _beginning.Task;

        public void Watch() => _watching = true;

        public override SqliteCommand CreateCommand()
        {
            if (_watching)
            {
                _beginning.TrySetResult();
            }
            return base.CreateCommand();
        }
    }

    /// <summary>A fake clock that says when the first timer is set on it.</summary>
    private sealed class TimerWatchingClock : FakeTimeProvider
    {
        private readonly TaskCompletionSource _timerStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task TimerStarted => _timerStarted.Task;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            _timerStarted.TrySetResult();
            return base.CreateTimer(callback, state, dueTime, period);
        }
    }
}
