using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Features.Audit;
using Portal.Features.Users;
using Portal.Identity;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Features.Users;

public sealed class UserAdminTests(TestPortal portal) : IClassFixture<TestPortal>
{
    private UserAdmin Admin => portal.Get<UserAdmin>();

    private async Task<(PortalUser User, Actor Actor)> AdminAsync()
    {
        var user = await portal.CreateUserAsync($"admin-{Guid.NewGuid():N}@example.org", roles: Roles.Admin);
        return (user, new Actor(user.Id, user.UserName!, new HashSet<string> { Roles.Admin }));
    }

    [Fact]
    public async Task Deactivating_blocks_sign_in_and_voids_links_already_sent()
    {
        var (_, actor) = await AdminAsync();
        var target = await portal.CreateUserAsync("deact@example.org");
        string resetToken;
        await using (var scope = portal.Services.CreateAsyncScope())
        {
            resetToken = await scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>().GeneratePasswordResetTokenAsync(target);
        }

        var result = await Admin.DeactivateAsync(actor, target.Id);

        Assert.True(result.Succeeded, result.Message);
        await using var check = portal.Services.CreateAsyncScope();
        var users = check.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var signIn = check.ServiceProvider.GetRequiredService<SignInManager<PortalUser>>();
        var reloaded = (await users.FindByIdAsync(target.Id))!;
        Assert.Equal(AccountStatus.Deactivated, reloaded.Status);
        Assert.NotEqual(target.SecurityStamp, reloaded.SecurityStamp);
        Assert.False(await signIn.CanSignInAsync(reloaded));
        Assert.False((await users.ResetPasswordAsync(reloaded, resetToken, "a completely new passphrase")).Succeeded);
    }

    [Fact]
    public async Task Reactivating_restores_the_previous_state_but_not_old_links()
    {
        var (_, actor) = await AdminAsync();
        var target = await portal.CreateUserAsync("react@example.org", state: AccountState.Invited, password: null);
        await Admin.DeactivateAsync(actor, target.Id);

        var result = await Admin.ReactivateAsync(actor, target.Id);

        Assert.True(result.Succeeded);
        await using var db = await portal.DbAsync();
        var reloaded = await db.Users.SingleAsync(u => u.Id == target.Id);
        Assert.Equal(AccountStatus.Invited, reloaded.Status);
        Assert.NotEqual(target.SecurityStamp, reloaded.SecurityStamp);
    }

    [Fact]
    public async Task An_admin_cannot_deactivate_themself_or_drop_their_own_admin_role()
    {
        var (self, actor) = await AdminAsync();

        var deactivate = await Admin.DeactivateAsync(actor, self.Id);
        var drop = await Admin.RemoveRoleAsync(actor, self.Id, Roles.Admin);

        Assert.False(deactivate.Succeeded);
        Assert.Contains("your own account", deactivate.Message);
        Assert.False(drop.Succeeded);
        Assert.Contains("your own Admin role", drop.Message);
    }

    [Fact]
    public async Task Roles_are_granted_and_removed_and_every_change_is_audited()
    {
        var (_, actor) = await AdminAsync();
        var target = await portal.CreateUserAsync("roles@example.org");

        var granted = await Admin.GrantRoleAsync(actor, target.Id, Roles.Moderator);
        var again = await Admin.GrantRoleAsync(actor, target.Id, Roles.Moderator);
        var bogus = await Admin.GrantRoleAsync(actor, target.Id, "Overlord");
        var page = await Admin.SearchAsync(actor, new UserQuery(Search: "roles@example.org"), new PageRequest());
        var removed = await Admin.RemoveRoleAsync(actor, target.Id, Roles.Moderator);

        Assert.True(granted.Succeeded);
        Assert.False(again.Succeeded);
        Assert.False(bogus.Succeeded);
        Assert.Equal([Roles.Moderator], Assert.Single(page.Items).Roles);
        Assert.True(removed.Succeeded);
        var audit = await portal.Get<AuditLog>().SearchAsync(actor, new AuditQuery(Search: target.Id), new PageRequest());
        Assert.Equal(["user.role-removed", "user.role-granted"], audit.Items.Select(e => e.Action));
        Assert.All(audit.Items, e => Assert.Equal(actor.Name, e.ActorName));
        Assert.All(audit.Items, e => Assert.Equal("roles@example.org", e.TargetName));
    }

    [Fact]
    public async Task Accounts_are_listed_by_status_and_role()
    {
        var (_, actor) = await AdminAsync();
        var tag = Guid.NewGuid().ToString("N")[..8];
        await portal.CreateUserAsync($"inv-{tag}@example.org", password: null, state: AccountState.Invited);
        await portal.CreateUserAsync($"wait-{tag}@example.org", state: AccountState.AwaitingActivation, emailConfirmed: false);
        await portal.CreateUserAsync($"act-{tag}@example.org", roles: Roles.Moderator);

        var invited = await Admin.SearchAsync(actor, new UserQuery(tag, AccountStatus.Invited), new PageRequest());
        var waiting = await Admin.SearchAsync(actor, new UserQuery(tag, AccountStatus.AwaitingActivation), new PageRequest());
        var moderators = await Admin.SearchAsync(actor, new UserQuery(tag, Role: Roles.Moderator), new PageRequest());
        var all = await Admin.SearchAsync(actor, new UserQuery(tag), new PageRequest(SortBy: "Email"));

        Assert.Equal($"inv-{tag}@example.org", Assert.Single(invited.Items).Email);
        Assert.Equal($"wait-{tag}@example.org", Assert.Single(waiting.Items).Email);
        Assert.Equal($"act-{tag}@example.org", Assert.Single(moderators.Items).Email);
        Assert.Equal([$"act-{tag}@example.org", $"inv-{tag}@example.org", $"wait-{tag}@example.org"], all.Items.Select(u => u.Email));
    }

    [Fact]
    public async Task Counts_split_accounts_by_status()
    {
        var (_, actor) = await AdminAsync();
        var before = await Admin.CountsAsync(actor);
        var target = await portal.CreateUserAsync($"count-{Guid.NewGuid():N}@example.org");
        await Admin.DeactivateAsync(actor, target.Id);

        var after = await Admin.CountsAsync(actor);

        Assert.Equal(before.Accounts + 1, after.Accounts);
        Assert.Equal(before.Deactivated + 1, after.Deactivated);
        Assert.Equal(before.Active, after.Active);
    }

    [Fact]
    public async Task Only_admins_manage_accounts()
    {
        var target = await portal.CreateUserAsync($"safe-{Guid.NewGuid():N}@example.org");
        var moderator = new Actor("m", "mod", new HashSet<string> { Roles.Moderator });

        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => Admin.DeactivateAsync(moderator, target.Id));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => Admin.GrantRoleAsync(moderator, target.Id, Roles.Admin));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => Admin.SearchAsync(moderator, new UserQuery(), new PageRequest()));
    }
}
