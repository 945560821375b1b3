using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Portal.Data;
using Portal.Features.Registration;
using Portal.Identity;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Features.Registration;

public class RegistrationCleanupTests : IAsyncLifetime
{
    private readonly TestClock _clock = new();
    private readonly LogCapture _logs = new();
    private readonly TestPortal _portal;

    public RegistrationCleanupTests() : this(DatabaseProvider.Sqlite)
    {
    }

    protected RegistrationCleanupTests(DatabaseProvider database)
    {
        _portal = TestPortal.WithServices(services =>
        {
            services.AddSingleton<TimeProvider>(_clock);
            services.AddLogging(logging => logging.AddProvider(_logs).SetMinimumLevel(LogLevel.Trace));
        }, database);
        _portal.Settings["Logging:LogLevel:Default"] = "Trace";
    }

    private DateTime Now => _clock.Now.UtcDateTime;

    private RegistrationCleanup Cleanup => _portal.Get<RegistrationCleanup>();

    /// <summary>The cases of the cleanup matrix, by name: only "expired" may be deleted.</summary>
    private async Task<Dictionary<string, PortalUser>> SeedMatrixAsync()
    {
        var accounts = new Dictionary<string, PortalUser>
        {
            // (a) never activated, its only link expired three days ago.
            ["expired"] = (await _portal.SeedSignUpAsync("expired@example.org", SignUpStatus.AwaitingActivation, Now.AddDays(-10), Now.AddDays(-3))).User,
            // (b) its link still works for one more second.
            ["pending"] = (await _portal.SeedSignUpAsync("pending@example.org", SignUpStatus.AwaitingActivation, Now.AddDays(-7).AddSeconds(1), Now.AddSeconds(1))).User,
            // (c) activated once, later deactivated by an admin; the old link expired long ago.
            ["once-active"] = (await _portal.SeedSignUpAsync("once-active@example.org", SignUpStatus.AwaitingActivation, Now.AddDays(-40), Now.AddDays(-33))).User,
            // (d) never activated, deactivated by an admin.
            ["deactivated"] = (await _portal.SeedSignUpAsync("deactivated@example.org", SignUpStatus.AwaitingActivation, Now.AddDays(-10), Now.AddDays(-3))).User,
            // (e) invited, the invitation pending.
            ["invited"] = await _portal.CreateUserAsync("invited@example.org", password: null, state: AccountState.Invited, emailConfirmed: false),
            // (e) signed up and expired, but invited meanwhile: the invitation names the address, or the account.
            ["invited-address"] = (await _portal.SeedSignUpAsync("Invited-Address@example.org", SignUpStatus.AwaitingActivation, Now.AddDays(-10), Now.AddDays(-3))).User,
            ["invited-account"] = (await _portal.SeedSignUpAsync("invited-account@example.org", SignUpStatus.AwaitingActivation, Now.AddDays(-10), Now.AddDays(-3))).User,
            // (f) address confirmed, waiting for a moderator.
            ["approval"] = (await _portal.SeedSignUpAsync("approval@example.org", SignUpStatus.AwaitingActivation, Now.AddDays(-10), Now.AddDays(-3))).User,
        };
        await using var db = await _portal.DbAsync();
        foreach (var account in accounts.Values)
        {
            db.Attach(account);
        }
        accounts["once-active"].State = AccountState.Active;
        accounts["once-active"].ActivatedAt = Now.AddDays(-39);
        accounts["once-active"].DeactivatedAt = Now.AddDays(-20);
        accounts["deactivated"].DeactivatedAt = Now.AddDays(-1);
        accounts["approval"].State = AccountState.AwaitingApproval;
        db.Invitations.Add(PendingInvitation("invited@example.org", accounts["invited"].Id));
        db.Invitations.Add(PendingInvitation("invited-address@example.org", userId: null));
        db.Invitations.Add(PendingInvitation("invited-account@example.org", accounts["invited-account"].Id));
        await db.SaveChangesAsync();
        return accounts;
    }

