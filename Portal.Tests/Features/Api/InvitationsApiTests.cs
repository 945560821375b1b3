using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Features.Api;
using Portal.Features.Audit;
using Portal.Features.Invitations;
using Portal.Identity;
using Portal.Tests.TestInfrastructure;
using static Portal.Tests.TestInfrastructure.ApiPortal;

namespace Portal.Tests.Features.Api;

public sealed class InvitationsApiTests : IAsyncLifetime
{
    private readonly ApiPortal _fixture = new();
    private Actor _ada = default!;
    private string _token = default!;

    public async Task InitializeAsync()
    {
        (_, _ada) = await _fixture.AdminAsync("ada");
        _token = await _fixture.TokenAsync(_ada);
    }

    public async Task DisposeAsync() => await _fixture.DisposeAsync();

    /// <summary>Every endpoint, with a request it accepts and the scope it needs.</summary>
    public static TheoryData<string, string, string> Endpoints => new()
    {
        { "POST", "/api/v1/invitations", ApiScopes.InvitationsWrite },
        { "GET", "/api/v1/invitations", ApiScopes.InvitationsRead },
        { "GET", "/api/v1/invitations/{id}", ApiScopes.InvitationsRead },
        { "POST", "/api/v1/invitations/{id}/resend", ApiScopes.InvitationsWrite },
        { "POST", "/api/v1/invitations/{id}/revoke", ApiScopes.InvitationsWrite },
    };

