using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Portal.Data;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class InvitationFlowTests(BrowserFixture fixture)
{
    private const string AdminEmail = "inviter@example.org";
    private const string AdminPassword = "a tidy admin passphrase";

    private Task<BrowserSession> AdminAsync() => fixture.SignedInAdminAsync(AdminEmail, AdminPassword);

    /// <summary>Invites through the dialog on the invitations page and returns the outcome rows' text.</summary>
    private static async Task<IReadOnlyList<string>> InviteThroughDialogAsync(BrowserSession admin, string addresses, string? message = null, string? screenshot = null)
    {
        var page = admin.Page;
        await page.GotoAsync("admin/invitations");
        await admin.WaitForInteractiveAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Invite people" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await dialog.GetByLabel("Addresses", new() { Exact = true }).FillAsync(addresses);
        if (message is not null)
        {
            await dialog.GetByLabel("Personal message (optional)").FillAsync(message);
        }
        if (screenshot is not null)
        {
            await admin.ScreenshotAsync(screenshot);
        }
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Send invitations" }).ClickAsync();
        var rows = dialog.Locator("tr[data-outcome]");
        await Assertions.Expect(rows.First).ToBeVisibleAsync();
        if (screenshot is not null)
        {
            await admin.ScreenshotAsync(screenshot + "-results");
        }
        var texts = await rows.AllInnerTextsAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Done" }).ClickAsync();
        await Assertions.Expect(dialog).ToBeHiddenAsync();
        return texts;
    }

    [Fact]
    public async Task An_invitee_follows_the_mailed_link_registers_and_is_signed_in()
    {
        await using var admin = await AdminAsync();
        var outcomes = await InviteThroughDialogAsync(admin, "Newcomer@Example.org", "Glad you are joining us.\nSee you inside!", "admin-invite-dialog");
        Assert.Contains("Invitation sent", Assert.Single(outcomes));
        await Assertions.Expect(admin.Page.GetByTestId("invitations").Locator("tbody tr").Filter(new() { HasText = "Newcomer@example.org" })).ToHaveCountAsync(1);
        await admin.ScreenshotAsync("admin-invitations");

        var mail = await fixture.Portal.Mail.DeliveredAsync("Newcomer@example.org", "invited you to join Portal");
        Assert.Contains("Glad you are joining us.", mail.Text);
        var accept = mail.LinkContaining("/invite/");
        var optOut = mail.LinkContaining("/opt-out");
        Assert.StartsWith(fixture.Portal.PublicBaseUrl + "invite/", accept);
        Assert.Equal(accept + "/opt-out", optOut);
        Assert.Equal($"<{accept}/one-click>", mail.Header("List-Unsubscribe"));

        await using var invitee = await fixture.NewSessionAsync();
        var page = invitee.Page;
        await page.GotoAsync(optOut);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Opt out of invitations?" })).ToBeVisibleAsync();
        await page.GotoAsync(accept);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Join Portal" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator(".portal-quote blockquote")).ToContainTextAsync("See you inside!");
        await invitee.ScreenshotAsync("invite-accept");
        Assert.Equal(AccountStatus.Invited, await StatusAsync("newcomer@example.org"));

        await page.GetByLabel("User name").FillAsync("newcomer");
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync("sunrise over quiet hills");
        await page.GetByLabel("Confirm password").FillAsync("different passphrase");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create my account" }).ClickAsync();
        await Assertions.Expect(page.Locator("#confirm-error")).ToContainTextAsync("The two passwords differ.");
        await invitee.ScreenshotAsync("invite-accept-errors");
        Assert.Equal(AccountStatus.Invited, await StatusAsync("newcomer@example.org"));

        await page.GetByLabel("Password", new() { Exact = true }).FillAsync("sunrise over quiet hills");
        await page.GetByLabel("Confirm password").FillAsync("sunrise over quiet hills");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create my account" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Welcome, newcomer" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator(".portal-topbar-nav")).ToContainTextAsync("newcomer");
        await invitee.ScreenshotAsync("invite-accepted-home");
        Assert.Equal(AccountStatus.Active, await StatusAsync("newcomer@example.org"));

        await page.GotoAsync(accept);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "This invitation was already used" })).ToBeVisibleAsync();
        await invitee.ScreenshotAsync("invite-used");
        invitee.AssertNoErrors();
        admin.AssertNoErrors();
    }

    [Fact]
    public async Task An_invitee_opts_out_and_a_later_invitation_in_another_letter_case_is_refused()
    {
        await using var admin = await AdminAsync();
        await InviteThroughDialogAsync(admin, "private.person@example.org");
        var mail = await fixture.Portal.Mail.DeliveredAsync("private.person@example.org", "invited you");

        await using (var invitee = await fixture.NewSessionAsync())
        {
            await invitee.Page.GotoAsync(mail.LinkContaining("/opt-out"));
            await invitee.ScreenshotAsync("invite-opt-out");
            await invitee.Page.GetByRole(AriaRole.Button, new() { Name = "Opt out for good" }).ClickAsync();
            await Assertions.Expect(invitee.Page.GetByRole(AriaRole.Heading, new() { Name = "You are opted out" })).ToBeVisibleAsync();
            await invitee.ScreenshotAsync("invite-opted-out");
            invitee.AssertNoErrors();
        }

        var outcomes = await InviteThroughDialogAsync(admin, "Private.Person@EXAMPLE.org");
        Assert.Contains("Opted out of invitations: nothing sent", Assert.Single(outcomes));
        Assert.Single(await fixture.Portal.Mail.DeliveredToAsync("private.person@example.org"));

        await admin.Page.GotoAsync("admin/opt-outs");
        await admin.WaitForInteractiveAsync();
        await admin.Page.GetByLabel("Address to check").FillAsync("PRIVATE.person@example.org");
        await admin.Page.GetByRole(AriaRole.Button, new() { Name = "Check an address" }).ClickAsync();
        await Assertions.Expect(admin.Page.Locator(".portal-check-result")).ToContainTextAsync("On the list");
        await admin.ScreenshotAsync("admin-opt-outs");
        admin.AssertNoErrors();
    }

    [Fact]
    public async Task An_expired_link_says_so_and_points_to_a_new_invitation()
    {
        await using var admin = await AdminAsync();
        await InviteThroughDialogAsync(admin, "late@example.org");
        var mail = await fixture.Portal.Mail.DeliveredAsync("late@example.org", "invited you");
        await using (var db = await fixture.Portal.DbAsync())
        {
            await db.Invitations.Where(i => i.EmailKey == "late@example.org")
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.ExpiresAt, DateTime.UtcNow.AddMinutes(-1)));
        }

        await using var invitee = await fixture.NewSessionAsync();
        await invitee.Page.GotoAsync(mail.LinkContaining("/invite/"));

        await Assertions.Expect(invitee.Page.GetByRole(AriaRole.Heading, new() { Name = "This invitation has expired" })).ToBeVisibleAsync();
        await Assertions.Expect(invitee.Page.Locator("main")).ToContainTextAsync("Ask the person who invited you for a new invitation");
        await invitee.ScreenshotAsync("invite-expired");

        await admin.Page.GotoAsync("admin");
        await admin.WaitForInteractiveAsync();
        await Assertions.Expect(admin.Page.Locator("[data-chart=invitations]").GetByRole(AriaRole.Img, new() { Name = "Invitations over the last 30 days" })).ToBeVisibleAsync();
        await admin.ScreenshotAsync("admin-dashboard-invitations");
    }

    [Fact]
    public async Task The_invitations_page_and_its_dialog_fit_a_phone_screen()
    {
        await using var admin = await AdminAsync();
        await InviteThroughDialogAsync(admin, "phone.reader@example.org");
        var page = admin.Page;
        await Accessibility.OnPhoneAsync(page);
        await page.GotoAsync("admin/invitations");
        await admin.WaitForInteractiveAsync();
        await Assertions.Expect(page.GetByTestId("invitations").Locator("tbody tr").Filter(new() { HasText = "phone.reader@example.org" })).ToHaveCountAsync(1);
        await Accessibility.AssertNoSidewaysScrollingAsync(page);
        await admin.ScreenshotAsync("admin-invitations-phone");

        await page.GetByRole(AriaRole.Button, new() { Name = "Invite people" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Dialog).GetByLabel("Addresses", new() { Exact = true })).ToBeVisibleAsync();
        await Accessibility.AssertNoSidewaysScrollingAsync(page);
        await admin.ScreenshotAsync("admin-invite-dialog-phone");
        admin.AssertNoErrors();
    }

    private async Task<AccountStatus?> StatusAsync(string email)
    {
        await using var db = await fixture.Portal.DbAsync();
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.NormalizedEmail == email.ToUpperInvariant());
        return user?.Status;
    }
}
