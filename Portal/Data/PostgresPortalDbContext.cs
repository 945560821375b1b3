using Microsoft.EntityFrameworkCore;

namespace Portal.Data;

/// <summary>
/// The portal's database on PostgreSQL. Its own type because EF keeps one migrations set per
/// context type: this one owns <c>Data/Migrations/Postgres</c>, <see cref="PortalDbContext"/> the SQLite set.
/// </summary>
public sealed class PostgresPortalDbContext(DbContextOptions<PostgresPortalDbContext> options) : PortalDbContext(options);

/// <summary>Hands out the PostgreSQL context where services ask for the portal's.</summary>
internal sealed class PostgresPortalDbContextFactory(IDbContextFactory<PostgresPortalDbContext> postgres) : IDbContextFactory<PortalDbContext>
{
    public PortalDbContext CreateDbContext() => postgres.CreateDbContext();

    public async Task<PortalDbContext> CreateDbContextAsync(CancellationToken cancellationToken = default) =>
        await postgres.CreateDbContextAsync(cancellationToken);
}
