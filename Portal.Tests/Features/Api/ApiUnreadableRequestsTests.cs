using System.Net;
using System.Net.Http.Json;
using System.Text;
using Portal.Features.Api;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Features.Api;

/// <summary>A request the endpoint cannot read is a problem that says what is wrong, never a bare 400.</summary>
public sealed class ApiUnreadableRequestsTests : IAsyncLifetime
{
    private readonly ApiPortal _fixture = new();
    private HttpClient _client = default!;

    public async Task InitializeAsync()
    {
        var (_, ada) = await _fixture.AdminAsync("ada");
        _client = _fixture.Client(await _fixture.TokenAsync(ada));
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _fixture.DisposeAsync();
    }

    [Fact]
    public async Task Json_that_does_not_parse_says_where_it_breaks()
    {
        var response = await _client.PostAsync("/api/v1/invitations", Json("{\n  \"email\": \"grace@example.org\",\n  \"name\": \n}"));

        var problem = await ApiPortal.ProblemAsync(response, HttpStatusCode.BadRequest, ApiProblems.InvalidRequest);
        Assert.Contains("line 4", problem.GetProperty("detail").GetString());
        await AssertNothingInvitedAsync();
    }

    [Fact]
    public async Task A_value_of_the_wrong_type_names_its_field()
    {
        var response = await _client.PostAsync("/api/v1/invitations", Json("{\"email\": \"grace@example.org\", \"expiryDays\": \"ten\"}"));

        var problem = await ApiPortal.ProblemAsync(response, HttpStatusCode.BadRequest, ApiProblems.InvalidField);
        Assert.Equal("expiryDays", problem.GetProperty("field").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty("expiryDays", out _));
        await AssertNothingInvitedAsync();
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_a_415_problem()
    {
        var response = await _client.PostAsync("/api/v1/invitations", new StringContent("email=grace@example.org", Encoding.UTF8, "application/x-www-form-urlencoded"));

        var problem = await ApiPortal.ProblemAsync(response, HttpStatusCode.UnsupportedMediaType, ApiProblems.UnsupportedMediaType);
        Assert.Contains("application/json", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task An_unknown_path_or_method_is_a_problem_not_a_page()
    {
        var unknown = await _client.GetAsync("/api/v1/nothing-here");
        var method = await _client.DeleteAsync("/api/v1/invitations");

        await ApiPortal.ProblemAsync(unknown, HttpStatusCode.NotFound, ApiProblems.NotFound);
        await ApiPortal.ProblemAsync(method, HttpStatusCode.MethodNotAllowed, ApiProblems.MethodNotAllowed);
    }

    [Fact]
    public async Task A_missing_body_or_a_query_value_of_the_wrong_form_is_a_400_problem()
    {
        var empty = await _client.PostAsync("/api/v1/invitations", Json(""));
        var page = await _client.GetAsync("/api/v1/invitations?page=first");

        await ApiPortal.ProblemAsync(empty, HttpStatusCode.BadRequest, ApiProblems.InvalidRequest);
        await ApiPortal.ProblemAsync(page, HttpStatusCode.BadRequest, ApiProblems.InvalidRequest);
    }

    [Fact]
    public async Task The_explanation_is_in_the_readers_language()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/invitations") { Content = Json("{\"email\": \"grace@example.org\", \"expiryDays\": true}") };
        request.Headers.AcceptLanguage.ParseAdd("de");

        var problem = await ApiPortal.ProblemAsync(await _client.SendAsync(request), HttpStatusCode.BadRequest, ApiProblems.InvalidField);

        Assert.Equal("Der Wert passt nicht zum Typ dieses Feldes.", problem.GetProperty("detail").GetString());
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private async Task AssertNothingInvitedAsync()
    {
        var list = await _client.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/v1/invitations");
        Assert.Equal(0, list.GetProperty("total").GetInt32());
    }
}
