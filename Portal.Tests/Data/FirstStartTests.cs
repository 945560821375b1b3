using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Portal.Data;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Data;

/// <summary>
/// The other tests start on a copy of a database migrated once per run; these start where an
/// operator does: without a database (SQLite) or on an empty one (PostgreSQL).
/// </summary>
public abstract class FirstStartTestsBase : IAsyncLifetime
{
    private readonly LogCapture _logs = new();

    protected FirstStartTestsBase(DatabaseProvider database) =>
        Portal = TestPortal.OnEmptyDatabase(database, services => services.AddLogging(logging => logging.AddProvider(_logs)));

    protected TestPortal Portal { get; }

    [DatabaseFact]
    public async Task A_first_start_applies_every_migration_and_logs_no_error_nor_EF_warning()
    {
        await using var db = await Portal.DbAsync();

        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync());
        Assert.Equal(0, await db.Users.CountAsync());
        Assert.DoesNotContain(_logs.Lines, line => line.Contains(" Error: ", StringComparison.Ordinal) || line.Contains(" Critical: ", StringComparison.Ordinal));
        // Nor an EF warning: pending model changes, a migration step that cannot run in a transaction.
        Assert.DoesNotContain(_logs.Lines, line => line.StartsWith("Microsoft.EntityFrameworkCore", StringComparison.Ordinal) && line.Contains(" Warning: ", StringComparison.Ordinal));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await Portal.DisposeAsync();
}

public sealed class FirstStartTests() : FirstStartTestsBase(DatabaseProvider.Sqlite)
{
    [Fact]
    public async Task A_portal_without_a_database_makes_one_in_WAL_mode()
    {
        Assert.False(File.Exists(Path.Combine(Portal.DataDirectory, "portal.db")));

        await using var db = await Portal.DbAsync();

        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        await using var journalMode = connection.CreateCommand();
        journalMode.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", await journalMode.ExecuteScalarAsync());
    }
}

public sealed class PostgresFirstStartTests() : FirstStartTestsBase(DatabaseProvider.Postgres), IPostgresVariant;
