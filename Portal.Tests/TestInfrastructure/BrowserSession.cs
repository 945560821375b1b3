using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Portal.Tests.TestInfrastructure;

/// <summary>
/// A signed-out browser with one page. It records console errors, failed page scripts (a blocked
/// resource or a Content-Security-Policy violation shows up there) and any request to another host,
/// so tests can assert that a page ran clean, and saves screenshots for people to look at.
/// </summary>
public sealed class BrowserSession : IAsyncDisposable
{
    private readonly IBrowserContext _context;
    private readonly List<string> _errors = [];

    public BrowserSession(IBrowserContext context, IPage page)
    {
        _context = context;
        Page = page;
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                _errors.Add($"{page.Url}: {message.Text}");
            }
        };
        page.PageError += (_, error) => _errors.Add($"{page.Url}: {error}");
        // The portal under test is on the loopback: anything else is another host, which a script,
        // font or image from outside would tell the page's address (and any token in it).
        page.Request += (_, request) =>
        {
            if (Uri.TryCreate(request.Url, UriKind.Absolute, out var url) && url.Scheme is "http" or "https" or "ws" or "wss" && !url.IsLoopback)
            {
                _errors.Add($"{page.Url}: a request to another host: {request.Url}");
            }
        };
    }

    public IPage Page { get; }

    public IReadOnlyList<string> Errors => _errors;

    /// <summary>Waits until the admin page's circuit is up: clicks before that would be lost.</summary>
    public Task WaitForInteractiveAsync() =>
        Page.Locator("[data-interactive=true]").WaitForAsync();

    private static readonly Regex SignInPage = new("/Identity/Account/Login", RegexOptions.IgnoreCase);

    public async Task SignInAsync(string email, string password)
    {
        await Page.GotoAsync("Identity/Account/Login");
        await Page.GetByLabel("Email address").FillAsync(email);
        await Page.GetByLabel("Password").FillAsync(password);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        // The address leaves the sign-in page once the answer that set the cookie has come; waiting
        // for the next page's load event as well once timed out on a busy machine.
        await Assertions.Expect(Page).Not.ToHaveURLAsync(SignInPage);
    }

    /// <summary>
    /// Saves the page once its transitions have run (a dialog or a notification fading in would
    /// otherwise be caught half transparent).
    /// </summary>
    public async Task ScreenshotAsync(string name)
    {
        await Settling.WaitAsync(Page);
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshots.PathFor(name), FullPage = true });
    }

    public void AssertNoErrors() => Assert.True(_errors.Count == 0, "The page logged errors:\n" + string.Join("\n", _errors));

    public async ValueTask DisposeAsync() => await _context.DisposeAsync();
}

/// <summary>
/// Waits for the page's transitions to end: a control fading from disabled to enabled, or a dialog
/// fading in, is neither what a person sees for long nor what a check should judge. Endless
/// animations such as spinners are not waited for.
/// </summary>
public static class Settling
{
    private const string Script = """
        () => Promise.race([
            Promise.all(document.getAnimations()
                .filter(a => a.effect && a.effect.getComputedTiming().endTime !== Infinity)
                .map(a => a.finished.catch(() => null))),
            new Promise(resolve => setTimeout(resolve, 2000)),
        ])
        """;

    public static async Task WaitAsync(IPage page)
    {
        try
        {
            await page.EvaluateAsync(Script);
        }
        catch (PlaywrightException e) when (e.Message.Contains("Execution context was destroyed", StringComparison.Ordinal))
        {
            // A link clicked just before left the page under the script: wait for the new page.
            await page.WaitForLoadStateAsync(LoadState.Load);
            await page.EvaluateAsync(Script);
        }
    }
}

/// <summary>Where screenshots go: test-output/screenshots at the top of the repository.</summary>
public static class Screenshots
{
    private static readonly string Directory = Path.Combine(Repository.Root, "test-output", "screenshots");

    public static string PathFor(string name) => Path.Combine(Directory, name + ".png");
}
