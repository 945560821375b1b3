using Microsoft.Playwright;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Browser;

/// <summary>
/// Light or dark: an admin's page follows the system's setting until the person chooses in the app
/// bar; the choice is kept and every page of the site, public ones included, shows it.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ThemeTests(BrowserFixture fixture)
{
    private const string PageBackground = "() => getComputedStyle(document.body).backgroundColor";

    [Fact]
    public async Task The_dark_theme_follows_the_system_until_chosen_and_the_choice_holds_on_every_page()
    {
        await using var session = await fixture.SignedInAdminAsync("theme@example.org", "a sturdy admin passphrase");
        var page = session.Page;
        await page.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Dark });
        await page.GotoAsync("admin");
        await session.WaitForInteractiveAsync();
        var toggle = page.GetByTestId("theme-toggle");
        // The system asks for dark and nothing was chosen: dark it is.
        await Assertions.Expect(toggle).ToHaveAttributeAsync("aria-label", "Use the light theme");
        var dark = await page.EvaluateAsync<string>(PageBackground);
        await session.ScreenshotAsync("admin-dashboard-dark");

        await toggle.ClickAsync();
        await Assertions.Expect(toggle).ToHaveAttributeAsync("aria-label", "Use the dark theme");
        var light = await page.EvaluateAsync<string>(PageBackground);
        Assert.NotEqual(dark, light);

        // Chosen: light stays, on a new load of the page and on a public page, dark system or not.
        await page.ReloadAsync();
        await session.WaitForInteractiveAsync();
        await Assertions.Expect(page.GetByTestId("theme-toggle")).ToHaveAttributeAsync("aria-label", "Use the dark theme");
        Assert.Equal(light, await page.EvaluateAsync<string>(PageBackground));

        await page.GetByTestId("theme-toggle").ClickAsync();
        await Assertions.Expect(page.GetByTestId("theme-toggle")).ToHaveAttributeAsync("aria-label", "Use the light theme");
        await page.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Light });
        await page.GotoAsync("account/profile");
        Assert.Equal(dark, await page.EvaluateAsync<string>(PageBackground));
        await session.ScreenshotAsync("profile-dark");
        await page.GotoAsync("Identity/Account/Manage");
        Assert.Equal(dark, await page.EvaluateAsync<string>(PageBackground));
        session.AssertNoErrors();
    }

    [Fact]
    public async Task A_public_page_follows_the_system_when_nothing_was_chosen()
    {
        await using var session = await fixture.NewSessionAsync();
        var page = session.Page;
        await page.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Light });
        await page.GotoAsync("register");
        var light = await page.EvaluateAsync<string>(PageBackground);
        var text = await page.EvaluateAsync<string>("() => getComputedStyle(document.body).color");

        await page.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Dark });
        Assert.NotEqual(light, await page.EvaluateAsync<string>(PageBackground));
        Assert.NotEqual(text, await page.EvaluateAsync<string>("() => getComputedStyle(document.body).color"));
        await Accessibility.AssertNoSeriousViolationsAsync(page);
        await session.ScreenshotAsync("register-system-dark");

        await page.GotoAsync("Identity/Account/Login");
        Assert.NotEqual(light, await page.EvaluateAsync<string>(PageBackground));
        await Accessibility.AssertNoSeriousViolationsAsync(page);
        await session.ScreenshotAsync("login-system-dark");
        session.AssertNoErrors();
    }
}
