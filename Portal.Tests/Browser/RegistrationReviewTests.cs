using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Portal.Data;
using Portal.Features.Registration;
using Portal.Features.Settings;
using Portal.Identity;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class RegistrationReviewTests(BrowserFixture fixture)
{
    private const string AdminEmail = "settings-chief@example.org";
    private const string AdminPassword = "a sturdy admin passphrase";

    [Fact]
    public async Task An_admin_switches_registration_to_approval_required_on_the_settings_page()
    {
        var settings = fixture.Portal.Get<SiteSettings>();
        try
        {
            await using var session = await fixture.SignedInAdminAsync(AdminEmail, AdminPassword);
            var page = session.Page;
            await page.GotoAsync("admin");
            await session.WaitForInteractiveAsync();
            await page.GetByRole(AriaRole.Navigation, new() { Name = "Administration" }).GetByText("Settings", new() { Exact = true }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Settings", Level = 1 })).ToBeVisibleAsync();
            await session.WaitForInteractiveAsync();
            await Assertions.Expect(page.Locator("[data-setting=registration-mode]")).ToContainTextAsync("In force: Open, from the configuration file");

            await page.GetByText("Approval required", new() { Exact = true }).ClickAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();

            await Assertions.Expect(page.GetByText("Registration is now Approval required.")).ToBeVisibleAsync();
            await Assertions.Expect(page.Locator("[data-setting=registration-mode]")).ToContainTextAsync($"In force: Approval required, set by {AdminEmail}");
            await session.ScreenshotAsync("admin-settings");
            Assert.Equal(RegistrationMode.ApprovalRequired, await settings.RegistrationModeAsync());

            await page.ReloadAsync();
            await session.WaitForInteractiveAsync();
            await Assertions.Expect(page.Locator("[data-setting=registration-mode]")).ToContainTextAsync("In force: Approval required");
            await Assertions.Expect(page.GetByRole(AriaRole.Radio, new() { Name = "Approval required" })).ToBeCheckedAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Save" })).ToBeDisabledAsync();
            session.AssertNoErrors();
        }
        finally
        {
            // The browser tests share one portal: leave sign-up open for the others.
            await settings.SetRegistrationModeAsync(Actor.System, RegistrationMode.Open);
        }
    }

    [Fact]
    public async Task A_moderator_approves_one_sign_up_and_rejects_another_with_a_reason()
    {
        var portal = fixture.Portal;
        var (approved, _) = await portal.SeedSignUpAsync("welcome@queue.example");
        var (rejected, _) = await portal.SeedSignUpAsync("turned-away@queue.example");
        await portal.SeedSignUpAsync("unconfirmed@queue.example", SignUpStatus.AwaitingActivation);
        await portal.SeedSignUpAsync("ines@bücher.example");
        var moderator = await portal.CreateUserAsync("mona@example.org", roles: Roles.Moderator);
        await using var session = await fixture.NewSessionAsync();
        var page = session.Page;
        await session.SignInAsync(moderator.Email!, TestPortal.DefaultPassword);

        // A moderator lands on the start page, reaches the queue from the top bar, and sees only their part of the admin menu.
        await Assertions.Expect(page.Locator(".portal-topbar").GetByRole(AriaRole.Link, new() { Name = "Administration" })).ToHaveCountAsync(0);
        await session.ScreenshotAsync("home-moderator");
        await page.Locator(".portal-topbar").GetByRole(AriaRole.Link, new() { Name = "Review queue" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Review queue", Level = 1 })).ToBeVisibleAsync();
        await session.WaitForInteractiveAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "sign-up history" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign-up approvals", Level = 1 })).ToBeVisibleAsync();
        await session.WaitForInteractiveAsync();
        var sidebar = page.GetByRole(AriaRole.Navigation, new() { Name = "Administration" });
        await Assertions.Expect(sidebar.GetByText("Dashboard")).ToHaveCountAsync(0);
        await Assertions.Expect(sidebar.Locator("[data-count=review-queue]")).ToBeVisibleAsync();
        var badgeBefore = int.Parse(await sidebar.Locator("[data-count=review-queue]").InnerTextAsync());

        // A domain typed in punycode finds the sign-up from its Unicode spelling, shown as people read it.
        await page.GetByPlaceholder("Domain, e.g. example.org").FillAsync("xn--bcher-kva.example");
        await page.GetByPlaceholder("Domain, e.g. example.org").PressAsync("Enter");
        var rows = page.GetByTestId("sign-ups").Locator("tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(rows.First).ToContainTextAsync("ines@bücher.example");

        await page.GetByPlaceholder("Domain, e.g. example.org").FillAsync("queue.example");
        await page.GetByPlaceholder("Domain, e.g. example.org").PressAsync("Enter");
        await Assertions.Expect(rows).ToHaveCountAsync(2);
        await Assertions.Expect(rows.Filter(new() { HasText = "welcome@queue.example" }).GetByText("Email confirmed")).ToBeVisibleAsync();
        await session.ScreenshotAsync("admin-sign-up-approvals");
        await ReviewQueueTests.AtPhoneWidthAsync(session, "admin-sign-up-approvals-phone");

        var welcome = rows.Filter(new() { HasText = "welcome@queue.example" });
        await welcome.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        await Assertions.Expect(page.GetByText("The sign-up is approved.")).ToBeVisibleAsync();
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(sidebar.Locator("[data-count=review-queue]")).ToHaveTextAsync((badgeBefore - 1).ToString());

        // A click, not CheckAsync: the box turns checked only when the server's render comes back.
        var box = page.GetByRole(AriaRole.Checkbox, new() { Name = "Select turned-away@queue.example" });
        await box.ClickAsync();
        await Assertions.Expect(box).ToBeCheckedAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Reject selected" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Assertions.Expect(dialog).ToContainTextAsync("Reject the sign-up of turned-away@queue.example");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Reject" }).ClickAsync();
        await Assertions.Expect(dialog.GetByText("Give a reason: it is sent to the applicant.")).ToBeVisibleAsync();
        await dialog.GetByText(fixture.Portal.Get<RegistrationReview>().RejectionReasons[1]).ClickAsync();
        await Assertions.Expect(dialog.GetByLabel("Reason sent to the applicant")).ToHaveValueAsync(fixture.Portal.Get<RegistrationReview>().RejectionReasons[1]);
        const string reason = "Please sign up with your work address at the museum.";
        await dialog.GetByLabel("Reason sent to the applicant").FillAsync(reason);
        await session.ScreenshotAsync("admin-sign-up-reject-dialog");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Reject" }).ClickAsync();
        await Assertions.Expect(page.GetByText("The sign-up is rejected.")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("Nobody is waiting for approval.")).ToBeVisibleAsync();

        await page.GetByLabel("Status", new() { Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "Rejected", Exact = true }).ClickAsync();
        var rejectedRow = rows.Filter(new() { HasText = "turned-away@queue.example" });
        await Assertions.Expect(rejectedRow).ToContainTextAsync(reason);
        await Assertions.Expect(rejectedRow).ToContainTextAsync($"by {moderator.UserName}");
        await session.ScreenshotAsync("admin-sign-up-approvals-rejected");

        await page.GotoAsync("admin/settings");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Access denied" })).ToBeVisibleAsync();
        session.AssertNoErrors();

        var mail = await portal.Mail.DeliveredAsync(rejected.Email!, "was not approved");
        Assert.Contains(reason, mail.Text);
        await using (var applicant = await fixture.NewSessionAsync())
        {
            await applicant.SignInAsync(approved.Email!, TestPortal.DefaultPassword);
            await Assertions.Expect(applicant.Page.GetByRole(AriaRole.Heading, new() { Name = $"Welcome, {approved.UserName}" })).ToBeVisibleAsync();
        }
        await using var db = await portal.DbAsync();
        Assert.False(await db.Users.AnyAsync(u => u.Id == rejected.Id));
    }

    [Fact]
    public async Task A_member_without_a_role_is_refused_the_approval_queue()
    {
        await fixture.Portal.CreateUserAsync("curious@example.org");
        await using var session = await fixture.NewSessionAsync();
        await session.SignInAsync("curious@example.org", TestPortal.DefaultPassword);

        await session.Page.GotoAsync("admin/registrations/approvals");

        await Assertions.Expect(session.Page.GetByRole(AriaRole.Heading, new() { Name = "Access denied" })).ToBeVisibleAsync();
        await Assertions.Expect(session.Page.GetByText("Sign-up approvals")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task The_dashboard_shows_sign_ups_and_leads_to_the_review_queue()
    {
        await fixture.Portal.SeedSignUpAsync("dashboard-waiting@stats.example");
        await using var session = await fixture.SignedInAdminAsync(AdminEmail, AdminPassword);
        var page = session.Page;

        await page.GotoAsync("admin");
        await session.WaitForInteractiveAsync();

        // What waits for a moderator is the first thing seen, and the same figure as the sidebar's badge.
        var waiting = page.Locator("[data-stat=awaiting-moderator]");
        await Assertions.Expect(waiting).Not.ToHaveTextAsync("0");
        await Assertions.Expect(waiting).ToBeInViewportAsync();
        await Assertions.Expect(waiting).ToHaveTextAsync(await page.Locator("[data-count=review-queue]").InnerTextAsync());
        await session.ScreenshotAsync("admin-dashboard-waiting");
        await Assertions.Expect(page.Locator("[data-stat=activation-rate]")).ToContainTextAsync("%");
        await Assertions.Expect(page.Locator("[data-chart=sign-ups]")).ToContainTextAsync("Signed up");
        // The admin body scrolls inside the layout: bring the sign-up cards into the picture.
        await page.Locator("[data-chart=sign-ups]").ScrollIntoViewIfNeededAsync();
        await session.ScreenshotAsync("admin-dashboard-sign-ups");
        await page.GetByRole(AriaRole.Link, new() { Name = "Open the review queue" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Review queue", Level = 1 })).ToBeVisibleAsync();
        await session.WaitForInteractiveAsync();
        await Assertions.Expect(page.GetByTestId("review-inbox").Locator("tbody")).ToContainTextAsync("dashboard-waiting@stats.example");
        session.AssertNoErrors();
    }
}
