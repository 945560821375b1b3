using System.Net;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Identity;

/// <summary>
/// The Identity pages as a published portal serves them (Production): no script, style or font
/// comes from another host, so a password reset token in the address never reaches one.
/// </summary>
public sealed class OutsideRequestsTests : IAsyncLifetime
{
    private readonly TestPortal _portal = new();

    public OutsideRequestsTests()
    {
        _portal.RunAsPublished();
    }

    [Theory]
    [InlineData("/Identity/Account/Login")]
    [InlineData("/Identity/Account/ForgotPassword")]
    [InlineData("/Identity/Account/ResetPassword?code=QUJD")]
    [InlineData("/Identity/Account/ResendEmailConfirmation")]
    public async Task An_identity_page_loads_nothing_from_another_host(string path)
    {
        await _portal.CreateUserAsync("outside@example.org");
        using var client = _portal.CreateBrowserlikeClient();
        using (var signIn = await client.SignInAsync("outside@example.org", TestPortal.DefaultPassword))
        {
            Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        }

        var page = await client.GetPageAsync(path);

        var outside = page.QuerySelectorAll("[src], [href]")
            .Select(e => e.GetAttribute("src") ?? e.GetAttribute("href")!)
            .Where(url => url.StartsWith("//", StringComparison.Ordinal) || (Uri.TryCreate(url, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https" && absolute.Host != "localhost"))
            .ToList();
        Assert.True(outside.Count == 0, $"{path} loads from another host: {string.Join(", ", outside)}");
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _portal.DisposeAsync();
}
