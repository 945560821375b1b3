using Microsoft.Playwright;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class GermanDashboardTests(BrowserFixture fixture)
{
    [Fact]
    public async Task An_admin_who_chooses_German_reads_the_dashboard_its_menu_and_a_grid_in_German_on_a_laptop_and_a_phone()
    {
        await using var session = await fixture.SignedInAdminAsync("chefin@example.org", "a sturdy admin passphrase");
        var page = session.Page;

        await page.GotoAsync("language/de?returnUrl=%2Fadmin");
        await session.WaitForInteractiveAsync();

        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "de");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Übersicht" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-chart=invitations]").GetByRole(AriaRole.Img, new() { Name = "Einladungen der letzten 30 Tage: Gesendet und Angenommen pro Tag" }))
            .ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-stat=activation-rate]").Locator("..")).ToContainTextAsync("Aktivierungsquote");
        await session.ScreenshotAsync("dashboard-de");
        await Accessibility.OnPhoneAsync(page);
        await Accessibility.AssertNoSidewaysScrollingAsync(page);
        await session.ScreenshotAsync("dashboard-de-phone");
        await Accessibility.OnDesktopAsync(page);

        await page.GetByRole(AriaRole.Navigation, new() { Name = "Verwaltung" }).GetByRole(AriaRole.Link, new() { Name = "Benutzer" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Benutzer" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator(".portal-grid").GetByText("chefin@example.org").First).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator(".mud-table-pagination")).ToContainTextAsync("Zeilen pro Seite:");
        await session.ScreenshotAsync("users-de");
        session.AssertNoErrors();
    }
}
