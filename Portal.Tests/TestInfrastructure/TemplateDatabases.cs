using Npgsql;
using Portal.Data;

namespace Portal.Tests.TestInfrastructure;

/// <summary>
/// Databases with the portal's schema, made once per test run by a portal started on an empty
/// database, as at a first start. A test portal starts on a copy: far cheaper than applying every
/// migration again, and the same schema the portal makes for itself.
/// </summary>
public static class TemplateDatabases
{
    private static readonly Lazy<string> SqliteFile = new(() =>
    {
        var portal = Made(DatabaseProvider.Sqlite);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(portal.DataDirectory, recursive: true);
        return Path.Combine(portal.DataDirectory, "portal.db");
    });

    private static readonly Lazy<string> PostgresDatabase = new(() =>
    {
        var connectionString = Made(DatabaseProvider.Postgres).PostgresConnectionString!;
        // Made at start, but each site makes its own: tests check what a first start stores.
        PostgresTestServer.Execute(connectionString, "DELETE FROM \"DataProtectionKeys\"");
        // A database with open connections cannot be copied.
        using (var connection = new NpgsqlConnection(connectionString))
        {
            NpgsqlConnection.ClearPool(connection);
        }
        AppDomain.CurrentDomain.ProcessExit += (_, _) => PostgresTestServer.DropDatabase(connectionString);
        return new NpgsqlConnectionStringBuilder(connectionString).Database!;
    });

    /// <summary>The name of the PostgreSQL template database on the test server.</summary>
    public static string Postgres => PostgresDatabase.Value;

    /// <summary>Puts a copy of the SQLite template at <paramref name="path"/>, unless a database is there already (a restart).</summary>
    public static void CopySqliteTo(string path)
    {
        if (File.Exists(path))
        {
            return;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.Copy(SqliteFile.Value, path);
    }

    /// <summary>A portal started on an empty database and stopped again, its database kept.</summary>
    private static TestPortal Made(DatabaseProvider database)
    {
        var portal = TestPortal.OnEmptyDatabase(database);
        portal.KeepData = true;
        _ = portal.Services;
        portal.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return portal;
    }
}
