using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Features.Audit;
using Portal.Features.Registration;
using Portal.Identity;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Features.Registration;

public sealed class PendingActivationsTests : IAsyncLifetime
{
    private static readonly Actor Admin = new("admin-id", "Grace Admin", new HashSet<string> { Roles.Admin });

    private readonly TestClock _clock = new();
    private readonly TestPortal _portal;

    public PendingActivationsTests()
    {
        _portal = TestPortal.WithServices(services => services.AddSingleton<TimeProvider>(_clock));
    }

    private DateTime Now => _clock.Now.UtcDateTime;

    private PendingActivations Pending => _portal.Get<PendingActivations>();

    private async Task<IReadOnlyList<PendingActivationRow>> ListAsync(PendingActivationFilter filter = PendingActivationFilter.All, string? search = null) =>
        (await Pending.ListAsync(Admin, new PendingActivationQuery(search, filter), new PageRequest())).Items;

    private async Task<PortalUser> UserAsync(string id)
    {
        await using var db = await _portal.DbAsync();
        return await db.Users.AsNoTracking().SingleAsync(u => u.Id == id);
    }

    private async Task<SignUp> ApplicationAsync(string email)
    {
        await using var db = await _portal.DbAsync();
        return await db.SignUps.AsNoTracking().SingleAsync(s => s.Email == email);
    }

    [Fact]
    public async Task The_list_shows_accounts_awaiting_activation_with_their_link_expiry_and_filters_by_it()
    {
        var (fresh, _) = await _portal.SeedSignUpAsync("fresh@example.org", SignUpStatus.AwaitingActivation, Now.AddDays(-1), Now.AddDays(6));
        var (lastSecond, _) = await _portal.SeedSignUpAsync("last-second@example.org", SignUpStatus.AwaitingActivation, Now.AddDays(-7).AddSeconds(1), Now.AddSeconds(1));
        var (expired, _) = await _portal.SeedSignUpAsync("expired@example.org", SignUpStatus.AwaitingActivation, Now.AddDays(-9), Now.AddDays(-2));
        var (deactivated, _) = await _portal.SeedSignUpAsync("deactivated@example.org", SignUpStatus.AwaitingActivation, Now.AddDays(-9), Now.AddDays(-2));
        await _portal.CreateUserAsync("active@example.org");
        await using (var db = await _portal.DbAsync())
        {
            await db.Users.Where(u => u.Id == deactivated.Id).ExecuteUpdateAsync(s => s.SetProperty(u => u.DeactivatedAt, Now));
            await db.SignUps.Where(s => s.UserId == fresh.Id).ExecuteUpdateAsync(s => s.SetProperty(a => a.Resends, 2));
        }

        var all = await ListAsync();

        Assert.Equal([fresh.Id, lastSecond.Id, expired.Id], all.Select(r => r.UserId));
        var row = all[0];
        Assert.Equal(("fresh@example.org", fresh.UserName, Now.AddDays(-1), Now.AddDays(6), false, 2),
            (row.Email, row.UserName, row.RegisteredAt, row.ExpiresAt, row.Expired, row.Resends));
        Assert.Equal((Now.AddDays(-2), true, 0), (all[2].ExpiresAt, all[2].Expired, all[2].Resends));
        Assert.Equal([expired.Id], (await ListAsync(PendingActivationFilter.Expired)).Select(r => r.UserId));
        Assert.Equal([fresh.Id, lastSecond.Id], (await ListAsync(PendingActivationFilter.NotExpired)).Select(r => r.UserId));
        Assert.Equal([lastSecond.Id], (await ListAsync(search: "last-sec")).Select(r => r.UserId));

        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True((await ListAsync()).Single(r => r.UserId == lastSecond.Id).Expired);
        Assert.Equal([lastSecond.Id, expired.Id], (await ListAsync(PendingActivationFilter.Expired)).Select(r => r.UserId));

        var sorted = await Pending.ListAsync(Admin, new PendingActivationQuery(), new PageRequest(Take: 2, SortBy: nameof(PendingActivationRow.ExpiresAt)));
        Assert.Equal(3, sorted.Total);
        Assert.Equal([expired.Id, lastSecond.Id], sorted.Items.Select(r => r.UserId));
    }

    [Fact]
    public async Task Resending_revokes_the_old_link_and_mails_a_new_one()
    {
        var (user, _) = await _portal.SeedSignUpAsync("again@example.org", SignUpStatus.AwaitingActivation, Now.AddDays(-8), Now.AddDays(-1));

        var first = await Pending.ResendAsync(Admin, [user.Id]);
        var firstMail = await _portal.Mail.DeliveredAsync("again@example.org", "Activate your");
        _clock.Advance(TimeSpan.FromMinutes(5));
        await Pending.ResendAsync(Admin, [user.Id]);
        var secondMail = (await _portal.Mail.DeliveredToAsync("again@example.org"))[1];

        Assert.Equal(new BulkResult(1, 0), first);
        var firstLink = firstMail.LinkContaining("/activate/");
        var secondLink = secondMail.LinkContaining("/activate/");
        Assert.StartsWith(_portal.PublicBaseUrl + "activate/", secondLink);
        Assert.NotEqual(firstLink, secondLink);
        await using var db = await _portal.DbAsync();
        var keys = await db.ActivationKeys.Where(k => k.UserId == user.Id).ToListAsync();
        var live = Assert.Single(keys, k => k.RevokedAt is null);
        Assert.Equal(Secrets.Hash(secondLink[(secondLink.LastIndexOf('/') + 1)..]), live.KeyHash);
        Assert.Equal(Now.AddDays(7), live.ExpiresAt);
        Assert.Equal(3, keys.Count);
        Assert.Equal(2, (await ApplicationAsync("again@example.org")).Resends);
        Assert.Equal(2, await db.AuditEntries.CountAsync(e => e.Action == "registration.resent" && e.TargetId == user.Id && e.ActorName == "Grace Admin"));
        Assert.False((await ListAsync(PendingActivationFilter.All)).Single().Expired);
    }

