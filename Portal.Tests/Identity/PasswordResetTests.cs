using System.Net;
using Microsoft.EntityFrameworkCore;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Identity;

public sealed class PasswordResetTests(TestPortal portal) : IClassFixture<TestPortal>
{
    [Fact]
    public async Task The_reset_mail_goes_to_the_stored_address_with_a_link_on_the_public_base_url()
    {
        await portal.CreateUserAsync("Reset.Me@example.org");
        using var client = portal.CreateBrowserlikeClient();

        using var response = await client.SubmitFormAsync("/Identity/Account/ForgotPassword",
            new Dictionary<string, string> { ["Input.Email"] = "reset.me@EXAMPLE.org" });

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var mail = await portal.Mail.DeliveredAsync("Reset.Me@example.org", "Reset your Portal password");
        Assert.Equal("Reset.Me@example.org", mail.To);
        // The request came in on http://localhost; the link is built on the configured base URL.
        var link = mail.LinkContaining("ResetPassword");
        Assert.StartsWith("https://portal.test/Identity/Account/ResetPassword?code=", link);
        Assert.Contains(link, mail.Html.Replace("&amp;", "&", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_reset_link_is_on_the_public_base_url_whatever_host_the_request_named()
    {
        await using var anyHost = new TestPortal();
        // As if AllowedHosts were set too wide: the request reaches the page with the Host the client chose.
        anyHost.Settings["AllowedHosts"] = "*";
        await anyHost.CreateUserAsync("hosted@example.org");
        using var client = anyHost.CreateBrowserlikeClient();
        client.DefaultRequestHeaders.Host = "attacker.example";

        using var response = await client.SubmitFormAsync("/Identity/Account/ForgotPassword",
            new Dictionary<string, string> { ["Input.Email"] = "hosted@example.org" });

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var mail = await anyHost.Mail.DeliveredAsync("hosted@example.org", "Reset your Portal password");
        Assert.All(mail.TextLinks, link => Assert.StartsWith("https://portal.test/", link));
        Assert.DoesNotContain("attacker.example", mail.Html);
        Assert.StartsWith("https://portal.test/Identity/Account/ResetPassword?code=", mail.LinkContaining("ResetPassword"));
    }

    [Fact]
    public async Task The_reset_link_sets_a_new_password_once()
    {
        await portal.CreateUserAsync("twice@example.org");
        using var client = portal.CreateBrowserlikeClient();
        using var _ = await client.SubmitFormAsync("/Identity/Account/ForgotPassword",
            new Dictionary<string, string> { ["Input.Email"] = "twice@example.org" });
        var link = new Uri((await portal.Mail.DeliveredAsync("twice@example.org", "Reset")).LinkContaining("ResetPassword"));
        var local = link.PathAndQuery;

        using var first = await client.SubmitFormAsync(local, new Dictionary<string, string>
        {
            ["Input.Email"] = "twice@example.org",
            ["Input.Password"] = "a brand new passphrase",
            ["Input.ConfirmPassword"] = "a brand new passphrase",
        });
        using var second = await client.SubmitFormAsync(local, new Dictionary<string, string>
        {
            ["Input.Email"] = "twice@example.org",
            ["Input.Password"] = "another new passphrase",
            ["Input.ConfirmPassword"] = "another new passphrase",
        });

        Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        Assert.Contains("ResetPasswordConfirmation", first.Headers.Location!.ToString());
        Assert.Contains("Invalid token", await second.Content.ReadAsStringAsync());
        using var signIn = await client.SignInAsync("twice@example.org", "a brand new passphrase");
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
    }

    [Fact]
    public async Task An_unknown_address_gets_the_same_answer_and_no_mail()
    {
        using var client = portal.CreateBrowserlikeClient();

        using var response = await client.SubmitFormAsync("/Identity/Account/ForgotPassword",
            new Dictionary<string, string> { ["Input.Email"] = "stranger@example.org" });

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.EndsWith("/Identity/Account/ForgotPasswordConfirmation", response.Headers.Location!.ToString());
        await using var db = await portal.DbAsync();
        Assert.False(await db.OutboxMessages.AnyAsync(m => m.Recipient == "stranger@example.org"));
    }

    [Fact]
    public async Task An_address_not_yet_confirmed_gets_the_same_answer_and_no_mail()
    {
        await portal.CreateUserAsync("unconfirmed.reset@example.org", emailConfirmed: false);
        using var client = portal.CreateBrowserlikeClient();

        using var response = await client.SubmitFormAsync("/Identity/Account/ForgotPassword",
            new Dictionary<string, string> { ["Input.Email"] = "unconfirmed.reset@example.org" });

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.EndsWith("/Identity/Account/ForgotPasswordConfirmation", response.Headers.Location!.ToString());
        await using var db = await portal.DbAsync();
        Assert.False(await db.OutboxMessages.AnyAsync(m => m.Recipient == "unconfirmed.reset@example.org"));
    }

    [Fact]
    public async Task A_deactivated_account_gets_the_same_answer_and_no_mail()
    {
        var user = await portal.CreateUserAsync("closed.reset@example.org");
        await using (var db = await portal.DbAsync())
        {
            await db.Users.Where(u => u.Id == user.Id).ExecuteUpdateAsync(s => s.SetProperty(u => u.DeactivatedAt, DateTime.UtcNow));
        }
        using var client = portal.CreateBrowserlikeClient();

        using var response = await client.SubmitFormAsync("/Identity/Account/ForgotPassword",
            new Dictionary<string, string> { ["Input.Email"] = "closed.reset@example.org" });

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.EndsWith("/Identity/Account/ForgotPasswordConfirmation", response.Headers.Location!.ToString());
        await using var check = await portal.DbAsync();
        Assert.False(await check.OutboxMessages.AnyAsync(m => m.Recipient == "closed.reset@example.org"));
    }

    [Fact]
    public async Task A_weak_new_password_is_refused_with_reasons()
    {
        await portal.CreateUserAsync("weak@example.org");
        using var client = portal.CreateBrowserlikeClient();
        using var _ = await client.SubmitFormAsync("/Identity/Account/ForgotPassword",
            new Dictionary<string, string> { ["Input.Email"] = "weak@example.org" });
        var link = new Uri((await portal.Mail.DeliveredAsync("weak@example.org", "Reset")).LinkContaining("ResetPassword"));

        using var response = await client.SubmitFormAsync(link.PathAndQuery, new Dictionary<string, string>
        {
            ["Input.Email"] = "weak@example.org",
            ["Input.Password"] = "password123",
            ["Input.ConfirmPassword"] = "password123",
        });

        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.Contains("This password is one of the most common", html);
    }
}
