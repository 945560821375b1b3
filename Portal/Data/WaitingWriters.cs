using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Portal.Data;

/// <summary>
/// Counts the transactions waiting for SQLite's write lock, so that a long series of writes (a bulk
/// run's batches) can let them go first. Without it they starve: SQLite's busy handler sleeps up to
/// 100 ms between looks at the lock, and a batch that begins microseconds after the previous one
/// committed takes the lock again before any of them looks.
/// On PostgreSQL nothing counts (writers lock rows, not the database) and nobody ever waits here.
/// </summary>
public sealed class WaitingWriters(TimeProvider clock) : DbTransactionInterceptor
{
    /// <summary>
    /// The longest a batch lets others go first: writers that keep coming slow a bulk run down,
    /// never stop it.
    /// </summary>
    public static readonly TimeSpan MaxYield = TimeSpan.FromSeconds(2);

    private readonly Lock _gate = new();
    private int _waiting;
    private TaskCompletionSource _none = Done();

    /// <summary>Transactions waiting for the lock now.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _waiting;
            }
        }
    }

    /// <summary>
    /// Returns at once when no writer waits for the lock; otherwise once every writer waiting has
    /// had it (taken, or given up on), or after <see cref="MaxYield"/>.
    /// </summary>
    public async Task LetThemGoFirstAsync(CancellationToken cancellationToken)
    {
        Task none;
        lock (_gate)
        {
            none = _none.Task;
        }
        try
        {
            await none.WaitAsync(MaxYield, clock, cancellationToken);
        }
        catch (TimeoutException)
        {
        }
    }

    // The interceptor begins the transaction itself, rather than counting from TransactionStarting to
    // TransactionStarted: EF Core reports nothing when beginning fails (locked too long, cancelled),
    // and a count that missed its decrement would slow every batch after it. So an interceptor added
    // after this one finds the transaction begun, the lock held.
    public override InterceptionResult<DbTransaction> TransactionStarting(
        DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result)
    {
        if (result.HasResult)
        {
            return result;
        }
        Enter();
        try
        {
            return InterceptionResult<DbTransaction>.SuppressWithResult(connection.BeginTransaction(eventData.IsolationLevel));
        }
        finally
        {
            Leave();
        }
    }

    public override async ValueTask<InterceptionResult<DbTransaction>> TransactionStartingAsync(
        DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result,
        CancellationToken cancellationToken = default)
    {
        if (result.HasResult)
        {
            return result;
        }
        Enter();
        try
        {
            return InterceptionResult<DbTransaction>.SuppressWithResult(await connection.BeginTransactionAsync(eventData.IsolationLevel, cancellationToken));
        }
        finally
        {
            Leave();
        }
    }

    private void Enter()
    {
        lock (_gate)
        {
            if (_waiting++ == 0)
            {
                _none = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    private void Leave()
    {
        TaskCompletionSource? none = null;
        lock (_gate)
        {
            if (--_waiting == 0)
            {
                none = _none;
            }
        }
        // Outside the lock; the batch waiting on it goes on on a thread of its own.
        none?.TrySetResult();
    }

    private static TaskCompletionSource Done()
    {
        var done = new TaskCompletionSource();
        done.SetResult();
        return done;
    }
}
