using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Portal.Data;
using Portal.Features.Confirmations;
using Portal.Features.Invitations;
using Portal.Features.Outbox;
using Portal.Features.Users;
using Portal.Identity;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class AdminPagesTests(BrowserFixture fixture)
{
    private const string AdminEmail = "chief@example.org";
    private const string AdminPassword = "a sturdy admin passphrase";

    private Task<BrowserSession> SignedInAdminAsync() => fixture.SignedInAdminAsync(AdminEmail, AdminPassword);

    [Fact]
    public async Task The_admin_made_by_create_admin_reaches_every_admin_page()
    {
        await using var session = await SignedInAdminAsync();
        var page = session.Page;

        // From the start page to the dashboard.
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Welcome, chief@example.org" })).ToBeVisibleAsync();
        await session.ScreenshotAsync("home-signed-in");
        await page.GetByRole(AriaRole.Link, new() { Name = "Open administration" }).ClickAsync();
        await session.WaitForInteractiveAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Dashboard" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-stat=users]")).Not.ToHaveTextAsync("0");
        await Assertions.Expect(page.Locator("[data-chart=invitations]").GetByRole(AriaRole.Img, new() { Name = "Invitations over the last 30 days" })).ToBeVisibleAsync();
        await session.ScreenshotAsync("admin-dashboard");
        await Accessibility.OnPhoneAsync(page);
        await Accessibility.AssertNoSidewaysScrollingAsync(page);
        await session.ScreenshotAsync("admin-dashboard-phone");
        await Accessibility.OnDesktopAsync(page);

        await OpenFromMenuAsync(session, "Users", "Users");
        // Other tests share this portal: its accounts may fill the first page, so the admin is searched for.
        await page.GetByPlaceholder("Search user name or address").FillAsync(AdminEmail);
        await Assertions.Expect(page.Locator(".portal-grid").GetByText(AdminEmail).First).ToBeVisibleAsync();
        await session.ScreenshotAsync("admin-users");

        await OpenFromMenuAsync(session, "Outbox", "Outbox");
        await session.ScreenshotAsync("admin-outbox");

        await OpenFromMenuAsync(session, "Email templates", "Email templates");
        await Assertions.Expect(page.Locator(".portal-mailview-subject")).ToContainTextAsync("Activate your Portal account");
        await session.ScreenshotAsync("admin-templates");
        await page.GetByRole(AriaRole.Button, new() { Name = "Password reset" }).ClickAsync();
        await Assertions.Expect(page.Locator(".portal-mailview-subject")).ToContainTextAsync("Reset your Portal password");
        var frame = page.FrameLocator("iframe.portal-mailview-frame");
        await Assertions.Expect(frame.GetByRole(AriaRole.Link, new() { Name = "Choose a new password" })).ToBeVisibleAsync();
        await session.ScreenshotAsync("admin-templates-password-reset");

        await OpenFromMenuAsync(session, "Audit log", "Audit log");
        await Assertions.Expect(page.GetByTestId("audit").GetByText("user.admin-created").First).ToBeVisibleAsync();
        await session.ScreenshotAsync("admin-audit");
        await Accessibility.OnPhoneAsync(page);
        await Accessibility.AssertNoSidewaysScrollingAsync(page);
        await session.ScreenshotAsync("admin-audit-phone");

        session.AssertNoErrors();
    }

    [Fact]
    public async Task An_admin_deactivates_an_account_from_the_users_page_and_the_audit_log_shows_it()
    {
        var target = await fixture.Portal.CreateUserAsync("leaver@example.org");
        await using var session = await SignedInAdminAsync();
        var page = session.Page;
        await page.GotoAsync("admin/users");
        await session.WaitForInteractiveAsync();

        await page.GetByPlaceholder("Search user name or address").FillAsync("leaver@");
        await page.GetByPlaceholder("Search user name or address").PressAsync("Enter");
        // Wait for the search to have reloaded the grid (only the match left): a click on a row
        // of the page before would reach a handler the new render has replaced.
        await Assertions.Expect(page.Locator(".portal-grid tbody tr")).ToHaveCountAsync(1);
        var row = page.Locator(".portal-grid tbody tr").Filter(new() { HasText = "leaver@example.org" });
        await Assertions.Expect(row).ToHaveCountAsync(1);
        await row.GetByRole(AriaRole.Button, new() { Name = "Deactivate" }).ClickAsync();
        await Assertions.Expect(page.GetByText("Deactivate leaver")).ToBeVisibleAsync();
        await session.ScreenshotAsync("admin-users-deactivate-confirm");
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Deactivate" }).ClickAsync();

        await Assertions.Expect(row.Locator("[data-status]").First).ToHaveTextAsync("Deactivated");
        await Assertions.Expect(page.GetByText("is deactivated: they cannot sign in")).ToBeVisibleAsync();
        await session.ScreenshotAsync("admin-users-deactivated");
        await Accessibility.OnPhoneAsync(page);
        await Assertions.Expect(row.GetByRole(AriaRole.Button, new() { Name = "Reactivate" })).ToBeVisibleAsync();
        await session.ScreenshotAsync("admin-users-narrow");
        await Accessibility.AssertNoSidewaysScrollingAsync(page);
        await Accessibility.OnDesktopAsync(page);

        await page.GotoAsync("admin/audit");
        await session.WaitForInteractiveAsync();
        var entry = page.GetByTestId("audit").Locator("tbody tr").Filter(new() { HasText = "user.deactivated" });
        await Assertions.Expect(entry.GetByText("leaver@example.org")).ToBeVisibleAsync();

        await using var db = await fixture.Portal.DbAsync();
        Assert.NotNull((await db.Users.FindAsync(target.Id))!.DeactivatedAt);
        session.AssertNoErrors();
    }

    [Fact]
    public async Task The_audit_log_names_whose_change_it_was_and_shows_a_long_reason_whole()
    {
        var member = await fixture.Portal.CreateUserAsync("renamer@audit.example");
        var moderator = await fixture.Portal.CreateUserAsync("mod@audit.example", roles: Roles.Moderator);
        var moderation = fixture.Portal.Get<ChangeModeration>();
        var requests = fixture.Portal.Get<ChangeRequests>();
        var asked = await requests.RequestAsync(
            new Actor(member.Id, member.UserName!, new HashSet<string>()), "profile", member.Id, ConfirmationsPortal.Proposal("profile"), TestPortal.DefaultPassword);
        var reason = "A display name is the name people here know you by. " + string.Concat(Enumerable.Repeat("Write it as it stands on your membership card, please. ", 6)) + "Thank you.";
        var rejected = await moderation.RejectAsync(new Actor(moderator.Id, moderator.UserName!, new HashSet<string> { Roles.Moderator }), asked.ChangeId!.Value, reason);
        Assert.Equal(ChangeOutcome.Rejected, rejected.Outcome);
        await using var session = await SignedInAdminAsync();
        var page = session.Page;

        await page.GotoAsync("admin/audit");
        await session.WaitForInteractiveAsync();
        var search = page.GetByLabel("Search target, details or actor");
        await search.FillAsync("renamer@audit.example");
        await search.PressAsync("Enter");

        // Named by its target as well: other tests' rejections are in the same log until the search has run.
        var entry = page.GetByTestId("audit").Locator("tbody tr").Filter(new() { HasText = "change.rejected" })
            .Filter(new() { HasText = "renamer@audit.example" });
        await Assertions.Expect(entry).ToContainTextAsync("Display name of renamer@audit.example");
        await Assertions.Expect(entry).Not.ToContainTextAsync(member.Id);
        var details = entry.Locator("td").Last;
        await Assertions.Expect(details).ToHaveTextAsync(reason);
        Assert.True(await details.EvaluateAsync<bool>("cell => cell.scrollWidth <= cell.clientWidth && cell.scrollHeight <= cell.clientHeight"),
            "The details are cut off.");
        // Measured in one step in the page: the grid may render its rows again between two separate reads.
        Assert.True(await details.EvaluateAsync<bool>(
            "cell => cell.getBoundingClientRect().right <= cell.closest('[data-testid=audit]').getBoundingClientRect().right + 1"),
            "The details run past the grid's edge.");
        await session.ScreenshotAsync("admin-audit-change");
        session.AssertNoErrors();
    }

    [Fact]
    public async Task The_outbox_previews_a_message_with_its_link_secrets_masked()
    {
        var member = await fixture.Portal.CreateUserAsync("forgetful@example.org");
        await using var session = await SignedInAdminAsync();
        var page = session.Page;
        await using (var anonymous = await fixture.NewSessionAsync())
        {
            await anonymous.Page.GotoAsync("Identity/Account/ForgotPassword");
            await anonymous.Page.GetByLabel("Email").FillAsync(member.Email!);
            await anonymous.Page.GetByRole(AriaRole.Button, new() { Name = "Reset Password" }).ClickAsync();
            await fixture.Portal.Mail.DeliveredAsync(member.Email!, "Reset");
        }

        await page.GotoAsync("admin/outbox");
        await session.WaitForInteractiveAsync();
        var row = page.Locator(".portal-grid tbody tr").Filter(new() { HasText = member.Email! });
        await Assertions.Expect(row.Locator("[data-status]")).ToHaveTextAsync("Sent");
        await row.GetByRole(AriaRole.Button, new() { Name = "Preview" }).ClickAsync();

        var dialog = page.GetByRole(AriaRole.Dialog);
        await Assertions.Expect(dialog).ToContainTextAsync("Reset your Portal password");
        await dialog.GetByRole(AriaRole.Tab, new() { Name = "Plain text" }).ClickAsync();
        await Assertions.Expect(dialog.Locator(".portal-mailview-text")).ToContainTextAsync("ResetPassword?code=••••••");
        await session.ScreenshotAsync("admin-outbox-preview");
        session.AssertNoErrors();
    }

    [Fact]
    public async Task An_admin_finds_a_bounced_address_on_the_outbox_page_and_removes_it_with_a_reason()
    {
        await SuppressAsync("bounced.reader@example.org", "550 5.1.1 <bounced.reader@example.org>: Recipient address rejected: User unknown in virtual mailbox table");
        await SuppressAsync("full.box@example.net", "552 5.2.2 <full.box@example.net>: Mailbox full, quota exceeded; the owner has been told");
        await using var session = await SignedInAdminAsync();
        var page = session.Page;
        await page.GotoAsync("admin/outbox");
        await session.WaitForInteractiveAsync();
        var rows = page.Locator("[data-grid=suppressed] tbody tr");
        await Assertions.Expect(rows.Filter(new() { HasText = "full.box@example.net" })).ToContainTextAsync("Mailbox full, quota exceeded");
        await page.Locator("#suppressed").ScrollIntoViewIfNeededAsync();
        await session.ScreenshotAsync("admin-outbox-suppressed");

        await page.GetByPlaceholder("Search address or reply").FillAsync("user unknown");
        await page.GetByPlaceholder("Search address or reply").PressAsync("Enter");
        // Wait for the search to have reloaded the grid: a click on a row of the page before would
        // reach a handler the new render has replaced.
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await rows.Filter(new() { HasText = "bounced.reader@example.org" }).GetByRole(AriaRole.Button, new() { Name = "Remove" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Remove" }).ClickAsync();
        await Assertions.Expect(dialog.GetByText("Give a reason.")).ToBeVisibleAsync();
        await dialog.GetByLabel("Reason").FillAsync("The mailbox was restored, said their IT on 2 March");
        await session.ScreenshotAsync("admin-outbox-suppressed-remove");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Remove" }).ClickAsync();

        await Assertions.Expect(page.GetByText("bounced.reader@example.org is off the suppression list: it can be invited again.")).ToBeVisibleAsync();
        await Assertions.Expect(rows).ToHaveTextAsync(["No address is suppressed."]);
        await using (var db = await fixture.Portal.DbAsync())
        {
            var removal = await db.AuditEntries.SingleAsync(e => e.Action == "suppression.removed" && e.TargetName == "bounced.reader@example.org");
            Assert.Equal("The mailbox was restored, said their IT on 2 March", removal.Details);
        }
        var invited = await fixture.Portal.Get<InvitationService>().InviteAsync("bounced.reader@example.org", InvitationPortal.Admin);
        Assert.Equal(InviteOutcome.Sent, invited.Outcome);
        session.AssertNoErrors();
    }

    [Fact]
    public async Task An_admin_whose_role_was_removed_cannot_remove_a_bounced_address_and_the_refusal_is_audited()
    {
        await SuppressAsync("still.bouncing@example.org", "550 5.1.1 no such user");
        var admin = await fixture.Portal.CreateUserAsync("soon-demoted@example.org", roles: Roles.Admin);
        await using var session = await fixture.NewSessionAsync();
        var page = session.Page;
        await session.SignInAsync(admin.Email!, TestPortal.DefaultPassword);
        await page.GotoAsync("admin/outbox");
        await session.WaitForInteractiveAsync();
        var row = page.Locator("[data-grid=suppressed] tbody tr").Filter(new() { HasText = "still.bouncing@example.org" });
        await row.GetByRole(AriaRole.Button, new() { Name = "Remove" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await dialog.GetByLabel("Reason").FillAsync("Looks fine to me");

        var removed = await fixture.Portal.Get<UserAdmin>().RemoveRoleAsync(Actor.System, admin.Id, Roles.Admin);
        Assert.True(removed.Succeeded, removed.Message);
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Remove" }).ClickAsync();

        var refused = page.Locator("[data-notice=refused]");
        await Assertions.Expect(refused).ToContainTextAsync("You no longer have the access it needs");
        await Assertions.Expect(refused.Locator("[data-recorded]")).ToHaveTextAsync("The refusal is in the audit log.");
        await using var db = await fixture.Portal.DbAsync();
        Assert.True(await db.MailSuppressions.AnyAsync(s => s.Address == "still.bouncing@example.org"));
        var refusal = await db.AuditEntries.SingleAsync(e => e.Action == "access.refused" && e.ActorId == admin.Id);
        Assert.Equal("/admin/outbox", refusal.TargetId);
        Assert.Contains(Roles.Admin, refusal.Details);
        Assert.False(await db.AuditEntries.AnyAsync(e => e.Action == "suppression.removed" && e.TargetName == "still.bouncing@example.org"));
        session.AssertNoErrors();
    }

    [Fact]
    public async Task A_member_without_a_role_is_told_access_is_denied()
    {
        await fixture.Portal.CreateUserAsync("plain@example.org");
        await using var session = await fixture.NewSessionAsync();
        await session.SignInAsync("plain@example.org", TestPortal.DefaultPassword);

        await session.Page.GotoAsync("admin");

        await Assertions.Expect(session.Page.GetByRole(AriaRole.Heading, new() { Name = "Access denied" })).ToBeVisibleAsync();
        await session.ScreenshotAsync("access-denied");
    }

    /// <summary>Puts an address on the suppression list as the outbox does when its mail bounces.</summary>
    private async Task SuppressAsync(string address, string reply)
    {
        await using var db = await fixture.Portal.DbAsync();
        await fixture.Portal.Get<SuppressionList>().AddAsync(db, address, reply, default);
    }

    private static async Task OpenFromMenuAsync(BrowserSession session, string menu, string heading)
    {
        await session.Page.GetByRole(AriaRole.Navigation, new() { Name = "Administration" }).GetByText(menu, new() { Exact = true }).ClickAsync();
        await Assertions.Expect(session.Page.GetByRole(AriaRole.Heading, new() { Name = heading, Level = 1 })).ToBeVisibleAsync();
        await session.WaitForInteractiveAsync();
    }
}
