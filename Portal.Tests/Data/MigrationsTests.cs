using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Identity;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Data;

/// <summary>
/// Each provider's migrations describe the model as the portal builds it: a change to the model
/// without a migration for both providers fails here, and each set is one <c>Initial</c> migration
/// in the namespace of its folder. Nothing connects, so the PostgreSQL case needs no server.
/// </summary>
public sealed class MigrationsTests : IDisposable
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "portal-tests", Guid.NewGuid().ToString("N"));

    private readonly List<ServiceProvider> _services = [];

    public static TheoryData<DatabaseProvider, string> Providers => new()
    {
        { DatabaseProvider.Sqlite, "Portal.Data.Migrations.Sqlite" },
        { DatabaseProvider.Postgres, "Portal.Data.Migrations.Postgres" },
    };

    [Theory]
    [MemberData(nameof(Providers))]
    public void The_migrations_match_the_model(DatabaseProvider provider, string @namespace)
    {
        using var db = Context(provider);

        Assert.False(db.Database.HasPendingModelChanges(),
            $"The model has changes that no {provider} migration has: add one for each provider (README, Running on PostgreSQL), in {@namespace}.");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void The_migrations_start_from_one_initial_migration_in_the_folder_of_their_provider(DatabaseProvider provider, string @namespace)
    {
        using var db = Context(provider);
        var migrations = db.GetService<IMigrationsAssembly>();

        Assert.EndsWith("_Initial", migrations.Migrations.Keys.First(), StringComparison.Ordinal);
        Assert.Single(migrations.Migrations.Keys, id => id.EndsWith("_Initial", StringComparison.Ordinal));
        Assert.All(migrations.Migrations.Values, type => Assert.Equal(@namespace, type.Namespace));
        Assert.Equal(@namespace, migrations.ModelSnapshot?.GetType().Namespace);
    }

    /// <summary>
    /// The portal's context as the migrations tool sees it: made by the app's data services, with
    /// Identity's beside them, for Identity's options shape the model too (the length of its key
    /// columns): a context made from bare options would not be the one the migrations were made from.
    /// </summary>
    private PortalDbContext Context(DatabaseProvider provider)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = Repository.Root, EnvironmentName = "Development" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Portal:DataDirectory"] = _dataDirectory,
            [DatabaseSettings.ProviderKey] = provider.ToString(),
            [DatabaseSettings.ConnectionStringKey] = provider == DatabaseProvider.Postgres ? "Host=localhost;Database=none" : null,
        });
        builder.AddPortalData();
        builder.AddPortalIdentity();
        var services = builder.Services.BuildServiceProvider();
        _services.Add(services);
        var db = services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext();
        Assert.Equal(provider == DatabaseProvider.Postgres ? typeof(PostgresPortalDbContext) : typeof(PortalDbContext), db.GetType());
        return db;
    }

    public void Dispose()
    {
        foreach (var services in _services)
        {
            services.Dispose();
        }
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }
}
