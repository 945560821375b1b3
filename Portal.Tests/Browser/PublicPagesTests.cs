using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class PublicPagesTests(BrowserFixture fixture)
{
    [Fact]
    public async Task A_member_resets_a_forgotten_password_from_the_emailed_link_and_signs_in_with_it()
    {
        await fixture.Portal.CreateUserAsync("ada@example.org");
        await using var session = await fixture.NewSessionAsync();
        var page = session.Page;

        await page.GotoAsync("");
        await session.ScreenshotAsync("home");
        await page.GetByRole(AriaRole.Link, new() { Name = "Sign in" }).First.ClickAsync();
        // The address, not the load event: waiting for that as well has timed out on a busy machine.
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/Identity/Account/Login"));
        await session.ScreenshotAsync("login");
        await page.GetByRole(AriaRole.Link, new() { Name = "Forgot your password?" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/Identity/Account/ForgotPassword"));
        await session.ScreenshotAsync("forgot-password");
        await page.GetByLabel("Email").FillAsync("ada@example.org");
        await page.GetByRole(AriaRole.Button, new() { Name = "Reset Password" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Forgot password confirmation" })).ToBeVisibleAsync();
        await session.ScreenshotAsync("forgot-password-confirmation");

        var mail = await fixture.Portal.Mail.DeliveredAsync("ada@example.org", "Reset your Portal password");
        var link = mail.LinkContaining("ResetPassword");
        Assert.StartsWith(fixture.Portal.PublicBaseUrl, link);
        await page.GotoAsync(link);
        await session.ScreenshotAsync("reset-password");
        await page.GetByLabel("Email").FillAsync("ada@example.org");
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync("ada's fresh passphrase");
        await page.GetByLabel("Confirm password").FillAsync("ada's fresh passphrase");
        await page.GetByRole(AriaRole.Button, new() { Name = "Reset" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Reset password confirmation" })).ToBeVisibleAsync();
        await session.ScreenshotAsync("reset-password-confirmation");

        await session.SignInAsync("ada@example.org", "ada's fresh passphrase");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Welcome" })).ToBeVisibleAsync();
        await page.Locator("main").GetByRole(AriaRole.Link, new() { Name = "My profile" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Password and sign-in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Manage your account" })).ToBeVisibleAsync();
        await session.ScreenshotAsync("manage-account");
        session.AssertNoErrors();
    }

    [Fact]
    public async Task Identity_sign_up_leads_to_the_portal_sign_up_and_unknown_pages_explain_themselves()
    {
        await using var session = await fixture.NewSessionAsync();
        var page = session.Page;

        await page.GotoAsync("Identity/Account/Register");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Create an account" })).ToBeVisibleAsync();
        Assert.EndsWith("/register", page.Url);

        await page.GotoAsync("no/such/page");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Page not found" })).ToBeVisibleAsync();
        await session.ScreenshotAsync("not-found");
    }

    [Fact]
    public async Task A_link_to_an_account_page_loads_it_once_as_a_document()
    {
        // The account pages are not components: a link to one that the framework fetched in place
        // would be fetched, thrown away and loaded a second time.
        await using var session = await fixture.NewSessionAsync();
        var page = session.Page;
        var requests = new List<string>();
        page.Request += (_, request) =>
        {
            if (request.Url.Contains("/Identity/Account/", StringComparison.Ordinal))
            {
                requests.Add($"{request.ResourceType} {new Uri(request.Url).AbsolutePath}");
            }
        };

        await page.GotoAsync("");
        await page.Locator("main").GetByRole(AriaRole.Link, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await page.GotoAsync("");
        await page.GetByRole(AriaRole.Link, new() { Name = "Forgot your password?" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Forgot your password?" })).ToBeVisibleAsync();

        Assert.Equal(["document /Identity/Account/Login", "document /Identity/Account/ForgotPassword"], requests);
        session.AssertNoErrors();
    }
}
