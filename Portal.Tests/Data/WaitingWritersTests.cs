using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using Portal.Data;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Data;

public class WaitingWritersTests
{
    private readonly FakeTimeProvider _clock = new();
    private readonly WaitingWriters _writers;

    public WaitingWritersTests() => _writers = new WaitingWriters(_clock);

    [Fact]
    public async Task A_portal_on_SQLite_starts_pool_threads_at_once_for_the_writers_that_wait_on_them()
    {
        await using var portal = new TestPortal();
        _ = portal.Services;

        ThreadPool.GetMinThreads(out var workers, out _);
        Assert.True(workers >= SqlitePragmas.ReservedThreads, $"{workers} threads started at once");
    }

    [Fact]
    public void With_no_writer_waiting_a_batch_goes_at_once()
    {
        Assert.True(_writers.LetThemGoFirstAsync(CancellationToken.None).IsCompletedSuccessfully);
    }

    [Fact]
    public async Task A_batch_waits_until_the_waiting_writers_have_the_lock()
    {
        var first = new GatedConnection();
        var second = new GatedConnection();
        var writers = new[] { BeginAsync(first), BeginAsync(second) };

        var turn = _writers.LetThemGoFirstAsync(CancellationToken.None);

        Assert.Equal(2, _writers.Count);
        first.Free();
        await Patience.For(writers[0], "the first writer's transaction");
        Assert.False(turn.IsCompleted);
        second.Free();
        await Patience.For(writers[1], "the second writer's transaction");
        await Patience.For(turn, "the batch's turn");
        Assert.Equal(0, _writers.Count);
    }

    [Fact]
    public async Task A_batch_goes_after_the_longest_yield_even_while_a_writer_still_waits()
    {
        var connection = new GatedConnection();
        var writer = BeginAsync(connection);
        var turn = _writers.LetThemGoFirstAsync(CancellationToken.None);

        _clock.Advance(WaitingWriters.MaxYield - TimeSpan.FromTicks(1));
        Assert.False(turn.IsCompleted);
        _clock.Advance(TimeSpan.FromTicks(1));

        await Patience.For(turn, "the batch's turn");
        Assert.Equal(1, _writers.Count);
        connection.Free();
        await Patience.For(writer, "the writer's transaction");
    }

    [Fact]
    public async Task A_writer_that_fails_or_gives_up_to_begin_no_longer_counts()
    {
        var failing = new GatedConnection();
        using var cancel = new CancellationTokenSource();
        var failed = BeginAsync(failing);
        var cancelled = BeginAsync(new GatedConnection(), cancel.Token);
        var turn = _writers.LetThemGoFirstAsync(CancellationToken.None);

        failing.Fail(new InvalidOperationException("database is locked"));
        await cancel.CancelAsync();

        await Assert.ThrowsAsync<InvalidOperationException>(() => failed);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        await Patience.For(turn, "the batch's turn");
        Assert.Equal(0, _writers.Count);
        Assert.True(_writers.LetThemGoFirstAsync(CancellationToken.None).IsCompletedSuccessfully);
    }

    /// <summary>What EF Core does to begin a transaction: asks the interceptor, which begins it on the connection.</summary>
    private async Task<DbTransaction> BeginAsync(GatedConnection connection, CancellationToken cancellationToken = default)
    {
        var starting = new TransactionStartingEventData(null!, (_, _) => "", null, IsolationLevel.Unspecified, Guid.NewGuid(), Guid.NewGuid(), true, _clock.GetUtcNow());
        var result = await _writers.TransactionStartingAsync(connection, starting, default, cancellationToken);
        return result.Result;
    }

    /// <summary>A connection whose transactions begin when the test says, as a lock held elsewhere would have it.</summary>
    private sealed class GatedConnection : DbConnection
    {
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Free() => _gate.TrySetResult();

        public void Fail(Exception exception) => _gate.TrySetException(exception);

        protected override async ValueTask<DbTransaction> BeginDbTransactionAsync(IsolationLevel isolationLevel, CancellationToken cancellationToken)
        {
            await _gate.Task.WaitAsync(cancellationToken);
            return new Transaction(this);
        }

        protected override DbTransaction BeginDbTransaction(IsolationLevel isolationLevel) => throw new NotSupportedException();

        [AllowNull]
        public override string ConnectionString { get; set; } = "";

        public override string Database => "";

        public override string DataSource => "";

        public override string ServerVersion => "";

        public override ConnectionState State => ConnectionState.Open;

        public override void ChangeDatabase(string databaseName) => throw new NotSupportedException();

        public override void Close()
        {
        }

        public override void Open()
        {
        }

        protected override DbCommand CreateDbCommand() => throw new NotSupportedException();
    }

    private sealed class Transaction(DbConnection connection) : DbTransaction
    {
        protected override DbConnection DbConnection => connection;

        public override IsolationLevel IsolationLevel => IsolationLevel.Unspecified;

        public override void Commit()
        {
        }

        public override void Rollback()
        {
        }
    }
}