    [Fact]
    public async Task Creating_an_invitation_answers_201_with_its_location_and_audits_the_token()
    {
        using var client = _fixture.Client(_token);

        var response = await client.PostAsJsonAsync("/api/v1/invitations",
            new { email = "Grace@Example.org", name = "Grace Hopper", role = "Moderator", message = "Welcome", expiryDays = 3, language = "de" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Sent", body.GetProperty("outcome").GetString());
        var id = body.GetProperty("invitationId").GetInt64();
        Assert.Equal($"/api/v1/invitations/{id}", response.Headers.Location!.OriginalString);
        Assert.False(body.TryGetProperty("userId", out _));
        await using var db = await _fixture.Portal.DbAsync();
        var invitation = await db.Invitations.AsNoTracking().SingleAsync(i => i.Id == id);
        Assert.Equal(("Grace Hopper", "Moderator", "Welcome", "de", _ada.UserId, _ada.Name),
            (invitation.Name, invitation.Role, invitation.Message, invitation.Language, invitation.InviterId, invitation.InviterName));
        Assert.Equal(_fixture.Clock.Now.UtcDateTime.AddDays(3), invitation.ExpiresAt);
        var entry = Assert.Single(await _fixture.Portal.AuditAsync(AuditActions.InvitationSent));
        Assert.Equal((_ada.UserId, $"{_ada.Name} (token: HR sync)"), (entry.ActorId, entry.ActorName));

        var fetched = await client.GetFromJsonAsync<JsonElement>(response.Headers.Location);
        Assert.Equal(("Pending", "grace@example.org"), (fetched.GetProperty("status").GetString(), fetched.GetProperty("email").GetString()?.ToLowerInvariant()));
    }

    [Fact]
    public async Task An_address_invited_or_a_member_answers_200_with_the_outcome_the_page_gives()
    {
        using var client = _fixture.Client(_token);
        await client.PostAsJsonAsync("/api/v1/invitations", new { email = "grace@example.org" });
        var member = await _fixture.Portal.CreateUserAsync("linus@example.org");

        var again = await client.PostAsJsonAsync("/api/v1/invitations", new { email = "grace@example.org" });
        var resent = await client.PostAsJsonAsync("/api/v1/invitations", new { email = "grace@example.org", resend = true });
        var memberAnswer = await client.PostAsJsonAsync("/api/v1/invitations", new { email = member.Email });

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal("AlreadyInvited", (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("outcome").GetString());
        Assert.Equal(HttpStatusCode.OK, resent.StatusCode);
        Assert.Equal("Resent", (await resent.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("outcome").GetString());
        Assert.Equal(HttpStatusCode.OK, memberAnswer.StatusCode);
        var body = await memberAnswer.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("AlreadyMember", InviteRules.Describe(InviteOutcome.AlreadyMember)), (body.GetProperty("outcome").GetString(), body.GetProperty("description").GetString()));
    }

    [Theory]
    [InlineData("{}", "email")]
    [InlineData("""{"email":"not an address"}""", "email")]
    [InlineData("""{"email":"grace@example.org","role":"Owner"}""", "role")]
    [InlineData("""{"email":"grace@example.org","expiryDays":0}""", "expiryDays")]
    [InlineData("""{"email":"grace@example.org","language":"xx"}""", "language")]
    public async Task Bad_input_is_a_400_naming_the_field(string json, string field)
    {
        using var client = _fixture.Client(_token);

        var response = await client.PostAsync("/api/v1/invitations", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        var problem = await ApiPortal.ProblemAsync(response, HttpStatusCode.BadRequest, ApiProblems.InvalidField);
        Assert.Equal(field, problem.GetProperty("field").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _));
        await using var db = await _fixture.Portal.DbAsync();
        Assert.False(await db.Invitations.AnyAsync());
    }

    [Fact]
    public async Task The_list_filters_and_pages_with_the_total_in_the_body()
    {
        var invitations = _fixture.Portal.Get<InvitationService>();
        foreach (var name in new[] { "a", "b", "c" })
        {
            await invitations.InviteAsync($"{name}@example.org", _ada);
        }
        var revoked = await invitations.InviteAsync("r@example.org", _ada);
        await invitations.RevokeAsync(_ada, revoked.InvitationId!.Value);
        using var client = _fixture.Client(_token);

        var page = await client.GetFromJsonAsync<JsonElement>("/api/v1/invitations?status=pending&page=2&pageSize=2");
        var search = await client.GetFromJsonAsync<JsonElement>($"/api/v1/invitations?search=r%40&inviter={_ada.Name}");
        var later = await client.GetFromJsonAsync<JsonElement>(
            $"/api/v1/invitations?from={_fixture.Clock.Now.UtcDateTime.AddMinutes(1).ToString("O", CultureInfo.InvariantCulture)}");

        Assert.Equal((3, 2, 2), (page.GetProperty("total").GetInt32(), page.GetProperty("page").GetInt32(), page.GetProperty("pageSize").GetInt32()));
        Assert.Single(page.GetProperty("items").EnumerateArray());
        var found = Assert.Single(search.GetProperty("items").EnumerateArray());
        Assert.Equal("Revoked", found.GetProperty("status").GetString());
        Assert.Equal(0, later.GetProperty("total").GetInt32());
    }

    [Theory]
    [InlineData("pageSize=201", "pageSize")]
    [InlineData("pageSize=0", "pageSize")]
    [InlineData("page=0", "page")]
    [InlineData("status=lost", "status")]
    [InlineData("status=7", "status")]
    [InlineData("from=yesterday", "from")]
    [InlineData("to=31.12.2026", "to")]
    public async Task A_bad_filter_is_a_400_naming_it(string query, string field)
    {
        using var client = _fixture.Client(_token);

        var problem = await ApiPortal.ProblemAsync(await client.GetAsync($"/api/v1/invitations?{query}"), HttpStatusCode.BadRequest, ApiProblems.InvalidField);

        Assert.Equal(field, problem.GetProperty("field").GetString());
    }

    [Fact]
    public async Task An_unknown_invitation_is_a_404_problem_everywhere()
    {
        using var client = _fixture.Client(_token);

        await ApiPortal.ProblemAsync(await client.GetAsync("/api/v1/invitations/999"), HttpStatusCode.NotFound, ApiProblems.NotFound);
        await ApiPortal.ProblemAsync(await client.PostAsync("/api/v1/invitations/999/resend", null), HttpStatusCode.NotFound, ApiProblems.NotFound);
        await ApiPortal.ProblemAsync(await client.PostAsync("/api/v1/invitations/999/revoke", null), HttpStatusCode.NotFound, ApiProblems.NotFound);
    }

    [Fact]
    public async Task Resending_sends_a_new_link_and_revoking_twice_is_a_conflict()
    {
        var invited = await _fixture.Portal.Get<InvitationService>().InviteAsync("grace@example.org", _ada);
        var id = invited.InvitationId!.Value;
        using var client = _fixture.Client(_token);

        var resent = await client.PostAsync($"/api/v1/invitations/{id}/resend", null);
        var revoked = await client.PostAsync($"/api/v1/invitations/{id}/revoke", null);
        var again = await client.PostAsync($"/api/v1/invitations/{id}/revoke", null);

        Assert.Equal(HttpStatusCode.OK, resent.StatusCode);
        var outcome = await resent.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("Resent", id), (outcome.GetProperty("outcome").GetString(), outcome.GetProperty("invitationId").GetInt64()));
        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        await ApiPortal.ProblemAsync(again, HttpStatusCode.Conflict, ApiProblems.NotPending);
        Assert.Equal($"{_ada.Name} (token: HR sync)", Assert.Single(await _fixture.Portal.AuditAsync(AuditActions.InvitationRevoked)).ActorName);
        Assert.Equal($"{_ada.Name} (token: HR sync)", Assert.Single(await _fixture.Portal.AuditAsync(AuditActions.InvitationResent)).ActorName);
    }

    [Fact]
    public async Task An_accepted_or_opted_out_invitation_cannot_be_resent()
    {
        var invited = await _fixture.Portal.Get<InvitationService>().InviteAsync("grace@example.org", _ada);
        await using (var db = await _fixture.Portal.DbAsync())
        {
            await db.Invitations.Where(i => i.Id == invited.InvitationId).ExecuteUpdateAsync(u => u.SetProperty(i => i.Status, InvitationStatus.Accepted));
        }
        using var client = _fixture.Client(_token);

        await ApiPortal.ProblemAsync(await client.PostAsync($"/api/v1/invitations/{invited.InvitationId}/resend", null), HttpStatusCode.Conflict, ApiProblems.NotResendable);
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Without_an_accepted_token_every_endpoint_answers_401(string method, string path, string scope)
    {
        _ = scope;
        var id = await PendingInvitationAsync();
        await _fixture.AssertUnacceptedTokensRefusedAsync(_ada, () => Request(method, path, id));
        await using var db = await _fixture.Portal.DbAsync();
        Assert.Equal(1, await db.Invitations.CountAsync());
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task A_token_without_the_scope_is_a_403(string method, string path, string scope)
    {
        var id = await PendingInvitationAsync();
        var other = await _fixture.TokenAsync(_ada, "Narrow", [.. ApiScopes.All.Where(s => s != scope)]);
        using var client = _fixture.Client(other);

        await ApiPortal.ProblemAsync(await client.SendAsync(Request(method, path, id)), HttpStatusCode.Forbidden, ApiProblems.InsufficientScope);
    }

    /// <summary>
    /// 401: the token itself stops being a credential when its admin is deactivated or loses the role, as a
    /// revoked one does; no scope could make it work again. The refusal is in the audit log.
    /// </summary>
    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task The_token_of_an_admin_who_lost_the_role_is_a_401(string method, string path, string scope)
    {
        _ = scope;
        var id = await PendingInvitationAsync();
        await using (var db = await _fixture.Portal.DbAsync())
        {
            await db.UserRoles.Where(r => r.UserId == _ada.UserId).ExecuteDeleteAsync();
        }
        using var client = _fixture.Client(_token);

        await ApiPortal.ProblemAsync(await client.SendAsync(Request(method, path, id)), HttpStatusCode.Unauthorized, ApiProblems.TokenOwnerWithoutRights);
        Assert.Single(await _fixture.Portal.AuditAsync(AuditActions.AccessRefused));
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Another_admins_token_acts_as_that_admin(string method, string path, string scope)
    {
        _ = scope;
        var id = await PendingInvitationAsync();

        var (_, entries) = await _fixture.SendAsAnotherAdminAsync(method, path, () => Request(method, path, id));

        if (method == "POST")
        {
            Assert.NotEmpty(entries);
        }
    }

    [Fact]
    public async Task The_api_takes_no_sign_in_cookie()
    {
        var (user, _) = await _fixture.AdminAsync("carol");
        using var browser = _fixture.Portal.CreateBrowserlikeClient();
        Assert.Equal(HttpStatusCode.Redirect, (await browser.SignInAsync(user.Email!, TestPortal.DefaultPassword)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/admin/invitations")).StatusCode);

        var response = await browser.GetAsync("/api/v1/invitations");

        await ApiPortal.ProblemAsync(response, HttpStatusCode.Unauthorized, ApiProblems.TokenMissing);
    }

    private async Task<long> PendingInvitationAsync() =>
        (await _fixture.Portal.Get<InvitationService>().InviteAsync("pending@example.org", _ada)).InvitationId!.Value;

    private static HttpRequestMessage Request(string method, string path, long id) =>
        new(new HttpMethod(method), path.Replace("{id}", id.ToString(CultureInfo.InvariantCulture)))
        {
            Content = path == "/api/v1/invitations" && method == "POST" ? JsonContent.Create(new { email = "new@example.org" }) : null,
        };
}
