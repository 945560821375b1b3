using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Data;

/// <summary>
/// The other tests start on a copy of a database migrated once per run; this one starts where an
/// operator does: a data directory without a database.
/// </summary>
public sealed class FirstStartTests : IAsyncLifetime
{
    private readonly TestPortal _portal = TestPortal.OnEmptyDatabase();

    [Fact]
    public async Task A_portal_without_a_database_makes_one_with_every_migration_in_WAL_mode()
    {
        Assert.False(File.Exists(Path.Combine(_portal.DataDirectory, "portal.db")));

        await using var db = await _portal.DbAsync();

        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync());
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        await using var journalMode = connection.CreateCommand();
        journalMode.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", await journalMode.ExecuteScalarAsync());
        Assert.Equal(0, await db.Users.CountAsync());
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _portal.DisposeAsync();
}
