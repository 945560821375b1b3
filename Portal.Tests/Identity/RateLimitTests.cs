using System.Net;
using Microsoft.EntityFrameworkCore;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Identity;

public sealed class RateLimitTests : IAsyncLifetime
{
    private readonly TestPortal _portal = new();

    public RateLimitTests()
    {
        _portal.Settings["RateLimits:AccountMail:PerIp"] = "5";
        _portal.Settings["RateLimits:AccountMail:PerAddress"] = "2";
    }

    private async Task<HttpResponseMessage> ForgotAsync(HttpClient client, string email) =>
        await client.SubmitFormAsync("/Identity/Account/ForgotPassword", new Dictionary<string, string> { ["Input.Email"] = email });

    [Fact]
    public async Task Password_resets_are_limited_per_address_in_any_spelling_with_a_friendly_page()
    {
        await _portal.CreateUserAsync("limited@example.org");
        using var client = _portal.CreateBrowserlikeClient();

        using var first = await ForgotAsync(client, "limited@example.org");
        using var second = await ForgotAsync(client, "LIMITED@Example.org ");
        using var third = await ForgotAsync(client, "limited@example.org");

        Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, second.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        Assert.True(third.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        var page = await Forms.ParseAsync(third);
        Assert.Equal("Too many attempts", page.QuerySelector("h1")!.TextContent);
        Assert.Contains("Try again in", page.QuerySelector("main p")!.TextContent);
        Assert.NotNull(page.QuerySelector("header.portal-topbar"));

        await using var db = await _portal.DbAsync();
        Assert.Equal(2, await db.OutboxMessages.CountAsync(m => m.Recipient == "limited@example.org"));
    }

    [Fact]
    public async Task Unknown_addresses_are_limited_the_same_way_so_the_limit_reveals_nothing()
    {
        using var client = _portal.CreateBrowserlikeClient();

        using var first = await ForgotAsync(client, "ghost@example.org");
        using var second = await ForgotAsync(client, "ghost@example.org");
        using var third = await ForgotAsync(client, "ghost@example.org");

        Assert.Equal(HttpStatusCode.Redirect, second.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
    }

    [Fact]
    public async Task One_client_is_limited_across_addresses()
    {
        using var client = _portal.CreateBrowserlikeClient();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 7; i++)
        {
            using var response = await ForgotAsync(client, $"spray{i}@example.org");
            statuses.Add(response.StatusCode);
        }

        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        Assert.True(statuses.Take(3).All(s => s == HttpStatusCode.Redirect));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _portal.DisposeAsync().AsTask();
}
