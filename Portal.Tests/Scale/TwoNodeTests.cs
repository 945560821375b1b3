using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Scale;

/// <summary>
/// Two nodes of one site: two portals on Kestrel on two loopback ports, sharing a PostgreSQL
/// database and nothing else (each has a data directory of its own), as behind a load balancer.
/// </summary>
public sealed class TwoNodeTests : IPostgresVariant, IAsyncLifetime
{
    private string _database = "";

    public Task InitializeAsync()
    {
        _database = PostgresTestServer.CreateDatabase();
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        PostgresTestServer.DropDatabase(_database);
        return Task.CompletedTask;
    }

    [DatabaseFact]
    public async Task A_sign_in_on_one_node_is_honoured_by_the_other()
    {
        await using var a = StartNode();
        await using var b = StartNode();
        await a.CreateUserAsync("ada@example.org");
        using var browser = Browser(a);

        using var signIn = await browser.SignInAsync("ada@example.org", TestPortal.DefaultPassword);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        using var profile = await browser.GetAsync(b.PublicBaseUrl + "account/profile");

        Assert.True(profile.StatusCode == HttpStatusCode.OK, $"Node B answered {profile.StatusCode} {profile.Headers.Location}");
        Assert.Equal("My profile", (await Forms.ParseAsync(profile)).QuerySelector("h1")?.TextContent);
    }

    [DatabaseFact]
    public async Task A_form_from_one_node_is_accepted_by_the_other()
    {
        await using var a = StartNode();
        await using var b = StartNode();
        await a.CreateUserAsync("grace@example.org");
        using var browser = Browser(a);

        // The antiforgery cookie and the form's token come from node A; node B checks them.
        using var signIn = await browser.SubmitFormAsync("/Identity/Account/Login", new Dictionary<string, string>
        {
            ["Input.Email"] = "grace@example.org",
            ["Input.Password"] = TestPortal.DefaultPassword,
        }, postTo: b.PublicBaseUrl + "Identity/Account/Login");

        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.Contains(signIn.Headers.GetValues("Set-Cookie"), c => c.StartsWith("portal.auth=", StringComparison.Ordinal));
    }

    [DatabaseFact]
    public async Task A_password_reset_token_made_by_one_node_is_accepted_by_the_other()
    {
        await using var a = StartNode();
        await using var b = StartNode();
        var user = await a.CreateUserAsync("linus@example.org");
        string token;
        await using (var scope = a.Services.CreateAsyncScope())
        {
            token = await scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>().GeneratePasswordResetTokenAsync(user);
        }

        await using var onB = b.Services.CreateAsyncScope();
        var users = onB.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var reset = await users.ResetPasswordAsync((await users.FindByIdAsync(user.Id))!, token, "another long enough passphrase");

        Assert.True(reset.Succeeded, string.Join("; ", reset.Errors.Select(e => e.Description)));
    }

    /// <summary>A node on the shared database, started (migrations run before it listens).</summary>
    private BrowserPortal StartNode(Action<IServiceCollection>? configureServices = null, Action<BrowserPortal>? configure = null)
    {
        var node = BrowserPortal.Node(_database, configureServices);
        configure?.Invoke(node);
        node.StartServer();
        return node;
    }

    /// <summary>
    /// A client that keeps cookies as a browser does: by host, whatever the port, so both nodes see
    /// the cookies either one set, as they would behind one address.
    /// </summary>
    private static HttpClient Browser(BrowserPortal node) =>
        new(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() })
        {
            BaseAddress = new Uri(node.PublicBaseUrl),
        };
}