    [Fact]
    public async Task Activating_by_hand_lets_the_person_sign_in_and_is_audited()
    {
        var (user, _) = await _portal.SeedSignUpAsync("manual@example.org", SignUpStatus.AwaitingActivation, Now.AddDays(-8), Now.AddDays(-1));
        using var client = _portal.CreateBrowserlikeClient();
        using var before = await client.SignInAsync("manual@example.org", TestPortal.DefaultPassword);

        var result = await Pending.ActivateAsync(Admin, [user.Id]);

        Assert.Equal(new BulkResult(1, 0), result);
        Assert.Contains("Invalid login attempt.", await before.Content.ReadAsStringAsync());
        using var after = await client.SignInAsync("manual@example.org", TestPortal.DefaultPassword);
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        var activated = await UserAsync(user.Id);
        Assert.Equal((AccountStatus.Active, Now, true), (activated.Status, activated.ActivatedAt, activated.EmailConfirmed));
        Assert.Equal((SignUpStatus.Active, Now), ((await ApplicationAsync("manual@example.org")).Status, (await ApplicationAsync("manual@example.org")).ConfirmedAt));
        await using var db = await _portal.DbAsync();
        var entry = await db.AuditEntries.SingleAsync(e => e.Action == "registration.activated");
        Assert.Equal((user.Id, "activated by admin", "Grace Admin"), (entry.TargetId, entry.Details, entry.ActorName));
        Assert.Empty(await ListAsync());
    }

    [Fact]
    public async Task Deleting_removes_the_account_and_keeps_the_application_marked_deleted()
    {
        var (user, _) = await _portal.SeedSignUpAsync("gone@example.org", SignUpStatus.AwaitingActivation, Now.AddDays(-3), Now.AddDays(4));

        var result = await Pending.DeleteAsync(Admin, [user.Id]);

        Assert.Equal(new BulkResult(1, 0), result);
        await using var db = await _portal.DbAsync();
        Assert.False(await db.Users.AnyAsync(u => u.Id == user.Id));
        Assert.False(await db.ActivationKeys.AnyAsync(k => k.UserId == user.Id));
        var application = await ApplicationAsync("gone@example.org");
        Assert.Equal((SignUpStatus.Deleted, null, Now, "admin-id", "Grace Admin"),
            (application.Status, application.UserId, application.DecidedAt, application.DecidedById, application.DecidedByName));
        var entry = await db.AuditEntries.SingleAsync(e => e.Action == "registration.deleted");
        Assert.Equal((user.Id, "g•••@example.org"), (entry.TargetId, entry.TargetName));
        Assert.Contains($"registered {Now.AddDays(-3):yyyy-MM-dd}", entry.Details);
        Assert.DoesNotContain("gone@example.org", entry.Details);
    }

    [Fact]
    public async Task Bulk_actions_handle_many_accounts_and_skip_those_that_no_longer_qualify()
    {
        var (one, _) = await _portal.SeedSignUpAsync("one@example.org", SignUpStatus.AwaitingActivation);
        var (two, _) = await _portal.SeedSignUpAsync("two@example.org", SignUpStatus.AwaitingActivation);
        var member = await _portal.CreateUserAsync("member@example.org");
        var (deactivated, _) = await _portal.SeedSignUpAsync("benched@example.org", SignUpStatus.AwaitingActivation);
        await using (var db = await _portal.DbAsync())
        {
            await db.Users.Where(u => u.Id == deactivated.Id).ExecuteUpdateAsync(s => s.SetProperty(u => u.DeactivatedAt, Now));
        }

        var resent = await Pending.ResendAsync(Admin, [one.Id, two.Id, member.Id]);
        var deleted = await Pending.DeleteAsync(Admin, [one.Id, two.Id, member.Id, deactivated.Id, "no-such-account"]);
        var activated = await Pending.ActivateAsync(Admin, [one.Id, two.Id]);

        Assert.Equal(new BulkResult(2, 1), resent);
        Assert.Equal(new BulkResult(2, 3), deleted);
        Assert.Equal(new BulkResult(0, 2), activated);
        await using var check = await _portal.DbAsync();
        Assert.Equal(new[] { member.Id, deactivated.Id }.Order(), (await check.Users.Where(u => u.Id == member.Id || u.Id == deactivated.Id || u.Id == one.Id || u.Id == two.Id)
            .Select(u => u.Id).ToListAsync()).Order());
        Assert.Equal(2, await check.AuditEntries.CountAsync(e => e.Action == "registration.deleted"));
        Assert.Empty(await _portal.AuditAsync(AuditActions.RegistrationActivated));
    }

    [Fact]
    public async Task Only_admins_may_see_or_act_on_pending_accounts()
    {
        var (user, _) = await _portal.SeedSignUpAsync("safe@example.org", SignUpStatus.AwaitingActivation);
        var moderator = new Actor("mod-id", "Mo", new HashSet<string> { Roles.Moderator });

        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => Pending.ListAsync(moderator, new PendingActivationQuery(), new PageRequest()));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => Pending.ResendAsync(moderator, [user.Id]));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => Pending.ActivateAsync(moderator, [user.Id]));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => Pending.DeleteAsync(Actor.Visitor, [user.Id]));
        Assert.Equal(AccountStatus.AwaitingActivation, (await UserAsync(user.Id)).Status);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _portal.DisposeAsync();
}
