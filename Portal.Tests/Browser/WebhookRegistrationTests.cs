using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Portal.Features.Webhooks;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class WebhookRegistrationTests(BrowserFixture fixture)
{
    [Fact]
    public async Task An_admin_registers_an_endpoint_from_the_menu_and_copies_its_secret_shown_once()
    {
        await using var session = await fixture.SignedInAdminAsync("chief@example.org", "a sturdy admin passphrase");
        var page = session.Page;
        await page.GotoAsync("admin");
        await session.WaitForInteractiveAsync();

        await page.GetByRole(AriaRole.Navigation, new() { Name = "Administration" }).GetByText("Webhooks", new() { Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Webhooks", Level = 1 })).ToBeVisibleAsync();
        await session.WaitForInteractiveAsync();
        await page.GetByLabel("URL").FillAsync("https://93.184.215.14/hooks");
        await page.GetByLabel("URL").PressAsync("Tab");
        await page.GetByLabel("bulk.finished").UncheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Register" }).ClickAsync();

        var secret = page.Locator("[data-secret]");
        await Assertions.Expect(secret).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^whsec_[A-Za-z0-9+/]{43}=$"));
        await Assertions.Expect(page.Locator("[data-endpoint] [data-url]")).ToHaveTextAsync("https://93.184.215.14/hooks");
        await session.ScreenshotAsync("admin-webhooks-registered");
        await using (var db = await fixture.Portal.DbAsync())
        {
            var endpoint = await db.WebhookEndpoints.SingleAsync(e => e.Url == "https://93.184.215.14/hooks");
            Assert.Equal(await secret.TextContentAsync(), fixture.Portal.Get<WebhookSecrets>().Open(endpoint.Secret));
            Assert.DoesNotContain("bulk.finished", endpoint.Events);
        }

        await page.GetByRole(AriaRole.Button, new() { Name = "I have copied it" }).ClickAsync();
        await Assertions.Expect(secret).ToHaveCountAsync(0);
        session.AssertNoErrors();
    }
}
