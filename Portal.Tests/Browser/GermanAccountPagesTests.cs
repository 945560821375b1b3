using Microsoft.Playwright;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Browser;

/// <summary>Identity's pages in Chromium for a German browser: signing in and changing the password, mistakes included.</summary>
[Collection(BrowserCollection.Name)]
public sealed class GermanAccountPagesTests(BrowserFixture fixture)
{
    [Fact]
    public async Task A_German_member_signs_in_and_changes_the_password_in_German()
    {
        await fixture.Portal.CreateUserAsync("fritz@example.org");
        await using var session = await fixture.NewSessionAsync("de-DE");
        var page = session.Page;

        await page.GotoAsync("Identity/Account/Login");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Anmelden" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Anmelden" }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-valmsg-for='Input.Email']")).ToHaveTextAsync("Bitte füllen Sie das Feld „E-Mail-Adresse“ aus.");
        await session.ScreenshotAsync("signin-de");
        await page.GetByLabel("E-Mail-Adresse").FillAsync("fritz@example.org");
        await page.GetByLabel("Passwort", new() { Exact = true }).FillAsync(TestPortal.DefaultPassword);
        // Enter, not a click: leaving the field takes its message away, and the button moves up under the pointer.
        await page.GetByLabel("Passwort", new() { Exact = true }).PressAsync("Enter");
        await Assertions.Expect(page.Locator("header")).ToContainTextAsync("Abmelden");

        await page.GotoAsync("Identity/Account/Manage/ChangePassword");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Ihr Konto verwalten" })).ToBeVisibleAsync();
        await page.GetByLabel("Aktuelles Passwort").FillAsync("nicht mein Passwort");
        await page.GetByLabel("Neues Passwort", new() { Exact = true }).FillAsync("ein ganz neues Passwort");
        await page.GetByLabel("Neues Passwort bestätigen").FillAsync("ein ganz neues Passwort");
        await page.GetByRole(AriaRole.Button, new() { Name = "Passwort ändern" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Das Passwort ist falsch.");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Passwort ändern" })).ToBeVisibleAsync();
        await session.ScreenshotAsync("change-password-de");
        await Accessibility.OnPhoneAsync(page);
        await session.ScreenshotAsync("change-password-de-phone");
        await Accessibility.AssertNoSidewaysScrollingAsync(page);
        session.AssertNoErrors();
    }
}
