using System.Globalization;
using System.Net;
using Portal.Features.Api;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Features.Api;

public sealed class ApiRateLimitTests : IAsyncLifetime
{
    private readonly ApiPortal _fixture = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _fixture.DisposeAsync();

    [Fact]
    public async Task A_token_past_its_share_is_a_429_problem_with_retry_after_and_other_tokens_go_on()
    {
        _fixture.Portal.Settings["Api:RequestsPerToken"] = "3";
        _fixture.Portal.Settings["Api:RateWindow"] = "01:00:00";
        var (_, ada) = await _fixture.AdminAsync("ada");
        using var busy = _fixture.Client(await _fixture.TokenAsync(ada, "busy script"));
        using var other = _fixture.Client(await _fixture.TokenAsync(ada, "quiet script"));

        var allowed = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            allowed.Add((await busy.GetAsync("/api/v1/invitations")).StatusCode);
        }
        var refused = await busy.GetAsync("/api/v1/invitations");
        var otherToken = await other.GetAsync("/api/v1/invitations");

        Assert.All(allowed, status => Assert.Equal(HttpStatusCode.OK, status));
        await ApiPortal.ProblemAsync(refused, HttpStatusCode.TooManyRequests, ApiProblems.RateLimited);
        // Three an hour come back one every 20 minutes.
        var retryAfter = int.Parse(Assert.Single(refused.Headers.GetValues("Retry-After")), CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 20 * 60);
        Assert.Equal(HttpStatusCode.OK, otherToken.StatusCode);
    }

    [Fact]
    public async Task Every_endpoint_counts_against_the_tokens_share()
    {
        _fixture.Portal.Settings["Api:RequestsPerToken"] = "1";
        _fixture.Portal.Settings["Api:RateWindow"] = "01:00:00";
        var (_, ada) = await _fixture.AdminAsync("ada");
        var endpoints = _fixture.Endpoints();
        Assert.NotEmpty(endpoints);

        foreach (var (method, route) in endpoints)
        {
            using var client = _fixture.Client(await _fixture.TokenAsync(ada, $"{method} {route}"));
            var path = route.Replace("{id}", "1", StringComparison.Ordinal);

            var first = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
            var second = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

            Assert.NotEqual(HttpStatusCode.TooManyRequests, first.StatusCode);
            Assert.True(second.StatusCode == HttpStatusCode.TooManyRequests, $"{method} {route} answered {second.StatusCode} past the token's share");
            await ApiPortal.ProblemAsync(second, HttpStatusCode.TooManyRequests, ApiProblems.RateLimited);
        }
    }
}
