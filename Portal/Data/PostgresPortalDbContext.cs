using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace Portal.Data;

/// <summary>
/// The portal's database on PostgreSQL. Its own type because EF keeps one migrations set per
/// context type: this one owns <c>Data/Migrations/Postgres</c>, <see cref="PortalDbContext"/> the SQLite set.
/// It also holds the Data Protection key ring, so that every node shares the keys behind cookies,
/// antiforgery and account tokens (one node on SQLite keeps them in its data directory).
/// </summary>
public sealed class PostgresPortalDbContext(DbContextOptions<PostgresPortalDbContext> options) : PortalDbContext(options), IDataProtectionKeyContext
{
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();
}

/// <summary>Hands out the PostgreSQL context where services ask for the portal's.</summary>
internal sealed class PostgresPortalDbContextFactory(IDbContextFactory<PostgresPortalDbContext> postgres) : IDbContextFactory<PortalDbContext>
{
    public PortalDbContext CreateDbContext() => postgres.CreateDbContext();

    public async Task<PortalDbContext> CreateDbContextAsync(CancellationToken cancellationToken = default) =>
        await postgres.CreateDbContextAsync(cancellationToken);
}
