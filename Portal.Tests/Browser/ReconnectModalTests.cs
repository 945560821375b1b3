using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Browser;

/// <summary>
/// An interactive page whose connection to the server drops says so in a dialog, keeps trying, and
/// goes on where it was once the server answers again.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ReconnectModalTests(BrowserFixture fixture)
{
    [Fact]
    public async Task A_page_that_loses_its_connection_says_so_and_goes_on_once_it_is_back()
    {
        await using var session = await fixture.SignedInAdminAsync("reconnect@example.org", "a sturdy admin passphrase");
        var page = session.Page;
        // The circuit's WebSocket passes through the test, which can then cut it.
        IWebSocketRoute? circuit = null;
        await page.RouteWebSocketAsync(new Regex("/_blazor"), socket => circuit = socket.ConnectToServer());
        await page.GotoAsync("admin");
        await session.WaitForInteractiveAsync();
        var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = "Connection lost" });
        await Assertions.Expect(dialog).ToBeHiddenAsync();
        // The dialog's script and stylesheet loaded within the Content-Security-Policy.
        session.AssertNoErrors();
        // Lost if the page were loaded again: reconnecting keeps the page.
        await page.EvaluateAsync("() => window.beforeTheDrop = true");

        // Offline, every attempt to reconnect fails until the network is back.
        await page.Context.SetOfflineAsync(true);
        await circuit!.CloseAsync();
        await Assertions.Expect(dialog).ToBeVisibleAsync();
        await session.ScreenshotAsync("reconnect-dialog");

        await page.Context.SetOfflineAsync(false);
        await Assertions.Expect(dialog).ToBeHiddenAsync();
        // The same circuit answers again: the menu moves to another page without loading one.
        await page.GetByRole(AriaRole.Link, new() { Name = "Users" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Users", Level = 1 })).ToBeVisibleAsync();
        Assert.True(await page.EvaluateAsync<bool>("() => window.beforeTheDrop === true"), "The page was loaded again instead of reconnecting.");
        // The failed attempts are logged as errors; nothing was refused by the Content-Security-Policy.
        Assert.DoesNotContain(session.Errors, e => e.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase));
    }
}
