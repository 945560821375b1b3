using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Portal.Data;

/// <summary>Where the portal keeps its files: the database, the mail pickup folder, keys.</summary>
public sealed record PortalPaths(string ContentRoot, string DataDirectory)
{
    /// <summary>A configured path (relative to the content root), or the default inside the data directory.</summary>
    public string Resolve(string? configured, string defaultInDataDirectory) =>
        string.IsNullOrWhiteSpace(configured)
            ? Path.Combine(DataDirectory, defaultInDataDirectory)
            : Path.GetFullPath(configured, ContentRoot);
}

public static class DataSetup
{
    private const string DefaultConnectionString = "Data Source=|DataDirectory|portal.db";

    /// <summary>The Data Protection default key lifetime: the ring makes the next key itself before this one ends.</summary>
    private static readonly TimeSpan KeyLifetime = TimeSpan.FromDays(90);

    /// <summary>The PostgreSQL advisory lock nodes take while starting; any number, the same on every node.</summary>
    private const long StartLock = 7460911340;

    public static WebApplicationBuilder AddPortalData(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSettings<PortalOptions>(PortalOptions.Section);

        // Read now, not through IOptions: the database and the key ring are configured before the host exists.
        var portal = builder.Configuration.GetSection(PortalOptions.Section).Get<PortalOptions>() ?? new PortalOptions();
        var contentRoot = builder.Environment.ContentRootPath;
        var paths = new PortalPaths(contentRoot, DataDirectory(portal.DataDirectory, contentRoot));
        services.AddSingleton(paths);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<WaitingWriters>();

        var database = DatabaseSettings.Read(builder.Configuration);
        if (database.Provider == DatabaseProvider.Postgres)
        {
            // Pooled: a context is reset and reused rather than built for every operation.
            services.AddPooledDbContextFactory<PostgresPortalDbContext>(options => options
                // Lists in queries (Contains) go as one array parameter (= ANY), as on SQLite below.
                .UseNpgsql(database.ConnectionString, npgsql => npgsql.UseParameterizedCollectionMode(ParameterTranslationMode.Parameter)));
            // Services ask for the portal's context; on PostgreSQL that is the context owning the PostgreSQL migrations.
            services.AddSingleton<IDbContextFactory<PortalDbContext>, PostgresPortalDbContextFactory>();
            services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<PostgresPortalDbContext>>().CreateDbContext());
            services.AddScoped<PortalDbContext>(sp => sp.GetRequiredService<PostgresPortalDbContext>());
        }
        else
        {
            var connectionString = (database.ConnectionString ?? DefaultConnectionString)
                .Replace("|DataDirectory|", paths.DataDirectory + Path.DirectorySeparatorChar, StringComparison.Ordinal);
            services.AddPooledDbContextFactory<PortalDbContext>((sp, options) => options
                // Lists in queries (Contains) go as one JSON parameter: one cached query plan whatever
                // the list's length, where a parameter per element would compile a query per length.
                .UseSqlite(connectionString, sqlite => sqlite.UseParameterizedCollectionMode(ParameterTranslationMode.Parameter))
                .AddInterceptors(new SqlitePragmas(), sp.GetRequiredService<WaitingWriters>()));
            // Identity's stores take the context of the request (or circuit); it comes from the pool too.
            services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext());
            SqlitePragmas.ReserveThreads();
        }

        var dataProtection = services.AddDataProtection().SetApplicationName("Portal");
        if (database.Provider == DatabaseProvider.Postgres)
        {
            // Shared by every node on the database: what one node protects, another can read.
            dataProtection.PersistKeysToDbContext<PostgresPortalDbContext>();
        }
        else
        {
            dataProtection.PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(paths.DataDirectory, "keys")));
        }
        if (KeyRingCertificate.Load(builder.Configuration, paths) is { } certificate)
        {
            dataProtection.ProtectKeysWithCertificate(certificate);
        }

        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database");
        return builder;
    }

    /// <summary>The data directory, made when it is not there yet.</summary>
    private static string DataDirectory(string configured, string contentRoot)
    {
        try
        {
            var path = Path.GetFullPath(configured, contentRoot);
            // dotnet ef builds the host with Portal/ as the content root, and makes migrations without a database.
            if (!EF.IsDesignTime)
            {
                Directory.CreateDirectory(path);
            }
            return path;
        }
        catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException)
        {
            throw new SettingException($"{PortalOptions.Section}:{nameof(PortalOptions.DataDirectory)}",
                $"is {SettingsValidation.Shown(configured)}, where the portal cannot make its folder ({e.Message.TrimEnd('.')})");
        }
    }

    /// <summary>Brings the schema up to date before anything else touches the database.</summary>
    public static async Task MigratePortalDatabaseAsync(this IHost app)
    {
        var factory = app.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        await using var db = await factory.CreateDbContextAsync();
        if (db.Database.IsSqlite())
        {
            await db.Database.MigrateAsync();
            // WAL lets readers go on while one writer writes; the setting is stored in the file.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode = WAL;");
            return;
        }

        // Nodes starting together take turns: the first migrates and makes the shared key, the
        // others find both done. The lock is the session's, so a node that dies frees it.
        await db.Database.OpenConnectionAsync();
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_lock({StartLock})");
        try
        {
            // EF reads the history table before it makes it, and on an empty database logs that
            // failed read as an error; made first, there is nothing to fail.
            await db.GetService<IHistoryRepository>().CreateIfNotExistsAsync();
            await db.Database.MigrateAsync();
            EnsureSharedKey(app.Services);
        }
        finally
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_unlock({StartLock})");
        }
    }

    /// <summary>
    /// Makes sure the shared key ring has a key in force before this node serves anything: nodes
    /// starting on an empty key ring would otherwise each make a key of their own and, for a while,
    /// not read what the others protect.
    /// </summary>
    private static void EnsureSharedKey(IServiceProvider services)
    {
        var keys = services.GetRequiredService<IKeyManager>();
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        if (!keys.GetAllKeys().Any(k => !k.IsRevoked && k.ActivationDate <= now && k.ExpirationDate > now))
        {
            keys.CreateNewKey(now, now + KeyLifetime);
        }
    }
}
