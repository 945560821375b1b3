using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Portal.Data;

/// <summary>
/// The portal's database. On SQLite it is this class; on PostgreSQL <see cref="PostgresPortalDbContext"/>,
/// which differs only in the migrations it owns (each provider has its own set).
/// </summary>
public class PortalDbContext : IdentityDbContext<PortalUser>
{
    public PortalDbContext(DbContextOptions<PortalDbContext> options) : base(options)
    {
    }

    protected PortalDbContext(DbContextOptions options) : base(options)
    {
    }

    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();

    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();

    public DbSet<Invitation> Invitations => Set<Invitation>();

    public DbSet<RetiredInvitationToken> RetiredInvitationTokens => Set<RetiredInvitationToken>();

    public DbSet<OptOutEntry> OptOutEntries => Set<OptOutEntry>();

    public DbSet<MailSuppression> MailSuppressions => Set<MailSuppression>();

    public DbSet<BulkJob> BulkJobs => Set<BulkJob>();

    public DbSet<BulkJobRow> BulkJobRows => Set<BulkJobRow>();

    public DbSet<SignUp> SignUps => Set<SignUp>();

    public DbSet<ActivationKey> ActivationKeys => Set<ActivationKey>();

    public DbSet<SiteSetting> SiteSettings => Set<SiteSetting>();

    public DbSet<MemberProfile> MemberProfiles => Set<MemberProfile>();

    public DbSet<DeferredChange> DeferredChanges => Set<DeferredChange>();

    public DbSet<ChangeSend> ChangeSends => Set<ChangeSend>();

    public DbSet<SmsMessage> SmsMessages => Set<SmsMessage>();

    public DbSet<Letter> Letters => Set<Letter>();

    public DbSet<BankTransfer> BankTransfers => Set<BankTransfer>();

    public DbSet<WebhookEndpoint> WebhookEndpoints => Set<WebhookEndpoint>();

    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();

    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();

    public DbSet<ApiIdempotencyKey> ApiIdempotencyKeys => Set<ApiIdempotencyKey>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(PortalDbContext).Assembly);

        builder.Entity<PortalUser>(user =>
        {
            // One account per address, enforced by the database too (Identity only checks in code).
            user.HasIndex(u => u.NormalizedEmail).HasDatabaseName("EmailIndex").IsUnique();
            user.HasIndex(u => u.CreatedAt);
            user.Property(u => u.Language).HasMaxLength(LanguageCode.MaxLength);
            user.Ignore(u => u.Status);
        });

        // The roles exist in every database from its first migration.
        builder.Entity<IdentityRole>().HasData(
            Portal.Identity.Roles.All.Select(name => new IdentityRole(name)
            {
                Id = name.ToLowerInvariant(),
                NormalizedName = name.ToUpperInvariant(),
                ConcurrencyStamp = name.ToLowerInvariant(),
            }));
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configuration)
    {
        // Every timestamp is UTC; SQLite returns them without a kind, so say so on the way back.
        configuration.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configuration.Properties<DateTime?>().HaveConversion<UtcDateTimeConverter>();
    }
}

internal sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
    v => v.Kind == DateTimeKind.Utc ? v : v.ToUniversalTime(),
    v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
