using Microsoft.Playwright;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Browser;

/// <summary>
/// Identity's pages in Chromium as a published (Production) portal serves them: there Identity
/// would fill its pages' script section from a CDN with inline fallbacks, which the portal's
/// Content-Security-Policy blocks, leaving the forms without client-side validation.
/// </summary>
public sealed class PublishedIdentityPagesTests(PublishedIdentityPagesTests.PublishedPortal fixture) : IClassFixture<PublishedIdentityPagesTests.PublishedPortal>
{
    [Theory]
    [InlineData("Identity/Account/Login", "Sign in")]
    [InlineData("Identity/Account/ForgotPassword", "Reset Password")]
    [InlineData("Identity/Account/ResetPassword?code=QUJD", "Reset")]
    [InlineData("Identity/Account/ResendEmailConfirmation", "Resend")]
    public async Task An_identity_form_says_an_empty_address_is_required_before_anything_is_sent(string path, string button)
    {
        await using var session = await fixture.NewSessionAsync();
        var page = session.Page;
        var posts = new List<string>();
        page.Request += (_, request) =>
        {
            if (request.Method == "POST")
            {
                posts.Add(request.Url);
            }
        };

        await page.GotoAsync(path);
        await page.GetByRole(AriaRole.Button, new() { Name = button, Exact = true }).ClickAsync();

        await Assertions.Expect(page.Locator("[data-valmsg-for='Input.Email']")).ToHaveTextAsync("The Email field is required.");
        Assert.Empty(posts);
        session.AssertNoErrors();
    }

    [Fact]
    public async Task The_identity_pages_a_member_meets_run_without_a_script_error()
    {
        await fixture.Portal.CreateUserAsync("tidy@example.org");
        await using var session = await fixture.NewSessionAsync();
        var page = session.Page;

        foreach (var path in new[]
        {
            "Identity/Account/Login", "Identity/Account/ForgotPassword", "Identity/Account/ForgotPasswordConfirmation",
            "Identity/Account/ResetPassword?code=QUJD", "Identity/Account/ResetPasswordConfirmation",
            "Identity/Account/ResendEmailConfirmation", "Identity/Account/Lockout",
        })
        {
            await page.GotoAsync(path);
            await Assertions.Expect(page.Locator("main h1")).ToBeVisibleAsync();
        }
        await session.SignInAsync("tidy@example.org", TestPortal.DefaultPassword);
        foreach (var path in new[]
        {
            "Identity/Account/Manage/ChangePassword", "Identity/Account/Manage/TwoFactorAuthentication",
            "Identity/Account/Manage/EnableAuthenticator", "Identity/Account/Manage/PersonalData",
            "Identity/Account/Manage/DeletePersonalData", "Identity/Account/AccessDenied", "Identity/Account/Logout",
        })
        {
            await page.GotoAsync(path);
            await Assertions.Expect(page.Locator("main h1")).ToBeVisibleAsync();
        }

        session.AssertNoErrors();
    }

    public sealed class PublishedPortal : BrowserFixture
    {
        public PublishedPortal() => Portal.RunAsPublished();
    }
}
