using System.Net;
using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Identity;

public sealed class IdentityPagesTests(TestPortal portal) : IClassFixture<TestPortal>
{
    [Theory]
    [InlineData("/Identity/Account/Login")]
    [InlineData("/Identity/Account/ForgotPassword")]
    [InlineData("/Identity/Account/ResendEmailConfirmation")]
    public async Task Identity_pages_wear_the_portal_frame(string url)
    {
        using var client = portal.CreateBrowserlikeClient();

        var page = await client.GetPageAsync(url);

        Assert.NotNull(page.QuerySelector("header.portal-topbar .portal-brand img[src='img/logo.png']"));
        Assert.Equal("Portal", page.QuerySelector(".portal-brand span")!.TextContent);
        Assert.NotNull(page.QuerySelector("footer.portal-footer"));
        Assert.NotNull(page.QuerySelector("link[href*='css/portal.css']"));
        Assert.NotNull(page.QuerySelector("main .portal-card h1"));
    }

    [Fact]
    public async Task Identity_sign_up_leads_to_the_portal_sign_up_page()
    {
        using var client = portal.CreateBrowserlikeClient();

        using var response = await client.GetAsync("/Identity/Account/Register");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/register", response.Headers.Location!.OriginalString);
    }

    [Theory]
    [InlineData("/Identity/Account/ConfirmEmail")]
    [InlineData("/Identity/Account/ConfirmEmailChange")]
    public async Task A_confirmation_link_cut_short_leads_to_the_portal_confirmation_page_which_says_it_does_not_work(string path)
    {
        using var client = portal.CreateBrowserlikeClient();

        using var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/account/confirm-email", response.Headers.Location!.OriginalString);
        using var pressed = await client.SubmitFormAsync(response.Headers.Location.OriginalString, new Dictionary<string, string>());
        Assert.Equal("This link does not work", (await Forms.ParseAsync(pressed)).QuerySelector("h1")!.TextContent);
    }

    [Fact]
    public async Task Opening_identitys_confirmation_links_changes_nothing_they_lead_to_the_page_whose_button_confirms()
    {
        var user = await portal.CreateUserAsync("opened.link@example.org", emailConfirmed: false);
        string confirmCode, changeCode;
        await using (var scope = portal.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
            var stored = (await users.FindByIdAsync(user.Id))!;
            confirmCode = WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(await users.GenerateEmailConfirmationTokenAsync(stored)));
            changeCode = WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(await users.GenerateChangeEmailTokenAsync(stored, "moved.link@example.org")));
        }
        using var client = portal.CreateBrowserlikeClient();

        using var confirm = await client.GetAsync($"/Identity/Account/ConfirmEmail?userId={user.Id}&code={confirmCode}");
        using var change = await client.GetAsync($"/Identity/Account/ConfirmEmailChange?userId={user.Id}&email=moved.link%40example.org&code={changeCode}");

        Assert.Equal($"/account/confirm-email?userId={user.Id}&code={confirmCode}", confirm.Headers.Location!.OriginalString);
        Assert.Equal($"/account/confirm-email?userId={user.Id}&email=moved.link@example.org&code={changeCode}", change.Headers.Location!.OriginalString);
        Assert.Equal(("opened.link@example.org", false), await AddressOfAsync(user.Id));

        using var confirmed = await client.SubmitFormAsync(confirm.Headers.Location.OriginalString, new Dictionary<string, string>());
        Assert.Equal("Address confirmed", (await Forms.ParseAsync(confirmed)).QuerySelector("h1")!.TextContent);
        Assert.Equal(("opened.link@example.org", true), await AddressOfAsync(user.Id));
        using var changed = await client.SubmitFormAsync(change.Headers.Location.OriginalString, new Dictionary<string, string>());
        Assert.Equal("Address confirmed", (await Forms.ParseAsync(changed)).QuerySelector("h1")!.TextContent);
        Assert.Equal(("moved.link@example.org", true), await AddressOfAsync(user.Id));
    }

    [Fact]
    public async Task Identity_sign_up_confirmation_leads_to_the_start_page_whether_or_not_the_address_has_an_account()
    {
        await portal.CreateUserAsync("known.signup@example.org");
        using var client = portal.CreateBrowserlikeClient();

        using var known = await client.GetAsync("/Identity/Account/RegisterConfirmation?email=known.signup%40example.org");
        using var unknown = await client.GetAsync("/Identity/Account/RegisterConfirmation?email=unknown.signup%40example.org");

        Assert.Equal((HttpStatusCode.Redirect, HttpStatusCode.Redirect), (known.StatusCode, unknown.StatusCode));
        Assert.Equal(("/", "/"), (known.Headers.Location!.OriginalString, unknown.Headers.Location!.OriginalString));
    }

    [Fact]
    public async Task Pages_send_no_referrer_are_not_cached_and_load_only_from_the_site()
    {
        using var client = portal.CreateBrowserlikeClient();

        using var response = await client.GetAsync("/Identity/Account/ResetPassword?code=c2VjcmV0");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Contains("no-store", response.Headers.CacheControl!.ToString());
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("default-src 'self'", csp);
        Assert.Contains("script-src 'self';", csp);
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Fact]
    public async Task A_request_for_a_host_not_allowed_is_refused()
    {
        using var client = portal.CreateBrowserlikeClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/Identity/Account/Login");
        request.Headers.Host = "evil.example";

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Health_endpoint_reports_a_reachable_database()
    {
        using var client = portal.CreateBrowserlikeClient();

        using var response = await client.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_unknown_address_gets_the_portal_not_found_page()
    {
        using var client = portal.CreateBrowserlikeClient();

        using var response = await client.GetAsync("/no/such/page");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("Page not found", await response.Content.ReadAsStringAsync());
    }

    private async Task<(string? Email, bool Confirmed)> AddressOfAsync(string id)
    {
        await using var db = await portal.DbAsync();
        var user = await db.Users.AsNoTracking().SingleAsync(u => u.Id == id);
        return (user.Email, user.EmailConfirmed);
    }
}
