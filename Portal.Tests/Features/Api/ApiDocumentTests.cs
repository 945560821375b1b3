using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.OpenApi;
using Portal.Features.Api;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Features.Api;

public sealed class ApiDocumentTests : IAsyncLifetime
{
    private readonly ApiPortal _fixture = new();

    [Fact]
    public async Task The_openapi_document_lists_every_endpoint_and_the_bearer_scheme()
    {
        using var client = _fixture.Client(null);

        var document = await client.GetFromJsonAsync<JsonElement>(ApiSetup.DocumentPath);

        var paths = document.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Select(o => $"{o.Name.ToUpperInvariant()} {p.Name}"))
            .Order().ToList();
        Assert.Equal(
        [
            "GET /api/v1/bulk-invitations",
            "GET /api/v1/bulk-invitations/{id}",
            "GET /api/v1/bulk-invitations/{id}/results",
            "GET /api/v1/bulk-invitations/{id}/rows",
            "GET /api/v1/invitations",
            "GET /api/v1/invitations/{id}",
            "GET /api/v1/reviews",
            "GET /api/v1/reviews/changes/{id}",
            "GET /api/v1/users",
            "GET /api/v1/users/{id}",
            "POST /api/v1/bulk-invitations",
            "POST /api/v1/bulk-invitations/{id}/cancel",
            "POST /api/v1/bulk-invitations/{id}/resume",
            "POST /api/v1/bulk-invitations/{id}/start",
            "POST /api/v1/invitations",
            "POST /api/v1/invitations/{id}/resend",
            "POST /api/v1/invitations/{id}/revoke",
            "POST /api/v1/reviews/changes/{id}/approve",
            "POST /api/v1/reviews/changes/{id}/reject",
            "POST /api/v1/reviews/sign-ups/{id}/approve",
            "POST /api/v1/reviews/sign-ups/{id}/reject",
        ], paths);
        Assert.Contains("Idempotency-Key", document.GetProperty("info").GetProperty("description").GetString());
        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty(ApiTokenHandler.SchemeName);
        Assert.Equal(("http", "bearer"), (scheme.GetProperty("type").GetString(), scheme.GetProperty("scheme").GetString()));
        Assert.True(Assert.Single(document.GetProperty("security").EnumerateArray()).TryGetProperty(ApiTokenHandler.SchemeName, out _));
        var create = document.GetProperty("paths").GetProperty("/api/v1/invitations").GetProperty("post");
        Assert.Contains("CreateInvitationRequest", create.GetProperty("requestBody").GetRawText());
        Assert.Equal(["200", "201", "400", "401", "403", "409", "422", "429"], create.GetProperty("responses").EnumerateObject().Select(r => r.Name).Order());
        var outcome = document.GetProperty("components").GetProperty("schemas").GetProperty("InviteOutcome");
        Assert.Contains("AlreadyMember", outcome.GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task The_openapi_document_is_valid_and_describes_every_routed_endpoint_with_its_refusals()
    {
        using var client = _fixture.Client(null);
        var json = await client.GetStringAsync(ApiSetup.DocumentPath);

        var (document, diagnostic) = OpenApiDocument.Parse(json, "json");

        Assert.Empty(diagnostic!.Errors);
        Assert.Empty(document!.Validate(ValidationRuleSet.GetDefaultRuleSet())!);
        var documented = document!.Paths
            .SelectMany(p => p.Value.Operations!.Select(o => (Method: o.Key.Method, Route: p.Key, Operation: o.Value)))
            .ToList();
        Assert.Equal(_fixture.Endpoints(), documented.Select(d => (d.Method, d.Route)).Order());
        Assert.All(documented, d =>
        {
            var statuses = d.Operation.Responses!.Keys;
            Assert.True(new[] { "401", "403", "429" }.All(statuses.Contains), $"{d.Method} {d.Route} does not describe its refusals: {string.Join(", ", statuses)}");
            Assert.False(string.IsNullOrEmpty(d.Operation.Summary), $"{d.Method} {d.Route} has no summary");
            Assert.False(string.IsNullOrEmpty(d.Operation.OperationId), $"{d.Method} {d.Route} has no operation id");
        });
    }

    [Fact]
    public async Task The_documentation_is_for_signed_in_admins_only()
    {
        var (admin, _) = await _fixture.AdminAsync("ada");
        var member = await _fixture.Portal.CreateUserAsync("linus@example.org");
        using var anonymous = _fixture.Portal.CreateBrowserlikeClient();
        using var memberClient = _fixture.Portal.CreateBrowserlikeClient();
        using var adminClient = _fixture.Portal.CreateBrowserlikeClient();
        await memberClient.SignInAsync(member.Email!, TestPortal.DefaultPassword);
        await adminClient.SignInAsync(admin.Email!, TestPortal.DefaultPassword);

        var refused = await anonymous.GetAsync(ApiSetup.DocsPath);
        var forbidden = await memberClient.GetAsync(ApiSetup.DocsPath);
        var shown = await adminClient.GetAsync(ApiSetup.DocsPath + "/");

        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        Assert.Contains("/Identity/Account/Login", refused.Headers.Location!.OriginalString);
        Assert.NotEqual(HttpStatusCode.OK, forbidden.StatusCode);
        Assert.Equal(HttpStatusCode.OK, shown.StatusCode);
        Assert.Contains("openapi/v1.json", await shown.Content.ReadAsStringAsync());
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _fixture.DisposeAsync();
}
