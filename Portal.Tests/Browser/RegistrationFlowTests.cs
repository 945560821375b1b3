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
        (await fixture.Portal.Mail.DeliveredAsync(email, "Activate your Portal account")).LinkContaining("/activate/");

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

        var fresh = (await fixture.Portal.Mail.DeliveredToAsync("tardy@example.org"))[^1].LinkContaining("/activate/");
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
    public async Task With_approval_required_a_moderator_approves_one_applicant_and_rejects_another_with_a_reason()
    {
        const string adminEmail = "mode-keeper@example.org";
        const string adminPassword = "a steady admin passphrase";
        const string reason = "We only take members of the allotment society: ask the secretary for an invitation.";
        var moderator = await fixture.Portal.CreateUserAsync("marta.moderator@example.org", roles: Roles.Moderator);
        try
        {
            await using (var admin = await fixture.SignedInAdminAsync(adminEmail, adminPassword))
            {
                await admin.Page.GotoAsync("admin/settings");
                await admin.WaitForInteractiveAsync();
                await admin.Page.GetByText("Approval required", new() { Exact = true }).ClickAsync();
                await admin.Page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
                await Assertions.Expect(admin.Page.GetByText("Registration is now Approval required.")).ToBeVisibleAsync();
                await admin.ScreenshotAsync("approval-flow-settings");
            }

            await using var applicant = await fixture.NewSessionAsync();
            await SignUpAndWaitForApprovalAsync(applicant, "hopeful", "hopeful@example.org", screenshots: true);
            await RefusedSignInAsync(applicant, "hopeful@example.org", "approval-flow-sign-in-refused");

            await using var queue = await fixture.NewSessionAsync();
            await queue.SignInAsync(moderator.Email!, TestPortal.DefaultPassword);
            var row = await QueueRowAsync(queue, "hopeful@example.org");
            await Assertions.Expect(row.GetByText("Email confirmed")).ToBeVisibleAsync();
            await queue.ScreenshotAsync("approval-flow-queue");
            await row.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
            await queue.Page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
            await Assertions.Expect(queue.Page.GetByText("The sign-up is approved.")).ToBeVisibleAsync();
            await queue.ScreenshotAsync("approval-flow-approved");

            var approval = await fixture.Portal.Mail.DeliveredAsync("hopeful@example.org", "account is ready");
            Assert.Contains("A moderator approved your sign-up", approval.Text);
            Assert.Equal(fixture.Portal.PublicBaseUrl + "Identity/Account/Login", approval.LinkContaining("/Identity/Account/Login"));
            await applicant.Page.GotoAsync(approval.LinkContaining("/Identity/Account/Login"));
            await applicant.SignInAsync("hopeful@example.org", Password);
            await Assertions.Expect(applicant.Page.GetByRole(AriaRole.Heading, new() { Name = "Welcome, hopeful" })).ToBeVisibleAsync();
            await applicant.ScreenshotAsync("approval-flow-signed-in");
            applicant.AssertNoErrors();

            await using var second = await fixture.NewSessionAsync();
            await SignUpAndWaitForApprovalAsync(second, "longshot", "longshot@example.org", screenshots: false);
            row = await QueueRowAsync(queue, "longshot@example.org");
            await row.GetByRole(AriaRole.Button, new() { Name = "Reject" }).ClickAsync();
            var dialog = queue.Page.GetByRole(AriaRole.Dialog);
            await Assertions.Expect(dialog).ToContainTextAsync("Reject the sign-up of longshot@example.org");
            await dialog.GetByLabel("Reason sent to the applicant").FillAsync(reason);
            await queue.ScreenshotAsync("approval-flow-reject-dialog");
            await dialog.GetByRole(AriaRole.Button, new() { Name = "Reject" }).ClickAsync();
            await Assertions.Expect(queue.Page.GetByText("The sign-up is rejected.")).ToBeVisibleAsync();
            queue.AssertNoErrors();

            var rejection = await fixture.Portal.Mail.DeliveredAsync("longshot@example.org", "was not approved");
            Assert.Contains(reason, rejection.Text);
            Assert.Contains(reason, rejection.Html);
            await RefusedSignInAsync(second, "longshot@example.org", "approval-flow-rejected-sign-in-refused");
        }
        finally
        {
            // The browser tests share one portal: leave sign-up open for the others.
            await fixture.Portal.Get<SiteSettings>().SetRegistrationModeAsync(Actor.System, RegistrationMode.Open);
        }
    }

    /// <summary>Signs up on the page, opens the mailed link, presses Activate and lands on the waiting page.</summary>
    private async Task SignUpAndWaitForApprovalAsync(BrowserSession session, string userName, string email, bool screenshots)
    {
        var page = session.Page;
        await SignUpAsync(session, userName, email, screenshots ? "approval-flow-register" : null);
        var mail = await fixture.Portal.Mail.DeliveredAsync(email, "Activate your Portal account");
        Assert.Contains($"Hello {userName}", mail.Text);
        await page.GotoAsync(mail.LinkContaining("/activate/"));
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Activate your account" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Activate my account" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your request is waiting for a moderator" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync($"you submitted it on {DateTime.UtcNow:d MMMM yyyy}");
        await Assertions.Expect(page.Locator(".portal-topbar-nav")).Not.ToContainTextAsync(userName);
        if (screenshots)
        {
            await session.ScreenshotAsync("approval-flow-waiting");
        }
    }

    /// <summary>The sign-in page refuses the applicant as it refuses a wrong password: nothing hints at the queue.</summary>
    private static async Task RefusedSignInAsync(BrowserSession session, string email, string screenshot)
    {
        var page = session.Page;
        await page.GotoAsync("Identity/Account/Login");
        await page.GetByLabel("Email address").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        var alert = page.Locator("form#account [role=alert]");
        await Assertions.Expect(alert).ToHaveTextAsync("Invalid login attempt.");
        await Assertions.Expect(page.Locator("main")).Not.ToContainTextAsync("approv");
        await Assertions.Expect(page.Locator("main")).Not.ToContainTextAsync("moderator");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await session.ScreenshotAsync(screenshot);
    }

    /// <summary>The moderator's queue, searched down to the one applicant's row.</summary>
    private static async Task<ILocator> QueueRowAsync(BrowserSession session, string email)
    {
        var page = session.Page;
        await page.GotoAsync("admin/registrations/approvals");
        await session.WaitForInteractiveAsync();
        await page.GetByPlaceholder("Search address or user name").FillAsync(email);
        await page.GetByPlaceholder("Search address or user name").PressAsync("Enter");
        var rows = page.GetByTestId("sign-ups").Locator("tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(rows).ToContainTextAsync(email);
        return rows;
    }

    private sealed class Restore(Func<Task> restore) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await restore();
    }
}
