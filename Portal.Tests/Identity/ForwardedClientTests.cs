using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Identity;

/// <summary>
/// Behind a reverse proxy every request comes from the proxy's address; the limits per client must
/// count the client the proxy names, and only a trusted proxy may name one.
/// </summary>
public sealed class ForwardedClientTests : IAsyncLifetime
{
    private readonly BrowserPortal _portal = new();

    public ForwardedClientTests()
    {
        _portal.Settings["RateLimits:AccountMail:PerIp"] = "2";
        _portal.Settings["RateLimits:AccountMail:PerAddress"] = "100";
    }

    /// <summary>Asks for password reset mail <paramref name="times"/> times as the client a proxy names; true where refused as too many.</summary>
    private async Task<bool[]> ForgotFromAsync(string client, int times)
    {
        using var http = _portal.CreateClient(new WebApplicationFactoryClientOptions
        {
            AllowAutoRedirect = false,
            HandleCookies = true,
            BaseAddress = new Uri(_portal.PublicBaseUrl),
        });
        http.DefaultRequestHeaders.Add("X-Forwarded-For", client);
        var limited = new bool[times];
        for (var i = 0; i < times; i++)
        {
            using var response = await http.SubmitFormAsync("/Identity/Account/ForgotPassword",
                new Dictionary<string, string> { ["Input.Email"] = $"someone{i}@example.org" });
            Assert.True(response.IsSuccessStatusCode || response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.TooManyRequests,
                $"unexpected {response.StatusCode}");
            limited[i] = response.StatusCode == HttpStatusCode.TooManyRequests;
        }
        return limited;
    }

    [Fact]
    public async Task Behind_a_proxy_on_this_machine_each_forwarded_client_has_its_own_limit()
    {
        Assert.Equal(new[] { false, false, true }, await ForgotFromAsync("203.0.113.7", 3));

        Assert.Equal(new[] { false, false }, await ForgotFromAsync("203.0.113.8", 2));
    }

    [Fact]
    public async Task A_client_that_is_not_a_known_proxy_cannot_name_another_client()
    {
        _portal.Settings["Proxy:KnownNetworks:0"] = "10.0.0.0/8";

        Assert.Equal(new[] { false, false }, await ForgotFromAsync("203.0.113.7", 2));

        // The same machine claiming to forward for someone else still counts as itself.
        Assert.Equal(new[] { true }, await ForgotFromAsync("203.0.113.9", 1));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _portal.DisposeAsync().AsTask();
}
