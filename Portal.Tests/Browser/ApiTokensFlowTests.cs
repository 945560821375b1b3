using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Portal.Features.Api;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class ApiTokensFlowTests(BrowserFixture fixture)
{
    [Fact]
    public async Task An_admin_makes_a_token_on_the_page_and_a_program_invites_with_it()
    {
        await using var session = await fixture.SignedInAdminAsync("api.admin@example.org", "a sturdy admin passphrase");
        var page = session.Page;

        await page.GotoAsync("admin");
        await session.WaitForInteractiveAsync();
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Administration" }).GetByRole(AriaRole.Link, new() { Name = "API tokens" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "API tokens" })).ToBeVisibleAsync();
        await page.GetByLabel("Name").FillAsync("HR sync");
        await page.GetByTestId("create-token").ClickAsync();
        var shown = page.GetByTestId("token-value");
        await Assertions.Expect(shown).ToContainTextAsync(ApiTokens.Prefix);
        var token = (await shown.TextContentAsync())!.Trim();
        await session.ScreenshotAsync("api-tokens-created");

        using var program = new HttpClient { BaseAddress = new Uri(fixture.Portal.PublicBaseUrl) };
        program.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await program.PostAsJsonAsync("api/v1/invitations", new { email = "new.colleague@example.org", name = "New Colleague" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Sent", created.GetProperty("outcome").GetString());

        // The page, visited again, no longer shows the token; the list says it was used just now.
        await page.ReloadAsync();
        await session.WaitForInteractiveAsync();
        await Assertions.Expect(page.GetByTestId("token-value")).ToHaveCountAsync(0);
        var row = page.Locator("tbody tr").Filter(new() { HasText = "HR sync" });
        await Assertions.Expect(row.Locator("td[data-label='Last used'] time")).ToHaveCountAsync(1);
        await Assertions.Expect(row).ToContainTextAsync("Active");
        await session.ScreenshotAsync("api-tokens");

        await page.GetByTestId("api-docs").ClickAsync();
        await Assertions.Expect(page.GetByText("Portal API").First).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("/api/v1/invitations/{id}/revoke").First).ToBeAttachedAsync();
        foreach (var group in new[] { "Bulk invitations", "Reviews", "Users" })
        {
            await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = group, Exact = true })).ToBeVisibleAsync();
        }
        // Nothing that would send the document or a request to another host is offered.
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Open API Client" })).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByText("Ask AI", new() { Exact = true })).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByText("Deploy", new() { Exact = true })).ToHaveCountAsync(0);
        await session.ScreenshotAsync("api-docs");

        await page.GotoAsync("language/de?returnUrl=%2Fadmin%2Fapi-tokens");
        await session.WaitForInteractiveAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "API-Tokens" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("tbody tr").Filter(new() { HasText = "HR sync" })).ToContainTextAsync("Aktiv");
        await session.ScreenshotAsync("api-tokens-de");
        session.AssertNoErrors();
    }
}
