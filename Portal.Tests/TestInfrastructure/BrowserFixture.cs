using Microsoft.Playwright;
using Portal.Cli;

namespace Portal.Tests.TestInfrastructure;

/// <summary>One portal on Kestrel and one headless Chromium, shared by the browser tests.</summary>
public class BrowserFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public BrowserPortal Portal { get; } = new();

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("The browser did not start.");

    public async Task InitializeAsync()
    {
        // A busy machine may be slow to show a page; only a page that never comes should fail.
        Assertions.SetDefaultExpectTimeout((float)Patience.Deadline.TotalMilliseconds);
        Portal.StartServer();
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium-headless-shell",
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
            ],
        });
    }

    /// <summary>A fresh browser context (no cookies) with a page that records console errors.</summary>
    /// <param name="locale">The browser's language, which it asks the portal for (Accept-Language).</param>
    public async Task<BrowserSession> NewSessionAsync(string locale = "en-US")
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Portal.PublicBaseUrl,
            ViewportSize = Accessibility.Desktop,
            Locale = locale,
        });
        context.SetDefaultTimeout((float)Patience.Deadline.TotalMilliseconds);
        return new BrowserSession(context, await context.NewPageAsync());
    }

    /// <summary>
    /// A browser signed in as an admin made by the create-admin command, as on a fresh install
    /// (running it again for the same address only promotes and sets the password).
    /// </summary>
    public async Task<BrowserSession> SignedInAdminAsync(string email, string password)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await PortalCli.RunAsync(Portal.Services, ["create-admin", "--email", email, "--password", password], output, error);
        Assert.True(code == 0, error.ToString());
        var session = await NewSessionAsync();
        await session.SignInAsync(email, password);
        return session;
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }
        _playwright?.Dispose();
        await Portal.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "Browser";
}
