using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Portal.Data;
using Portal.Features.Registration;
using Portal.Features.Settings;
using Portal.Identity;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class RegistrationFlowTests(BrowserFixture fixture)
{
    private const string Password = "sunrise over quiet hills";

    private static async Task SignUpAsync(BrowserSession session, string userName, string email, string? screenshot = null)
    {
        var page = session.Page;
        await page.GotoAsync("register");
        await page.GetByLabel("User name").FillAsync(userName);
        await page.GetByLabel("Email address").FillAsync(email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(Password);
        await page.GetByLabel("Confirm password").FillAsync(Password);
        if (screenshot is not null)
        {
            await session.ScreenshotAsync(screenshot);
        }
        await page.GetByRole(AriaRole.Button, new() { Name = "Create my account" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Check your inbox" })).ToBeVisibleAsync();
    }

    private async Task<string> ActivationLinkAsync(string email) =>
        (await fixture.Portal.Mail.WaitForAsync(email, "Activate your Portal account")).LinkContaining("/activate/");

    /// <summary>Switches the registration mode for the test, and back to Open afterwards (the portal is shared).</summary>
    private async Task<IAsyncDisposable> ModeAsync(RegistrationMode mode)
    {
        var settings = fixture.Portal.Get<SiteSettings>();
        await settings.SetRegistrationModeAsync(Actor.System, mode);
        return new Restore(() => settings.SetRegistrationModeAsync(Actor.System, RegistrationMode.Open));
    }

    [Fact]
    public async Task A_visitor_signs_up_opens_the_mailed_link_presses_activate_and_is_signed_in()
    {
        await using var session = await fixture.NewSessionAsync();
        var page = session.Page;

        await SignUpAsync(session, "sunny", "sunny@example.org", "register");
        await session.ScreenshotAsync("register-check-inbox");

        var link = await ActivationLinkAsync("sunny@example.org");
        Assert.StartsWith(fixture.Portal.PublicBaseUrl + "activate/", link);
        await page.GotoAsync(link);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Activate your account" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("Hello sunny");
        await session.ScreenshotAsync("activate");
        await page.GetByRole(AriaRole.Button, new() { Name = "Activate my account" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Welcome, sunny" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator(".portal-success")).ToContainTextAsync("Your account is activated");
        await Assertions.Expect(page.Locator(".portal-topbar-nav")).ToContainTextAsync("sunny");
        await session.ScreenshotAsync("activated-home");
        session.AssertNoErrors();
    }

    [Fact]
    public async Task An_expired_link_leads_to_a_new_one()
    {
        await using var session = await fixture.NewSessionAsync();
        var page = session.Page;
        await SignUpAsync(session, "tardy", "tardy@example.org");
        var link = await ActivationLinkAsync("tardy@example.org");
        await using (var db = await fixture.Portal.DbAsync())
        {
            var userId = await db.Users.Where(u => u.Email == "tardy@example.org").Select(u => u.Id).SingleAsync();
            await db.ActivationKeys.Where(k => k.UserId == userId)
                .ExecuteUpdateAsync(s => s.SetProperty(k => k.ExpiresAt, DateTime.UtcNow.AddMinutes(-1)));
        }

        await page.GotoAsync(link);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "This activation link has expired" })).ToBeVisibleAsync();
        await session.ScreenshotAsync("activate-expired");
        await page.GetByRole(AriaRole.Link, new() { Name = "Send me a new link" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Send a new activation link" })).ToBeVisibleAsync();
        await session.ScreenshotAsync("activate-resend");
        await page.GetByLabel("Email address").FillAsync("tardy@example.org");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send me a new link" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Check your inbox" })).ToBeVisibleAsync();

        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (fixture.Portal.Mail.To("tardy@example.org").Count < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
        var fresh = fixture.Portal.Mail.To("tardy@example.org")[^1].LinkContaining("/activate/");
        Assert.NotEqual(link, fresh);
        await page.GotoAsync(fresh);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Activate your account" })).ToBeVisibleAsync();
        session.AssertNoErrors();
    }

    [Fact]
    public async Task When_registration_is_closed_the_sign_up_page_says_so()
    {
        await using var session = await fixture.NewSessionAsync();
        var page = session.Page;
        await using (await ModeAsync(RegistrationMode.Closed))
        {
            await page.GotoAsync("register");
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Registration is closed" })).ToBeVisibleAsync();
            await Assertions.Expect(page.Locator(".portal-topbar-nav a[href='register']")).ToHaveCountAsync(0);
            await session.ScreenshotAsync("register-closed");
            await page.Locator("main").GetByRole(AriaRole.Link, new() { Name = "Sign in" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        }
    }

    [Fact]
    public async Task When_approval_is_required_activation_ends_on_the_waiting_page()
    {
        await using var session = await fixture.NewSessionAsync();
        var page = session.Page;
        await using (await ModeAsync(RegistrationMode.ApprovalRequired))
        {
            await SignUpAsync(session, "patient", "patient@example.org");
            await page.GotoAsync(await ActivationLinkAsync("patient@example.org"));
            await page.GetByRole(AriaRole.Button, new() { Name = "Activate my account" }).ClickAsync();

            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your request is waiting for a moderator" })).ToBeVisibleAsync();
            await Assertions.Expect(page.Locator("main")).ToContainTextAsync(DateTime.UtcNow.ToString("d MMMM yyyy"));
            await session.ScreenshotAsync("activate-awaiting-approval");
        }
        await using var db = await fixture.Portal.DbAsync();
        Assert.Equal(AccountState.AwaitingApproval, await db.Users.Where(u => u.Email == "patient@example.org").Select(u => u.State).SingleAsync());
    }

    private sealed class Restore(Func<Task> restore) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await restore();
    }
}
