using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Features.Api;
using Portal.Identity;

namespace Portal.Tests.TestInfrastructure;

/// <summary>A portal on a test clock, with admins who make API tokens and clients that call the API with them.</summary>
public sealed class ApiPortal : IAsyncDisposable
{
    public ApiPortal()
    {
        Portal = TestPortal.WithServices(services => services.AddSingleton<TimeProvider>(Clock));
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

    public async ValueTask DisposeAsync() => await Portal.DisposeAsync();
}
