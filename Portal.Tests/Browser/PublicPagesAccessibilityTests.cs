using Microsoft.Playwright;
using Portal.Components.Layout;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Browser;

/// <summary>
/// The public and member pages, light and dark, on a desktop and on a phone: no serious or critical
/// axe-core violation, no sideways scrolling on the phone, and a screenshot of each to look at.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class PublicPagesAccessibilityTests(BrowserFixture fixture)
{
    private static readonly string[] SignedOut = ["", "register", "activate/resend", "Identity/Account/Login", "Identity/Account/ForgotPassword"];

    private static readonly string[] Member = ["account/profile", "account/changes", "Identity/Account/Manage"];

    public static TheoryData<string> Themes => ["light", "dark"];

    [Theory]
    [MemberData(nameof(Themes))]
    public async Task Every_public_and_member_page_passes_axe_and_fits_a_phone(string theme)
    {
        await using var session = await fixture.NewSessionAsync();
        var page = session.Page;
        await page.Context.AddCookiesAsync([new Cookie { Name = PortalTheme.Cookie, Value = theme, Url = fixture.Portal.PublicBaseUrl }]);
        await CheckAsync(session, SignedOut, theme);

        await fixture.Portal.CreateUserAsync($"member.{theme}@example.org");
        await session.SignInAsync($"member.{theme}@example.org", TestPortal.DefaultPassword);
        await CheckAsync(session, Member, theme);
        session.AssertNoErrors();
    }

    private static async Task CheckAsync(BrowserSession session, IEnumerable<string> paths, string theme)
    {
        var page = session.Page;
        foreach (var path in paths)
        {
            var name = path.Length == 0 ? "home" : path.Replace('/', '-').ToLowerInvariant();
            await Accessibility.OnDesktopAsync(page);
            await page.GotoAsync(path);
            await Accessibility.AssertNoSeriousViolationsAsync(page);
            await session.ScreenshotAsync($"a11y-{name}-{theme}");

            await Accessibility.OnPhoneAsync(page);
            await page.ReloadAsync();
            await Accessibility.AssertNoSeriousViolationsAsync(page);
            await Accessibility.AssertNoSidewaysScrollingAsync(page);
            await session.ScreenshotAsync($"a11y-{name}-{theme}-phone");
        }
    }
}
