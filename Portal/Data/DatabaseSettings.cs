namespace Portal.Data;

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

/// <summary>
/// <c>Database:Provider</c> and <c>ConnectionStrings:Portal</c>, read and checked before the host
/// exists (the database is configured then), so a wrong setting stops the start with its one line.
/// </summary>
public sealed record DatabaseSettings(DatabaseProvider Provider, string? ConnectionString)
{
    public const string ProviderKey = "Database:Provider";
    public const string ConnectionStringKey = "ConnectionStrings:Portal";

    public static DatabaseSettings Read(IConfiguration configuration)
    {
        var name = configuration[ProviderKey];
        var provider = DatabaseProvider.Sqlite;
        if (!string.IsNullOrWhiteSpace(name) && !(Enum.TryParse(name.Trim(), ignoreCase: true, out provider) && Enum.IsDefined(provider)))
        {
            throw new SettingException(ProviderKey,
                $"must be {string.Join(" or ", Enum.GetNames<DatabaseProvider>())} (it is {SettingsValidation.Shown(name)})");
        }
        var connectionString = configuration[ConnectionStringKey] is { Length: > 0 } configured ? configured : null;
        if (provider == DatabaseProvider.Postgres && connectionString is null)
        {
            throw new SettingException(ConnectionStringKey,
                "is required when Database:Provider is Postgres: the server's connection string, such as \"Host=db.example.org;Database=portal;Username=portal;Password=...\"");
        }
        return new DatabaseSettings(provider, connectionString);
    }
}
