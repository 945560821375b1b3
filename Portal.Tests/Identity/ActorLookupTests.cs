using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Features.Users;
using Portal.Identity;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Identity;

/// <summary>Who acts is read from the database at the moment of the action, not from the sign-in.</summary>
public sealed class ActorLookupTests(TestPortal portal) : IClassFixture<TestPortal>
{
    private ActorLookup Actors => portal.Get<ActorLookup>();

    private async Task<ClaimsPrincipal> SignedInAsync(PortalUser user)
    {
        await using var scope = portal.Services.CreateAsyncScope();
        var factory = scope.ServiceProvider.GetRequiredService<IUserClaimsPrincipalFactory<PortalUser>>();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        return await factory.CreateAsync((await users.FindByIdAsync(user.Id))!);
    }

    [Fact]
    public async Task A_role_removed_after_signing_in_is_gone_from_the_next_action()
    {
        var moderator = await portal.CreateUserAsync("still-signed-in@example.org", roles: Roles.Moderator);
        var principal = await SignedInAsync(moderator);
        Assert.Equal([Roles.Moderator], (await Actors.CurrentAsync(principal)).Roles);

        var removed = await portal.Get<UserAdmin>().RemoveRoleAsync(Actor.System, moderator.Id, Roles.Moderator);

        Assert.True(removed.Succeeded, removed.Message);
        Assert.True(principal.IsInRole(Roles.Moderator));
        var actor = await Actors.CurrentAsync(principal);
        Assert.Equal((moderator.Id, 0), (actor.UserId, actor.Roles.Count));
        Assert.Throws<UnauthorizedAccessException>(() => actor.Require(Roles.Moderation));
    }

    [Fact]
    public async Task A_role_granted_in_the_database_counts_only_for_a_sign_in_with_the_current_stamp()
    {
        var member = await portal.CreateUserAsync("quietly-promoted@example.org");
        var principal = await SignedInAsync(member);
        await using (var db = await portal.DbAsync())
        {
            db.UserRoles.Add(new IdentityUserRole<string> { UserId = member.Id, RoleId = Roles.Admin.ToLowerInvariant() });
            await db.SaveChangesAsync();
        }
        Assert.Equal([Roles.Admin], (await Actors.CurrentAsync(principal)).Roles);

        await using (var db = await portal.DbAsync())
        {
            await db.Users.Where(u => u.Id == member.Id).ExecuteUpdateAsync(u => u.SetProperty(x => x.SecurityStamp, "rotated elsewhere"));
        }

        Assert.Empty((await Actors.CurrentAsync(principal)).Roles);
    }

    [Fact]
    public async Task A_deactivated_account_acts_with_no_role()
    {
        var admin = await portal.CreateUserAsync("soon-deactivated@example.org", roles: Roles.Admin);
        var principal = await SignedInAsync(admin);
        await using (var db = await portal.DbAsync())
        {
            await db.Users.Where(u => u.Id == admin.Id).ExecuteUpdateAsync(u => u.SetProperty(x => x.DeactivatedAt, DateTime.UtcNow));
        }

        Assert.Empty((await Actors.CurrentAsync(principal)).Roles);
    }

    [Fact]
    public async Task An_admin_whose_role_was_removed_is_refused_the_results_file_with_the_cookie_they_still_hold()
    {
        var admin = await portal.CreateUserAsync("demoted-admin@example.org", roles: Roles.Admin);
        using var client = portal.CreateBrowserlikeClient();
        using (var signIn = await client.SignInAsync(admin.Email!, TestPortal.DefaultPassword))
        {
            Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        }
        using (var before = await client.GetAsync("/admin/invitations/bulk/987654/results.csv"))
        {
            Assert.Equal(HttpStatusCode.NotFound, before.StatusCode);
        }

        await portal.Get<UserAdmin>().RemoveRoleAsync(Actor.System, admin.Id, Roles.Admin);
        using var after = await client.GetAsync("/admin/invitations/bulk/987654/results.csv");

        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.Contains("/Identity/Account/AccessDenied", after.Headers.Location!.OriginalString);
        await using var db = await portal.DbAsync();
        var refusal = await db.AuditEntries.SingleAsync(e => e.Action == "access.refused" && e.ActorId == admin.Id);
        Assert.Equal("/admin/invitations/bulk/987654/results.csv", refusal.TargetId);
    }
}
