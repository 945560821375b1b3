using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Portal.Data;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class PendingActivationsTests(BrowserFixture fixture)
{
    private const string AdminEmail = "registrar@example.org";
    private const string AdminPassword = "a careful admin passphrase";

    [Fact]
    public async Task An_admin_resends_a_link_previews_the_cleanup_and_runs_it()
    {
        var now = DateTime.UtcNow;
        var (fresh, _) = await fixture.Portal.SeedSignUpAsync("fresh.pending@example.org", SignUpStatus.AwaitingActivation, now.AddDays(-1), now.AddDays(6));
        var (stale, _) = await fixture.Portal.SeedSignUpAsync("stale.pending@example.org", SignUpStatus.AwaitingActivation, now.AddDays(-10), now.AddDays(-3));
        await using var session = await fixture.SignedInAdminAsync(AdminEmail, AdminPassword);
        var page = session.Page;

        await page.GetByRole(AriaRole.Link, new() { Name = "Open administration" }).ClickAsync();
        await session.WaitForInteractiveAsync();
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Administration" }).GetByText("Pending activations", new() { Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Pending activations", Level = 1 })).ToBeVisibleAsync();
        await session.WaitForInteractiveAsync();
        var rows = page.Locator(".portal-grid tbody tr");
        var freshRow = rows.Filter(new() { HasText = "fresh.pending@example.org" });
        var staleRow = rows.Filter(new() { HasText = "stale.pending@example.org" });
        await Assertions.Expect(freshRow.Locator("[data-status]")).ToHaveTextAsync("Waiting");
        await Assertions.Expect(staleRow.Locator("[data-status]")).ToHaveTextAsync("Expired");
        await Assertions.Expect(staleRow).ToContainTextAsync("10 days ago");
        await session.ScreenshotAsync("admin-pending-activations");

        await freshRow.GetByRole(AriaRole.Button, new() { Name = "Resend" }).ClickAsync();
        await Assertions.Expect(page.GetByText("1 account(s) sent a new activation link.")).ToBeVisibleAsync();
        await Assertions.Expect(freshRow.Locator("td").Nth(4)).ToHaveTextAsync("1");
        var mail = await fixture.Portal.Mail.DeliveredAsync("fresh.pending@example.org", "Activate your Portal account");
        Assert.StartsWith(fixture.Portal.PublicBaseUrl + "activate/", mail.LinkContaining("/activate/"));

        await page.GetByRole(AriaRole.Button, new() { Name = "Preview cleanup" }).ClickAsync();
        var card = page.Locator(".portal-cleanup");
        await Assertions.Expect(card.GetByRole(AriaRole.Heading, new() { Name = "Cleanup preview" })).ToBeVisibleAsync();
        var listed = card.Locator("tbody tr").Filter(new() { HasText = "s•••@example.org" });
        await Assertions.Expect(listed).ToContainTextAsync($"{now.AddDays(-10):yyyy-MM-dd}");
        await Assertions.Expect(listed).ToContainTextAsync("never activated; the activation link expired on");
        await Assertions.Expect(card).Not.ToContainTextAsync("f•••@example.org");
        await Assertions.Expect(card).Not.ToContainTextAsync("stale.pending@example.org");
        await session.ScreenshotAsync("admin-cleanup-preview");

        await card.GetByRole(AriaRole.Button, new() { Name = "Run cleanup now" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Assertions.Expect(dialog).ToContainTextAsync("This cannot be undone.");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Run cleanup", Exact = true }).ClickAsync();
        await Assertions.Expect(card.GetByRole(AriaRole.Heading, new() { Name = "Cleanup done" })).ToBeVisibleAsync();
        await Assertions.Expect(staleRow).ToHaveCountAsync(0);
        await Assertions.Expect(freshRow).ToHaveCountAsync(1);
        await session.ScreenshotAsync("admin-cleanup-done");
        await Accessibility.OnPhoneAsync(page);
        await Assertions.Expect(freshRow.GetByRole(AriaRole.Button, new() { Name = "Resend" })).ToBeVisibleAsync();
        await session.ScreenshotAsync("admin-pending-activations-narrow");
        await Accessibility.AssertNoSidewaysScrollingAsync(page);

        await using var db = await fixture.Portal.DbAsync();
        Assert.False(await db.Users.AnyAsync(u => u.Id == stale.Id));
        Assert.True(await db.Users.AnyAsync(u => u.Id == fresh.Id));
        session.AssertNoErrors();
    }

    [Fact]
    public async Task An_admin_activates_selected_accounts_in_bulk_after_confirming()
    {
        var (one, _) = await fixture.Portal.SeedSignUpAsync("many.one@example.org", SignUpStatus.AwaitingActivation);
        var (two, _) = await fixture.Portal.SeedSignUpAsync("many.two@example.org", SignUpStatus.AwaitingActivation);
        await using var session = await fixture.SignedInAdminAsync(AdminEmail, AdminPassword);
        var page = session.Page;
        await page.GotoAsync("admin/registrations");
        await session.WaitForInteractiveAsync();
        await page.GetByLabel("Search address or user name").FillAsync("many.");
        var rows = page.Locator(".portal-grid tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(2);

        await page.GetByRole(AriaRole.Checkbox, new() { Name = "Select many.one@example.org" }).ClickAsync();
        await page.GetByRole(AriaRole.Checkbox, new() { Name = "Select many.two@example.org" }).ClickAsync();
        var toolbar = page.GetByRole(AriaRole.Toolbar, new() { Name = "Selected accounts" });
        await Assertions.Expect(toolbar).ToContainTextAsync("2 selected");
        await toolbar.GetByRole(AriaRole.Button, new() { Name = "Activate" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Assertions.Expect(dialog).ToContainTextAsync("Activate 2 accounts?");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Activate" }).ClickAsync();

        await Assertions.Expect(page.GetByText("2 account(s) activated.")).ToBeVisibleAsync();
        await Assertions.Expect(rows.Filter(new() { HasText = "many." })).ToHaveCountAsync(0);
        await using var db = await fixture.Portal.DbAsync();
        Assert.Equal(2, await db.Users.CountAsync(u => (u.Id == one.Id || u.Id == two.Id) && u.State == AccountState.Active));
        session.AssertNoErrors();
    }
}