    private Invitation PendingInvitation(string key, string? userId) => new()
    {
        Email = key, EmailKey = key, UserId = userId, InviterName = "Grace Admin", TokenHash = Secrets.NewToken().Hash,
        Status = InvitationStatus.Pending, CreatedAt = Now.AddDays(-30), LastSentAt = Now.AddDays(-30), SendCount = 1,
        // Past its date but never revoked: still pending, so the cleanup keeps its hands off.
        ExpiresAt = Now.AddDays(-16),
    };

    private async Task<HashSet<string>> RemainingAsync(IEnumerable<PortalUser> accounts)
    {
        var ids = accounts.Select(a => a.Id).ToList();
        await using var db = await _portal.DbAsync();
        return [.. await db.Users.Where(u => ids.Contains(u.Id)).Select(u => u.Id).ToListAsync()];
    }

    [DatabaseFact]
    public async Task Only_the_never_activated_account_whose_link_expired_is_deleted()
    {
        var accounts = await SeedMatrixAsync();

        var report = await Cleanup.RunAsync(Actor.System, dryRun: false);

        var remaining = await RemainingAsync(accounts.Values);
        Assert.Equal(
            accounts.Where(a => a.Key != "expired").Select(a => a.Value.Id).Order(),
            remaining.Order());
        Assert.Equal(1, report.AccountCount);
        var deleted = Assert.Single(report.Accounts);
        Assert.Equal((accounts["expired"].Id, "e•••@example.org", Now.AddDays(-10)), (deleted.UserId, deleted.MaskedEmail, deleted.RegisteredAt));
        Assert.Contains($"expired on {Now.AddDays(-3):yyyy-MM-dd}", deleted.Reason);

        await using var db = await _portal.DbAsync();
        var application = await db.SignUps.SingleAsync(s => s.Email == "expired@example.org");
        Assert.Equal((SignUpStatus.Expired, null, Now), (application.Status, application.UserId, application.DecidedAt));
        Assert.Contains("never activated", application.Reason);
        Assert.False(await db.ActivationKeys.AnyAsync(k => k.UserId == accounts["expired"].Id));
        Assert.Equal(SignUpStatus.AwaitingActivation, (await db.SignUps.SingleAsync(s => s.Email == "pending@example.org")).Status);
    }

    [DatabaseFact]
    public async Task Every_deleted_account_gets_an_audit_entry_with_a_masked_address_and_why()
    {
        var accounts = await SeedMatrixAsync();
        await _portal.SeedSignUpAsync("zoe@example.org", SignUpStatus.AwaitingActivation, Now.AddDays(-20), Now.AddDays(-13));

        await Cleanup.RunAsync(Actor.System, dryRun: false);

        await using var db = await _portal.DbAsync();
        var entries = await db.AuditEntries.Where(e => e.Action == "registration.expired").OrderBy(e => e.TargetName).ToListAsync();
        Assert.Equal(["e•••@example.org", "z•••@example.org"], entries.Select(e => e.TargetName));
        Assert.Equal(accounts["expired"].Id, entries[0].TargetId);
        Assert.Equal($"registered {Now.AddDays(-10):yyyy-MM-dd}; never activated; the activation link expired on {Now.AddDays(-3):yyyy-MM-dd}", entries[0].Details);
        Assert.All(entries, e => Assert.Equal("system", e.ActorName));
        Assert.DoesNotContain(await db.AuditEntries.Select(e => e.TargetName + " " + e.Details).ToListAsync(), text => text.Contains("expired@example.org") || text.Contains("zoe@"));
    }

