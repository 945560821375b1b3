using Npgsql;

namespace Portal.Tests.TestInfrastructure;

/// <summary>
/// The PostgreSQL server the tests' PostgreSQL variants run on, from <c>PORTAL_TEST_POSTGRES</c>
/// (a connection string; <c>.ci/run</c> starts a throw-away server and sets it). Each test portal
/// gets a database of its own on it, copied from <see cref="TemplateDatabases.Postgres"/>.
/// </summary>
public static class PostgresTestServer
{
    public const string Variable = "PORTAL_TEST_POSTGRES";

    private static string? ConnectionString =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } configured ? configured : null;

    private static string Server => ConnectionString ?? throw new InvalidOperationException(
        $"The PostgreSQL tests need a server: {Variable} is not set (.ci/run starts one and sets it).");

    /// <summary>
    /// Why the PostgreSQL variants are skipped: no server configured, outside CI. Under CI a missing
    /// server is no reason to skip: the variants run and fail, saying what is missing.
    /// </summary>
    public static string? SkipReason =>
        ConnectionString is null && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase)
            ? $"PostgreSQL variant skipped: no PostgreSQL server configured (set {Variable} to a connection string, as .ci/run does)."
            : null;

    /// <summary>
    /// Creates a database and returns the connection string to it: a copy of the template, or, with
    /// <paramref name="empty"/>, one without tables, for the portal to migrate itself.
    /// </summary>
    public static string CreateDatabase(bool empty = false)
    {
        var name = "portal_test_" + Guid.NewGuid().ToString("N");
        Execute(Server, empty ? $"CREATE DATABASE \"{name}\"" : $"CREATE DATABASE \"{name}\" TEMPLATE \"{TemplateDatabases.Postgres}\"");
        return new NpgsqlConnectionStringBuilder(Server) { Database = name }.ConnectionString;
    }

    public static void DropDatabase(string connectionString)
    {
        var database = new NpgsqlConnectionStringBuilder(connectionString).Database;
        // The portal's pooled connections to it would block the drop; FORCE ends any that remain.
        NpgsqlConnection.ClearAllPools();
        Execute(Server, $"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)");
    }

    public static void Execute(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }
}
