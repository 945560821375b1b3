namespace Portal.Data;

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

/// <summary>
/// <c>Database:Provider</c> and <c>ConnectionStrings:Portal</c>, read and checked before the host
/// exists (the database is configured then), so a wrong setting stops the start with a clear message.
/// </summary>
public sealed record DatabaseSettings(DatabaseProvider Provider, string? ConnectionString)
{
    public static DatabaseSettings Read(IConfiguration configuration)
    {
        var name = configuration["Database:Provider"];
        var provider = DatabaseProvider.Sqlite;
        if (!string.IsNullOrWhiteSpace(name) && !Enum.TryParse(name.Trim(), ignoreCase: true, out provider))
        {
            throw new InvalidOperationException(
                $"Database:Provider is \"{name}\"; it must be {string.Join(" or ", Enum.GetNames<DatabaseProvider>())}.");
        }
        var connectionString = configuration.GetConnectionString("Portal") is { Length: > 0 } configured ? configured : null;
        if (provider == DatabaseProvider.Postgres && connectionString is null)
        {
            throw new InvalidOperationException(
                "Database:Provider is Postgres but ConnectionStrings:Portal is not set. Set it to the server's connection string, " +
                "for example \"Host=db.example.org;Database=portal;Username=portal;Password=...\".");
        }
        return new DatabaseSettings(provider, connectionString);
    }
}