    [DatabaseFact]
    public async Task A_dry_run_lists_the_same_accounts_and_changes_nothing()
    {
        var accounts = await SeedMatrixAsync();
        int keys;
        await using (var db = await _portal.DbAsync())
        {
            db.ActivationKeys.Add(Spent(accounts["once-active"].Id, Now.AddDays(-31)));
            await db.SaveChangesAsync();
            keys = await db.ActivationKeys.CountAsync();
        }

        var preview = await Cleanup.PreviewAsync(InvitationPortal.Admin);
        var dryRun = await Cleanup.RunAsync(Actor.System, dryRun: true);

        Assert.Equal((true, 1, 1), (preview.DryRun, preview.AccountCount, preview.KeyCount));
        Assert.Equal(accounts["expired"].Id, Assert.Single(preview.Accounts).UserId);
        Assert.Equal(preview.Accounts, dryRun.Accounts);
        Assert.Equal(accounts.Count, (await RemainingAsync(accounts.Values)).Count);
        await using (var db = await _portal.DbAsync())
        {
            Assert.Equal(SignUpStatus.AwaitingActivation, (await db.SignUps.SingleAsync(s => s.Email == "expired@example.org")).Status);
            Assert.False(await db.AuditEntries.AnyAsync(e => e.Action == "registration.expired"));
            Assert.Equal(keys, await db.ActivationKeys.CountAsync());
        }

        var run = await Cleanup.RunAsync(Actor.System, dryRun: false);
        Assert.Equal((false, preview.AccountCount, preview.KeyCount), (run.DryRun, run.AccountCount, run.KeyCount));
        Assert.Equal(preview.Accounts, run.Accounts);
    }

    [DatabaseFact]
    public async Task A_link_valid_one_more_second_keeps_the_account_and_at_its_expiry_it_goes()
    {
        var (user, _) = await _portal.SeedSignUpAsync("boundary@example.org", SignUpStatus.AwaitingActivation, Now.AddDays(-7).AddSeconds(1), Now.AddSeconds(1));

        var before = await Cleanup.RunAsync(Actor.System, dryRun: false);
        _clock.Advance(TimeSpan.FromSeconds(1));
        var after = await Cleanup.RunAsync(Actor.System, dryRun: false);

        Assert.Equal(0, before.AccountCount);
        Assert.Equal(user.Id, Assert.Single(after.Accounts).UserId);
        Assert.Empty(await RemainingAsync([user]));
    }

    [DatabaseFact]
    public async Task An_account_whose_older_link_expired_but_whose_resent_link_is_live_is_kept()
    {
        var (user, _) = await _portal.SeedSignUpAsync("resent@example.org", SignUpStatus.AwaitingActivation, Now.AddDays(-10), Now.AddDays(-3));
        await using (var db = await _portal.DbAsync())
        {
            await db.ActivationKeys.Where(k => k.UserId == user.Id).ExecuteUpdateAsync(s => s.SetProperty(k => k.RevokedAt, Now.AddDays(-1)));
            db.ActivationKeys.Add(SignUpSeed.NewKey(user.Id, Now.AddDays(-1), Now.AddDays(6)));
            await db.SaveChangesAsync();
        }

        var report = await Cleanup.RunAsync(Actor.System, dryRun: false);

        Assert.Equal(0, report.AccountCount);
        Assert.Single(await RemainingAsync([user]));
    }

    [DatabaseFact]
    public async Task Spent_and_replaced_keys_older_than_the_retention_are_removed_and_younger_ones_kept()
    {
        var member = await _portal.CreateUserAsync("member@example.org");
        var (pending, _) = await _portal.SeedSignUpAsync("waiting@example.org", SignUpStatus.AwaitingActivation, Now.AddDays(-1), Now.AddDays(6));
        var oldSpent = Spent(member.Id, Now.AddDays(-30).AddSeconds(-1));
        var youngSpent = Spent(member.Id, Now.AddDays(-30).AddSeconds(1));
        var oldRevoked = SignUpSeed.NewKey(pending.Id, Now.AddDays(-40), Now.AddDays(-33));
        oldRevoked.RevokedAt = Now.AddDays(-31);
        var youngRevoked = SignUpSeed.NewKey(pending.Id, Now.AddDays(-20), Now.AddDays(-13));
        youngRevoked.RevokedAt = Now.AddDays(-2);
        await using (var db = await _portal.DbAsync())
        {
            db.ActivationKeys.AddRange(oldSpent, youngSpent, oldRevoked, youngRevoked);
            await db.SaveChangesAsync();
        }

        var report = await Cleanup.RunAsync(Actor.System, dryRun: false);

        Assert.Equal((0, 2), (report.AccountCount, report.KeyCount));
        await using var check = await _portal.DbAsync();
        var left = await check.ActivationKeys.Select(k => k.Id).ToListAsync();
        Assert.DoesNotContain(oldSpent.Id, left);
        Assert.DoesNotContain(oldRevoked.Id, left);
        Assert.Contains(youngSpent.Id, left);
        Assert.Contains(youngRevoked.Id, left);
        Assert.Equal(3, left.Count);
    }

