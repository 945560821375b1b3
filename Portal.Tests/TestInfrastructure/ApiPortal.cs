using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Features.Api;
using Portal.Features.Audit;
using Portal.Identity;

namespace Portal.Tests.TestInfrastructure;

/// <summary>A portal on a test clock, with admins who make API tokens and clients that call the API with them.</summary>
public sealed partial class ApiPortal : IAsyncDisposable
{
    /// <param name="configureServices">Changes to the portal's services besides the clock (taking its background workers away, say).</param>
    public ApiPortal(Action<IServiceCollection>? configureServices = null)
    {
        Portal = TestPortal.WithServices(services =>
        {
            services.AddSingleton<TimeProvider>(Clock);
            configureServices?.Invoke(services);
        });
    }

    public TestPortal Portal { get; }

    public TestClock Clock { get; } = new(DateTimeOffset.UtcNow);

    public ApiTokens Tokens => Portal.Get<ApiTokens>();

    /// <summary>A far enough expiry date for tokens that are not about expiry.</summary>
    public DateOnly NextYear => DateOnly.FromDateTime(Clock.Now.UtcDateTime).AddYears(1);

    /// <summary>A new active admin, and the actor they are.</summary>
    public async Task<(PortalUser User, Actor Actor)> AdminAsync(string name)
    {
        var user = await Portal.CreateUserAsync($"{name}@example.org", roles: Roles.Admin);
        return (user, new Actor(user.Id, user.UserName!, new HashSet<string> { Roles.Admin }));
    }

    /// <summary>A token of <paramref name="admin"/> with the scopes given (all of them when none are).</summary>
    public async Task<string> TokenAsync(Actor admin, string name = "HR sync", params string[] scopes) =>
        (await Tokens.CreateAsync(admin, name, scopes.Length == 0 ? ApiScopes.All : scopes, NextYear)).Token;

    /// <summary>A client that sends <paramref name="token"/> as its bearer token (none when null) and keeps no cookie.</summary>
    public HttpClient Client(string? token)
    {
        var client = Portal.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return client;
    }

    /// <summary>
    /// Sends the request <paramref name="request"/> makes with each token the API does not accept, and asserts
    /// its 401 problem with <c>WWW-Authenticate: Bearer</c>: none, malformed, unknown, revoked by
    /// <paramref name="admin"/>, and one of <paramref name="admin"/>'s that expires, once the clock has passed
    /// its day (<paramref name="beforeExpiry"/> may use it first, while it still works).
    /// </summary>
    public async Task AssertUnacceptedTokensRefusedAsync(Actor admin, Func<HttpRequestMessage> request, Func<HttpClient, Task>? beforeExpiry = null)
    {
        var revoked = await Tokens.CreateAsync(admin, "Old", ApiScopes.All, NextYear);
        await Tokens.RevokeAsync(admin, revoked.Row.Id);
        var expiring = await Tokens.CreateAsync(admin, "Short", ApiScopes.All, DateOnly.FromDateTime(Clock.Now.UtcDateTime).AddDays(1));
        var cases = new (string? Token, string Type)[]
        {
            (null, ApiProblems.TokenMissing),
            ("not-a-token", ApiProblems.TokenMalformed),
            (ApiTokens.Prefix + new string('A', Secrets.TokenLength), ApiProblems.TokenUnknown),
            (revoked.Token, ApiProblems.TokenRevoked),
        };
        foreach (var (token, type) in cases)
        {
            await RefusedAsync(token, type);
        }
        if (beforeExpiry is not null)
        {
            using var valid = Client(expiring.Token);
            await beforeExpiry(valid);
        }
        Clock.Advance(TimeSpan.FromDays(1));
        await RefusedAsync(expiring.Token, ApiProblems.TokenExpired);

        async Task RefusedAsync(string? token, string type)
        {
            using var client = Client(token);
            var response = await client.SendAsync(request());
            await ProblemAsync(response, HttpStatusCode.Unauthorized, type);
            Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        }
    }

    /// <summary>
    /// Sends the request <paramref name="request"/> makes as a second admin, bob, with his own token "Bob's
    /// script"; asserts it succeeded, that every audit entry after bob made the token names the token, and that
    /// the token's use is noted. Returns bob and those entries, for the caller's own checks.
    /// </summary>
    public async Task<(Actor Bob, IReadOnlyList<AuditEntry> Entries)> SendAsAnotherAdminAsync(string method, string path, Func<HttpRequestMessage> request)
    {
        var (_, bob) = await AdminAsync("bob");
        using var client = Client(await TokenAsync(bob, "Bob's script"));

        var response = await client.SendAsync(request());

        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode}");
        await using var db = await Portal.DbAsync();
        // Bob made the token himself, on the page; everything after that the token did.
        var entries = await db.AuditEntries.AsNoTracking().Where(e => e.ActorId == bob.UserId && e.Action != AuditActions.ApiTokenCreated).ToListAsync();
        Assert.All(entries, e => Assert.Equal($"{bob.Name} (token: Bob's script)", e.ActorName));
        Assert.Equal(bob.UserId, await db.ApiTokens.Where(t => t.Name == "Bob's script" && t.LastUsedAt != null).Select(t => t.UserId).SingleAsync());
        return (bob, entries);
    }

    /// <summary>Every endpoint of the API as the portal routes it: method and route ("POST /api/v1/invitations/{id}/resend").</summary>
    public IReadOnlyList<(string Method, string Route)> Endpoints() =>
    [
        .. Portal.Get<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith(ApiSetup.BasePath, StringComparison.Ordinal) == true)
            .SelectMany(e => e.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods.Select(m => (m, Route(e.RoutePattern.RawText!))))
            .Order(),
    ];

    /// <summary>A route as the OpenAPI document writes it: without constraints ("{id:long}" is "{id}") or a trailing slash.</summary>
    private static string Route(string pattern) => ConstraintPattern().Replace(pattern, "}").TrimEnd('/');

    [GeneratedRegex(@":[^}]+\}")]
    private static partial Regex ConstraintPattern();

    /// <summary>Asserts that <paramref name="response"/> is the problem of <paramref name="type"/> with <paramref name="status"/>, and returns its body.</summary>
    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status, string type)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(ApiProblems.TypePrefix + type, problem.GetProperty("type").GetString());
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        return problem;
    }

    public async ValueTask DisposeAsync() => await Portal.DisposeAsync();
}
