using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Portal.Data;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Data;

public class DbErrorsTests : IAsyncLifetime
{
    private readonly TestPortal _portal;

    public DbErrorsTests() : this(DatabaseProvider.Sqlite)
    {
    }

    protected DbErrorsTests(DatabaseProvider database)
    {
        _portal = TestPortal.WithServices(services => services.RemoveAll<IHostedService>(), database);
    }

    private async Task<DbUpdateException> SaveFailingAsync(Action<PortalDbContext> change)
    {
        await using var db = await _portal.DbAsync();
        change(db);
        return await Assert.ThrowsAnyAsync<DbUpdateException>(() => db.SaveChangesAsync());
    }

    [DatabaseFact]
    public async Task A_second_row_with_the_same_unique_key_is_a_unique_violation()
    {
        await using (var db = await _portal.DbAsync())
        {
            db.SiteSettings.Add(new SiteSetting { Key = "Registration:Mode", Value = "Open" });
            await db.SaveChangesAsync();
        }

        var error = await SaveFailingAsync(db => db.SiteSettings.Add(new SiteSetting { Key = "Registration:Mode", Value = "Closed" }));

        Assert.True(DbErrors.IsUniqueViolation(error));
    }

    [DatabaseFact]
    public async Task A_broken_reference_is_not_a_unique_violation()
    {
        var error = await SaveFailingAsync(db => db.ActivationKeys.Add(new ActivationKey
        {
            UserId = "no-such-account",
            KeyHash = "0123456789abcdef",
            CreatedAt = DateTime.UtcNow,
            ExpiresAt = DateTime.UtcNow.AddDays(1),
        }));

        Assert.False(DbErrors.IsUniqueViolation(error));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _portal.DisposeAsync();
}

public sealed class DbErrorsOnPostgresTests() : DbErrorsTests(DatabaseProvider.Postgres), IPostgresVariant;