    [DatabaseFact]
    public async Task A_backlog_larger_than_a_batch_is_cleaned_in_full_and_listed_up_to_the_limit()
    {
        const int backlog = 2100;
        var member = await _portal.CreateUserAsync("keeper@example.org");
        var (keeper, _) = await _portal.SeedSignUpAsync("keeper.pending@example.org", SignUpStatus.AwaitingActivation);
        await using (var db = await _portal.DbAsync())
        {
            for (var n = 0; n < backlog; n++)
            {
                var user = new PortalUser
                {
                    UserName = $"backlog{n}", NormalizedUserName = $"BACKLOG{n}", Email = $"backlog{n}@example.org",
                    NormalizedEmail = $"BACKLOG{n}@EXAMPLE.ORG", State = AccountState.AwaitingActivation, CreatedAt = Now.AddDays(-10),
                };
                db.Users.Add(user);
                db.ActivationKeys.Add(SignUpSeed.NewKey(user.Id, Now.AddDays(-10), Now.AddDays(-3)));
                db.ActivationKeys.Add(Spent(member.Id, Now.AddDays(-40)));
            }
            await db.SaveChangesAsync();
        }

        var preview = await Cleanup.PreviewAsync(InvitationPortal.Admin);
        var run = await Cleanup.RunAsync(Actor.System, dryRun: false);

        Assert.Equal((backlog, backlog, RegistrationCleanup.ListLimit), (preview.AccountCount, preview.KeyCount, preview.Accounts.Count));
        Assert.Equal((backlog, backlog), (run.AccountCount, run.KeyCount));
        await using var check = await _portal.DbAsync();
        Assert.False(await check.Users.AnyAsync(u => u.Email!.StartsWith("backlog")));
        Assert.True(await check.Users.AnyAsync(u => u.Id == keeper.Id));
        Assert.Equal(backlog, await check.AuditEntries.CountAsync(e => e.Action == "registration.expired"));
        Assert.Equal(1, await check.ActivationKeys.CountAsync());
    }

    [DatabaseFact]
    public async Task The_daily_job_deletes_and_logs_counts_without_addresses()
    {
        var (user, _) = await _portal.SeedSignUpAsync("logged@example.org", SignUpStatus.AwaitingActivation, Now.AddDays(-10), Now.AddDays(-3));
        var job = _portal.Services.GetServices<IHostedService>().OfType<RegistrationCleanupJob>().Single();

        await job.RunOnceAsync(CancellationToken.None);

        Assert.Empty(await RemainingAsync([user]));
        Assert.Contains(_logs.Lines, l => l.Contains("Registration cleanup deleted 1 never-activated accounts and 0 old activation keys"));
        Assert.DoesNotContain(_logs.Lines, l => l.Contains("logged@example.org", StringComparison.OrdinalIgnoreCase));
    }

    [DatabaseFact]
    public async Task Cleanup_needs_an_admin()
    {
        var moderator = new Actor("m", "Mo", new HashSet<string> { Roles.Moderator });

        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => Cleanup.PreviewAsync(moderator));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => Cleanup.RunAsync(moderator, dryRun: false));
    }

    private ActivationKey Spent(string userId, DateTime spentAt)
    {
        var key = SignUpSeed.NewKey(userId, spentAt.AddDays(-1), spentAt.AddDays(6));
        key.SpentAt = spentAt;
        return key;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _portal.DisposeAsync();
}

public sealed class RegistrationCleanupOnPostgresTests() : RegistrationCleanupTests(DatabaseProvider.Postgres), IPostgresVariant;
