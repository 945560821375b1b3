using System.Net;
using Microsoft.EntityFrameworkCore;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Identity;

/// <summary>Identity's "resend email confirmation" page, whose link leads to the portal's confirmation page.</summary>
public sealed class ResendEmailConfirmationTests(TestPortal portal) : IClassFixture<TestPortal>
{
    private const string Answer = "Verification email sent. Please check your email.";

    [Fact]
    public async Task The_link_goes_to_the_stored_address_and_confirms_it_by_the_button_on_the_portal_page()
    {
        var user = await portal.CreateUserAsync("Resend.Me@example.org", emailConfirmed: false);
        using var client = portal.CreateBrowserlikeClient();

        using var response = await client.SubmitFormAsync("/Identity/Account/ResendEmailConfirmation",
            new Dictionary<string, string> { ["Input.Email"] = "resend.me@EXAMPLE.org" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Answer, (await Forms.ParseAsync(response)).QuerySelector("[role=alert] li")!.TextContent);
        var mail = await portal.Mail.DeliveredAsync("Resend.Me@example.org", "Confirm your email address");
        Assert.Equal("Resend.Me@example.org", mail.To);
        Assert.Contains("Resend.Me@example.org", mail.Text);
        var link = new Uri(mail.LinkContaining("/account/confirm-email"));
        Assert.StartsWith($"https://portal.test/account/confirm-email?userId={user.Id}&code=", link.AbsoluteUri);

        var page = await client.GetPageAsync(link.PathAndQuery);
        Assert.Equal("Confirm your address", page.QuerySelector("h1")!.TextContent);
        Assert.False(await EmailConfirmedAsync(user.Id));
        using var confirm = await client.SubmitFormAsync(link.PathAndQuery, new Dictionary<string, string>());
        Assert.Equal("Address confirmed", (await Forms.ParseAsync(confirm)).QuerySelector("h1")!.TextContent);
        Assert.True(await EmailConfirmedAsync(user.Id));
    }

    [Fact]
    public async Task An_unknown_address_gets_the_same_answer_and_no_mail()
    {
        using var client = portal.CreateBrowserlikeClient();

        using var response = await client.SubmitFormAsync("/Identity/Account/ResendEmailConfirmation",
            new Dictionary<string, string> { ["Input.Email"] = "nobody.here@example.org" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Answer, (await Forms.ParseAsync(response)).QuerySelector("[role=alert] li")!.TextContent);
        await using var db = await portal.DbAsync();
        Assert.False(await db.OutboxMessages.AnyAsync(m => m.Recipient == "nobody.here@example.org"));
    }

    [Fact]
    public async Task The_link_is_on_the_public_base_url_whatever_host_the_request_named()
    {
        await using var anyHost = new TestPortal();
        // As if AllowedHosts were set too wide: the request reaches the page with the Host the client chose.
        anyHost.Settings["AllowedHosts"] = "*";
        await anyHost.CreateUserAsync("hosted@example.org", emailConfirmed: false);
        using var client = anyHost.CreateBrowserlikeClient();
        client.DefaultRequestHeaders.Host = "attacker.example";

        using var response = await client.SubmitFormAsync("/Identity/Account/ResendEmailConfirmation",
            new Dictionary<string, string> { ["Input.Email"] = "hosted@example.org" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var mail = await anyHost.Mail.DeliveredAsync("hosted@example.org", "Confirm your email address");
        Assert.All(mail.TextLinks, link => Assert.StartsWith("https://portal.test/", link));
        Assert.DoesNotContain("attacker.example", mail.Html);
        Assert.StartsWith("https://portal.test/account/confirm-email?userId=", mail.LinkContaining("confirm-email"));
    }

    private async Task<bool> EmailConfirmedAsync(string id)
    {
        await using var db = await portal.DbAsync();
        return (await db.Users.AsNoTracking().SingleAsync(u => u.Id == id)).EmailConfirmed;
    }
}
