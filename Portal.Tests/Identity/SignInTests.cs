using System.Net;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Identity;

public sealed class SignInTests(TestPortal portal) : IClassFixture<TestPortal>
{
    [Fact]
    public async Task An_active_account_signs_in_with_its_address_in_any_spelling()
    {
        await portal.CreateUserAsync("grace@example.org");
        using var client = portal.CreateBrowserlikeClient();

        using var response = await client.SignInAsync("  Grace@EXAMPLE.org", TestPortal.DefaultPassword);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("portal.auth=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Signing_in_records_the_time()
    {
        var user = await portal.CreateUserAsync("lasttime@example.org");
        using var client = portal.CreateBrowserlikeClient();

        using var _ = await client.SignInAsync("lasttime@example.org", TestPortal.DefaultPassword);

        await using var db = await portal.DbAsync();
        Assert.NotNull((await db.Users.FindAsync(user.Id))!.LastSignInAt);
    }

    [Theory]
    [InlineData(AccountState.Invited, true, false)]
    [InlineData(AccountState.AwaitingActivation, true, false)]
    [InlineData(AccountState.Active, false, false)]
    [InlineData(AccountState.Active, true, true)]
    public async Task An_account_that_may_not_sign_in_looks_like_a_wrong_password(AccountState state, bool confirmed, bool deactivated)
    {
        var email = $"refused-{Guid.NewGuid():N}@example.org";
        var user = await portal.CreateUserAsync(email, state: state, emailConfirmed: confirmed);
        if (deactivated)
        {
            await using var db = await portal.DbAsync();
            db.Attach(user);
            user.DeactivatedAt = DateTime.UtcNow;
            await db.SaveChangesAsync();
        }
        using var client = portal.CreateBrowserlikeClient();

        using var refused = await client.SignInAsync(email, TestPortal.DefaultPassword);
        using var wrong = await client.SignInAsync("nobody-at-all@example.org", "not the password");

        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains("Invalid login attempt.", await refused.Content.ReadAsStringAsync());
        Assert.Contains("Invalid login attempt.", await wrong.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Five_wrong_passwords_lock_the_account_and_the_lock_reads_like_a_wrong_password()
    {
        var user = await portal.CreateUserAsync("locked@example.org");
        using var client = portal.CreateBrowserlikeClient();

        for (var i = 0; i < 5; i++)
        {
            using var wrong = await client.SignInAsync("locked@example.org", "wrong password " + i);
            Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
            Assert.Contains("Invalid login attempt.", await wrong.Content.ReadAsStringAsync());
        }
        using var response = await client.SignInAsync("locked@example.org", TestPortal.DefaultPassword);
        using var nobody = await client.SignInAsync("nobody-here@example.org", TestPortal.DefaultPassword);

        // The right password is refused now, and in the words a missing account gets: no lockout page.
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (response.StatusCode, nobody.StatusCode));
        Assert.Contains("Invalid login attempt.", await response.Content.ReadAsStringAsync());
        Assert.Contains("Invalid login attempt.", await nobody.Content.ReadAsStringAsync());
        Assert.False(response.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("portal.auth=", StringComparison.Ordinal)));
        await using var db = await portal.DbAsync();
        Assert.True((await db.Users.SingleAsync(u => u.Id == user.Id)).LockoutEnd > DateTimeOffset.UtcNow);
    }

    [Fact]
    public async Task Admin_pages_send_an_anonymous_visitor_to_sign_in()
    {
        using var client = portal.CreateBrowserlikeClient();

        using var response = await client.GetAsync("/admin/users");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("http://localhost/Identity/Account/Login?ReturnUrl=%2Fadmin%2Fusers", response.Headers.Location!.ToString());
    }

    [Fact]
    public async Task Admin_pages_refuse_a_member_without_the_role()
    {
        await portal.CreateUserAsync("member@example.org");
        using var client = portal.CreateBrowserlikeClient();
        using var _ = await client.SignInAsync("member@example.org", TestPortal.DefaultPassword);

        using var response = await client.GetAsync("/admin");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("AccessDenied", response.Headers.Location!.ToString());
    }

    [Fact]
    public async Task An_admin_opens_the_dashboard()
    {
        await portal.CreateUserAsync("boss@example.org", roles: Portal.Identity.Roles.Admin);
        using var client = portal.CreateBrowserlikeClient();
        using var _ = await client.SignInAsync("boss@example.org", TestPortal.DefaultPassword);

        var page = await client.GetPageAsync("/admin");

        Assert.Equal("Dashboard", page.QuerySelector("h1")!.TextContent);
    }
}
