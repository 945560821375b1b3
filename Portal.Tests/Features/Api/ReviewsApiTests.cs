using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Features.Api;
using Portal.Features.Audit;
using Portal.Features.Confirmations;
using Portal.Features.Registration;
using Portal.Features.Webhooks;
using Portal.Identity;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Features.Api;

public sealed class ReviewsApiTests : IAsyncLifetime
{
    private const string Reason = "We could not confirm that the change comes from you.";

    private readonly ApiPortal _fixture = new();
    private Actor _ada = default!;
    private string _token = default!;

    private string AdaByToken => $"{_ada.Name} (token: HR sync)";

    private DateTime Now => _fixture.Clock.Now.UtcDateTime;

    public async Task InitializeAsync()
    {
        (_, _ada) = await _fixture.AdminAsync("ada");
        _token = await _fixture.TokenAsync(_ada);
        // An endpoint for every event, so the deliveries the services write can be read; nothing is posted.
        await _fixture.Portal.Get<WebhookAdmin>().RegisterAsync(Actor.System, "https://93.184.215.14/hooks", WebhookEventTypes.All);
    }

    public async Task DisposeAsync() => await _fixture.DisposeAsync();

    /// <summary>Every endpoint, with a request it accepts and the scope it needs.</summary>
    public static TheoryData<string, string, string> Endpoints => new()
    {
        { "GET", "/api/v1/reviews", ApiScopes.ReviewsRead },
        { "GET", "/api/v1/reviews/changes/{change}", ApiScopes.ReviewsRead },
        { "POST", "/api/v1/reviews/changes/{change}/approve", ApiScopes.ReviewsWrite },
        { "POST", "/api/v1/reviews/changes/{change}/reject", ApiScopes.ReviewsWrite },
        { "POST", "/api/v1/reviews/sign-ups/{sign-up}/approve", ApiScopes.ReviewsWrite },
        { "POST", "/api/v1/reviews/sign-ups/{sign-up}/reject", ApiScopes.ReviewsWrite },
    };

    [Fact]
    public async Task The_inbox_lists_sign_ups_and_changes_oldest_first_as_the_inbox_page_does()
    {
        var (_, signUp) = await _fixture.Portal.SeedSignUpAsync("newcomer@example.net", createdAt: Now.AddDays(-3));
        var (member, change) = await PendingChangeAsync("member@example.org");
        var moderator = await ModeratorAsync("mod@example.org");
        await _fixture.Portal.Get<ChangeModeration>().ClaimAsync(moderator, change);
        using var client = _fixture.Client(_token);

        var body = await client.GetFromJsonAsync<JsonElement>("/api/v1/reviews");

        var expected = await _fixture.Portal.Get<ReviewInbox>().ListAsync(_ada, new InboxFilter());
        var items = body.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(expected.Items.Select(i => (i.Source.ToString(), i.Id, i.Requester, i.Version)),
            items.Select(i => (i.GetProperty("source").GetString()!, i.GetProperty("id").GetInt64(), i.GetProperty("requester").GetString()!, i.GetProperty("version").GetInt32())));
        Assert.Equal([("SignUp", signUp.Id, "sign-up"), ("Change", change, "profile")],
            items.Select(i => (i.GetProperty("source").GetString(), i.GetProperty("id").GetInt64(), i.GetProperty("kind").GetString())));
        Assert.Equal(("Sign-up", "Display name"), (items[0].GetProperty("title").GetString(), items[1].GetProperty("title").GetString()));
        Assert.Contains("newcomer@example.net", items[0].GetProperty("requester").GetString());
        Assert.Equal(member.UserName, items[1].GetProperty("requester").GetString());
        Assert.Equal(Now.AddDays(-3), items[0].GetProperty("createdAt").GetDateTime());
        Assert.Equal(JsonValueKind.Null, items[0].GetProperty("claimedByName").ValueKind);
        Assert.Equal(moderator.Name, items[1].GetProperty("claimedByName").GetString());
        Assert.Equal((2, 2, 1, 50), (body.GetProperty("total").GetInt32(), body.GetProperty("reachable").GetInt32(),
            body.GetProperty("page").GetInt32(), body.GetProperty("pageSize").GetInt32()));
        Assert.Equal(["profile", "sign-up"], body.GetProperty("counts").EnumerateArray().Select(c => c.GetProperty("kind").GetString()).Order());
    }

    [Fact]
    public async Task The_inbox_filters_by_kind_age_and_requester_orders_and_pages()
    {
        var (_, old) = await PendingChangeAsync("old@example.org");
        _fixture.Clock.Advance(TimeSpan.FromDays(2));
        var (_, signUp) = await _fixture.Portal.SeedSignUpAsync("applicant@example.net");
        _fixture.Clock.Advance(TimeSpan.FromMinutes(1));
        var (bob, fresh) = await PendingChangeAsync("bob@example.org");
        _fixture.Clock.Advance(TimeSpan.FromMinutes(1));
        var (_, freshest) = await PendingChangeAsync("cy@example.org");
        using var client = _fixture.Client(_token);

        async Task ListsAsync(string query, int total, params long[] ids)
        {
            var body = await client.GetFromJsonAsync<JsonElement>($"/api/v1/reviews?{query}");
            Assert.Equal(ids, body.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetInt64()));
            Assert.Equal(total, body.GetProperty("total").GetInt32());
        }

        await ListsAsync("kind=sign-up", 1, signUp.Id);
        await ListsAsync("kind=profile&page=2&pageSize=2", 3, freshest);
        await ListsAsync("olderThan=P1D", 1, old);
        await ListsAsync($"requester={bob.UserName}", 1, fresh);
        await ListsAsync("order=newest&pageSize=2", 4, freshest, fresh);
    }

    [Theory]
    [InlineData("kind=nothing", "kind")]
    [InlineData("olderThan=yesterday", "olderThan")]
    [InlineData("olderThan=-P1D", "olderThan")]
    [InlineData("order=sideways", "order")]
    [InlineData("page=0", "page")]
    [InlineData("pageSize=0", "pageSize")]
    [InlineData("pageSize=101", "pageSize")]
    public async Task A_bad_filter_is_a_400_naming_it(string query, string field)
    {
        using var client = _fixture.Client(_token);

        var problem = await ApiPortal.ProblemAsync(await client.GetAsync($"/api/v1/reviews?{query}"), HttpStatusCode.BadRequest, ApiProblems.InvalidField);

        Assert.Equal(field, problem.GetProperty("field").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task A_change_reads_as_the_review_page_shows_it_with_its_version_and_its_history_and_stays_unclaimed()
    {
        var (member, first) = await PendingChangeAsync("member@example.org");
        var moderator = await ModeratorAsync("mod@example.org");
        Assert.Equal(ChangeOutcome.Rejected, (await _fixture.Portal.Get<ChangeModeration>().RejectAsync(moderator, first, Reason)).Outcome);
        var id = await RequestAsync(Actor.Self(member), variant: 1);
        using var client = _fixture.Client(_token);

        var body = await client.GetFromJsonAsync<JsonElement>($"/api/v1/reviews/changes/{id}");

        var detail = (await _fixture.Portal.Get<ChangeModeration>().ReviewAsync(_ada, id))!;
        Assert.Equal((id, "profile", "Display name", "Pending", member.UserName, detail.Change.Version),
            (body.GetProperty("id").GetInt64(), body.GetProperty("kind").GetString(), body.GetProperty("title").GetString(),
                body.GetProperty("status").GetString(), body.GetProperty("requestedByName").GetString(), body.GetProperty("version").GetInt32()));
        var field = Assert.Single(body.GetProperty("fields").EnumerateArray());
        Assert.Equal(("DisplayName", "Display name", "Countess Ada"),
            (field.GetProperty("name").GetString(), field.GetProperty("label").GetString(), field.GetProperty("proposed").GetString()));
        Assert.Equal(JsonValueKind.Null, field.GetProperty("before").ValueKind);
        var earlier = Assert.Single(body.GetProperty("history").EnumerateArray());
        Assert.Equal((first, "Rejected", Reason, "Ada L."), (earlier.GetProperty("id").GetInt64(), earlier.GetProperty("status").GetString(),
            earlier.GetProperty("reason").GetString(), earlier.GetProperty("fields")[0].GetProperty("proposed").GetString()));
        Assert.Null((await ChangeAsync(id)).ClaimedById);
    }

    [Fact]
    public async Task Approving_a_change_applies_it_at_the_version_read_audits_the_token_and_raises_change_approved()
    {
        var (member, id) = await PendingChangeAsync("member@example.org");
        var mailsBefore = (await _fixture.Portal.Mail.DeliveredToAsync(member.Email!)).Count;
        using var client = _fixture.Client(_token);
        var version = (await client.GetFromJsonAsync<JsonElement>($"/api/v1/reviews/changes/{id}")).GetProperty("version").GetInt32();

        var response = await client.PostAsJsonAsync($"/api/v1/reviews/changes/{id}/approve", new { version });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((id, "Applied"), (body.GetProperty("id").GetInt64(), body.GetProperty("outcome").GetString()));
        Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("message").GetString()));
        var row = await ChangeAsync(id);
        Assert.Equal((ChangeStatus.Applied, _ada.UserId, 1), (row.Status, row.DecidedById, row.ApprovalsGiven));
        Assert.Equal("Ada L.", (await _fixture.Portal.Get<ChangeRequests>().CurrentAsync(Actor.System, "profile", member.Id))!["DisplayName"]);
        var entry = Assert.Single(await _fixture.Portal.AuditAsync(AuditActions.ChangeApplied));
        Assert.Equal((_ada.UserId, AdaByToken, id.ToString(CultureInfo.InvariantCulture)), (entry.ActorId, entry.ActorName, entry.TargetId));
        var (type, data) = Assert.Single(await WebhooksAsync());
        Assert.Equal((WebhookEventTypes.ChangeApproved, id, "applied"), (type, data.GetProperty("change_id").GetInt64(), data.GetProperty("status").GetString()));
        // A display name applied is not mailed, from the page or from here.
        Assert.Equal(mailsBefore, (await _fixture.Portal.Mail.DeliveredToAsync(member.Email!)).Count);
    }

    [Fact]
    public async Task An_approval_at_a_stale_version_is_a_409_and_without_a_version_applies_what_is_there_now()
    {
        var (_, id) = await PendingChangeAsync("member@example.org");
        using var client = _fixture.Client(_token);
        var version = (await client.GetFromJsonAsync<JsonElement>($"/api/v1/reviews/changes/{id}")).GetProperty("version").GetInt32();
        await using (var db = await _fixture.Portal.DbAsync())
        {
            await db.DeferredChanges.Where(c => c.Id == id).ExecuteUpdateAsync(s => s.SetProperty(c => c.Version, c => c.Version + 1));
        }

        var stale = await client.PostAsJsonAsync($"/api/v1/reviews/changes/{id}/approve", new { version });

        await ApiPortal.ProblemAsync(stale, HttpStatusCode.Conflict, ApiProblems.VersionChanged);
        Assert.Equal(ChangeStatus.Pending, (await ChangeAsync(id)).Status);
        Assert.Empty(await _fixture.Portal.AuditAsync(AuditActions.ChangeApplied));

        var current = await client.PostAsync($"/api/v1/reviews/changes/{id}/approve", null);

        Assert.Equal(HttpStatusCode.OK, current.StatusCode);
        Assert.Equal(ChangeStatus.Applied, (await ChangeAsync(id)).Status);
    }

    [Fact]
    public async Task The_admin_of_the_token_cannot_decide_their_own_change_a_409_four_eyes()
    {
        var own = await RequestAsync(_ada);
        using var client = _fixture.Client(_token);

        var approve = await ApiPortal.ProblemAsync(await client.PostAsync($"/api/v1/reviews/changes/{own}/approve", null), HttpStatusCode.Conflict, ApiProblems.FourEyes);
        var reject = await ApiPortal.ProblemAsync(await client.PostAsJsonAsync($"/api/v1/reviews/changes/{own}/reject", new { reason = Reason }), HttpStatusCode.Conflict, ApiProblems.FourEyes);

        Assert.Contains("own change", approve.GetProperty("detail").GetString());
        Assert.Contains("own change", reject.GetProperty("detail").GetString());
        Assert.Equal(ChangeStatus.Pending, (await ChangeAsync(own)).Status);
    }

    [Fact]
    public async Task A_change_claimed_by_another_moderator_is_a_409_until_the_claim_lapses()
    {
        var (_, id) = await PendingChangeAsync("member@example.org");
        var moderator = await ModeratorAsync("mod@example.org");
        Assert.Equal(ChangeOutcome.Claimed, (await _fixture.Portal.Get<ChangeModeration>().ClaimAsync(moderator, id)).Outcome);
        using var client = _fixture.Client(_token);

        var claimed = await ApiPortal.ProblemAsync(await client.PostAsync($"/api/v1/reviews/changes/{id}/approve", null), HttpStatusCode.Conflict, ApiProblems.ClaimedByOther);

        Assert.Contains(moderator.Name, claimed.GetProperty("detail").GetString());
        Assert.Equal(ChangeStatus.Pending, (await ChangeAsync(id)).Status);
        var whileClaimed = await client.GetFromJsonAsync<JsonElement>("/api/v1/reviews");
        _fixture.Clock.Advance(TimeSpan.FromMinutes(11));
        var lapsed = await client.GetFromJsonAsync<JsonElement>("/api/v1/reviews");
        Assert.Equal(moderator.Name, Assert.Single(whileClaimed.GetProperty("items").EnumerateArray()).GetProperty("claimedByName").GetString());
        var item = Assert.Single(lapsed.GetProperty("items").EnumerateArray());
        Assert.Equal((JsonValueKind.Null, JsonValueKind.Null), (item.GetProperty("claimedByName").ValueKind, item.GetProperty("claimedUntil").ValueKind));
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/v1/reviews/changes/{id}/approve", null)).StatusCode);
        Assert.Equal(ChangeStatus.Applied, (await ChangeAsync(id)).Status);
    }

    [Fact]
    public async Task A_change_decided_already_is_a_409_for_either_decision()
    {
        var (_, id) = await PendingChangeAsync("member@example.org");
        using var client = _fixture.Client(_token);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/v1/reviews/changes/{id}/approve", null)).StatusCode);

        await ApiPortal.ProblemAsync(await client.PostAsync($"/api/v1/reviews/changes/{id}/approve", null), HttpStatusCode.Conflict, ApiProblems.AlreadyDecided);
        await ApiPortal.ProblemAsync(await client.PostAsJsonAsync($"/api/v1/reviews/changes/{id}/reject", new { reason = Reason }), HttpStatusCode.Conflict, ApiProblems.AlreadyDecided);

        Assert.Equal(ChangeStatus.Applied, (await ChangeAsync(id)).Status);
        Assert.Empty(await _fixture.Portal.AuditAsync(AuditActions.ChangeRejected));
    }

    [Fact]
    public async Task Rejecting_a_change_mails_the_reason_audits_the_token_and_raises_change_rejected()
    {
        var (member, id) = await PendingChangeAsync("member@example.org");
        using var client = _fixture.Client(_token);

        var response = await client.PostAsJsonAsync($"/api/v1/reviews/changes/{id}/reject", new { reason = "  " + Reason + " " });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((id, "Rejected"), (body.GetProperty("id").GetInt64(), body.GetProperty("outcome").GetString()));
        var row = await ChangeAsync(id);
        Assert.Equal((ChangeStatus.Rejected, Reason, _ada.UserId), (row.Status, row.Reason, row.DecidedById));
        Assert.Null((await _fixture.Portal.Get<ChangeRequests>().CurrentAsync(Actor.System, "profile", member.Id))!["DisplayName"]);
        var mail = await _fixture.Portal.Mail.DeliveredAsync(member.Email!, "was not approved");
        Assert.Contains(Reason, mail.Text);
        var entry = Assert.Single(await _fixture.Portal.AuditAsync(AuditActions.ChangeRejected));
        Assert.Equal((AdaByToken, Reason), (entry.ActorName, entry.Details));
        var (type, data) = Assert.Single(await WebhooksAsync());
        Assert.Equal((WebhookEventTypes.ChangeRejected, id, "rejected"), (type, data.GetProperty("change_id").GetInt64(), data.GetProperty("status").GetString()));
    }

    [Theory]
    [InlineData("changes", "no body")]
    [InlineData("changes", "{}")]
    [InlineData("changes", """{"reason":"   "}""")]
    [InlineData("changes", "too long")]
    [InlineData("sign-ups", "{}")]
    [InlineData("sign-ups", "too long")]
    public async Task A_rejection_without_a_reason_or_with_one_too_long_is_a_400_naming_reason(string what, string json)
    {
        var (_, change) = await PendingChangeAsync("member@example.org");
        var (_, signUp) = await _fixture.Portal.SeedSignUpAsync("applicant@example.net");
        using var client = _fixture.Client(_token);
        HttpContent? content = json switch
        {
            "no body" => null,
            "too long" => JsonContent.Create(new { reason = new string('x', RegistrationLimits.ReasonLength + 1) }),
            _ => new StringContent(json, System.Text.Encoding.UTF8, "application/json"),
        };

        var response = await client.PostAsync($"/api/v1/reviews/{what}/{(what == "changes" ? change : signUp.Id)}/reject", content);

        var problem = await ApiPortal.ProblemAsync(response, HttpStatusCode.BadRequest, ApiProblems.InvalidField);
        Assert.Equal("reason", problem.GetProperty("field").GetString());
        Assert.Equal(ChangeStatus.Pending, (await ChangeAsync(change)).Status);
        Assert.Equal(SignUpStatus.AwaitingApproval, (await SignUpAsync(signUp.Id)).Status);
    }

    [Fact]
    public async Task Unknown_changes_and_sign_ups_are_404_problems_everywhere()
    {
        using var client = _fixture.Client(_token);

        await ApiPortal.ProblemAsync(await client.GetAsync("/api/v1/reviews/changes/999"), HttpStatusCode.NotFound, ApiProblems.NotFound);
        await ApiPortal.ProblemAsync(await client.PostAsync("/api/v1/reviews/changes/999/approve", null), HttpStatusCode.NotFound, ApiProblems.NotFound);
        await ApiPortal.ProblemAsync(await client.PostAsJsonAsync("/api/v1/reviews/changes/999/reject", new { reason = Reason }), HttpStatusCode.NotFound, ApiProblems.NotFound);
        await ApiPortal.ProblemAsync(await client.PostAsync("/api/v1/reviews/sign-ups/999/approve", null), HttpStatusCode.NotFound, ApiProblems.NotFound);
        await ApiPortal.ProblemAsync(await client.PostAsJsonAsync("/api/v1/reviews/sign-ups/999/reject", new { reason = Reason }), HttpStatusCode.NotFound, ApiProblems.NotFound);
    }

    [Fact]
    public async Task Approving_a_sign_up_activates_the_account_mails_the_applicant_audits_the_token_and_raises_registration_approved()
    {
        var (user, signUp) = await _fixture.Portal.SeedSignUpAsync("applicant@example.net");
        using var client = _fixture.Client(_token);

        var response = await client.PostAsync($"/api/v1/reviews/sign-ups/{signUp.Id}/approve", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((signUp.Id, "Active", "Approved."), (body.GetProperty("id").GetInt64(), body.GetProperty("status").GetString(), body.GetProperty("message").GetString()));
        var application = await SignUpAsync(signUp.Id);
        Assert.Equal((SignUpStatus.Active, _ada.UserId), (application.Status, application.DecidedById));
        await using (var db = await _fixture.Portal.DbAsync())
        {
            Assert.Equal(AccountState.Active, (await db.Users.AsNoTracking().SingleAsync(u => u.Id == user.Id)).State);
        }
        await _fixture.Portal.Mail.DeliveredAsync(user.Email!, "account is ready");
        var entry = Assert.Single(await _fixture.Portal.AuditAsync(AuditActions.RegistrationApproved));
        Assert.Equal((AdaByToken, signUp.Id.ToString(CultureInfo.InvariantCulture)), (entry.ActorName, entry.TargetId));
        var (type, data) = Assert.Single(await WebhooksAsync());
        Assert.Equal((WebhookEventTypes.RegistrationApproved, signUp.Id, user.Id), (type, data.GetProperty("sign_up_id").GetInt64(), data.GetProperty("user_id").GetString()));
    }

    [Fact]
    public async Task Rejecting_a_sign_up_deletes_the_account_keeps_and_mails_the_reason_and_raises_registration_rejected()
    {
        var (user, signUp) = await _fixture.Portal.SeedSignUpAsync("applicant@example.net");
        using var client = _fixture.Client(_token);

        var response = await client.PostAsJsonAsync($"/api/v1/reviews/sign-ups/{signUp.Id}/reject", new { reason = Reason });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((signUp.Id, "Rejected", "Rejected."), (body.GetProperty("id").GetInt64(), body.GetProperty("status").GetString(), body.GetProperty("message").GetString()));
        var application = await SignUpAsync(signUp.Id);
        Assert.Equal((SignUpStatus.Rejected, Reason, _ada.UserId), (application.Status, application.Reason, application.DecidedById));
        await using (var db = await _fixture.Portal.DbAsync())
        {
            Assert.False(await db.Users.AnyAsync(u => u.Id == user.Id));
        }
        Assert.Contains(Reason, (await _fixture.Portal.Mail.DeliveredAsync(user.Email!, "was not approved")).Text);
        var entry = Assert.Single(await _fixture.Portal.AuditAsync(AuditActions.RegistrationRejected));
        Assert.Equal((AdaByToken, Reason), (entry.ActorName, entry.Details));
        var (type, data) = Assert.Single(await WebhooksAsync());
        Assert.Equal((WebhookEventTypes.RegistrationRejected, signUp.Id), (type, data.GetProperty("sign_up_id").GetInt64()));
    }

    [Fact]
    public async Task A_sign_up_decided_already_not_confirmed_or_the_admins_own_is_a_409()
    {
        var (_, decided) = await _fixture.Portal.SeedSignUpAsync("decided@example.net");
        var (_, unconfirmed) = await _fixture.Portal.SeedSignUpAsync("early@example.net", SignUpStatus.AwaitingActivation);
        var (_, own) = await _fixture.Portal.SeedSignUpAsync("own@example.net");
        await using (var db = await _fixture.Portal.DbAsync())
        {
            await db.SignUps.Where(s => s.Id == own.Id).ExecuteUpdateAsync(s => s.SetProperty(x => x.UserId, _ada.UserId));
        }
        using var client = _fixture.Client(_token);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/v1/reviews/sign-ups/{decided.Id}/approve", null)).StatusCode);

        var again = await ApiPortal.ProblemAsync(
            await client.PostAsJsonAsync($"/api/v1/reviews/sign-ups/{decided.Id}/reject", new { reason = Reason }), HttpStatusCode.Conflict, ApiProblems.AlreadyDecided);
        var early = await ApiPortal.ProblemAsync(await client.PostAsync($"/api/v1/reviews/sign-ups/{unconfirmed.Id}/approve", null), HttpStatusCode.Conflict, ApiProblems.AlreadyDecided);
        var mine = await ApiPortal.ProblemAsync(await client.PostAsync($"/api/v1/reviews/sign-ups/{own.Id}/approve", null), HttpStatusCode.Conflict, ApiProblems.FourEyes);

        Assert.Equal($"The sign-up was already approved by {_ada.Name}.", again.GetProperty("detail").GetString());
        Assert.Contains("has not confirmed the address", early.GetProperty("detail").GetString());
        Assert.Contains("your own sign-up", mine.GetProperty("detail").GetString());
        Assert.Equal((SignUpStatus.Active, SignUpStatus.AwaitingActivation, SignUpStatus.AwaitingApproval),
            ((await SignUpAsync(decided.Id)).Status, (await SignUpAsync(unconfirmed.Id)).Status, (await SignUpAsync(own.Id)).Status));
        Assert.Empty(await _fixture.Portal.AuditAsync(AuditActions.RegistrationRejected));
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Without_an_accepted_token_every_endpoint_answers_401(string method, string path, string scope)
    {
        _ = scope;
        var subjects = await SubjectsAsync();
        await _fixture.AssertUnacceptedTokensRefusedAsync(_ada, () => Request(method, path, subjects));
        await AssertUndecidedAsync(subjects);
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task A_token_without_the_scope_is_a_403(string method, string path, string scope)
    {
        var subjects = await SubjectsAsync();
        var other = await _fixture.TokenAsync(_ada, "Narrow", [.. ApiScopes.All.Where(s => s != scope)]);
        using var client = _fixture.Client(other);

        await ApiPortal.ProblemAsync(await client.SendAsync(Request(method, path, subjects)), HttpStatusCode.Forbidden, ApiProblems.InsufficientScope);

        await AssertUndecidedAsync(subjects);
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task The_token_of_an_admin_who_lost_the_role_is_a_401(string method, string path, string scope)
    {
        _ = scope;
        var subjects = await SubjectsAsync();
        await using (var db = await _fixture.Portal.DbAsync())
        {
            await db.UserRoles.Where(r => r.UserId == _ada.UserId).ExecuteDeleteAsync();
        }
        using var client = _fixture.Client(_token);

        await ApiPortal.ProblemAsync(await client.SendAsync(Request(method, path, subjects)), HttpStatusCode.Unauthorized, ApiProblems.TokenOwnerWithoutRights);

        Assert.Single(await _fixture.Portal.AuditAsync(AuditActions.AccessRefused));
        await AssertUndecidedAsync(subjects);
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Another_admins_token_acts_as_that_admin(string method, string path, string scope)
    {
        _ = scope;
        var subjects = await SubjectsAsync();

        var (bob, entries) = await _fixture.SendAsAnotherAdminAsync(method, path, () => Request(method, path, subjects));

        if (method == "POST")
        {
            Assert.NotEmpty(entries);
            var decidedBy = path.Contains("/changes/", StringComparison.Ordinal)
                ? (await ChangeAsync(subjects.Change)).DecidedById
                : (await SignUpAsync(subjects.SignUp)).DecidedById;
            Assert.Equal(bob.UserId, decidedBy);
        }
    }

    /// <summary>A member with a display name change waiting for a moderator.</summary>
    private async Task<(PortalUser Member, long ChangeId)> PendingChangeAsync(string email)
    {
        var member = await _fixture.Portal.CreateUserAsync(email);
        return (member, await RequestAsync(Actor.Self(member)));
    }

    private async Task<long> RequestAsync(Actor actor, int variant = 0)
    {
        var result = await _fixture.Portal.Get<ChangeRequests>().RequestAsync(
            actor, "profile", actor.UserId!, ConfirmationsPortal.Proposal("profile", variant), TestPortal.DefaultPassword);
        Assert.Equal(ChangeOutcome.Requested, result.Outcome);
        return result.ChangeId!.Value;
    }

    private async Task<Actor> ModeratorAsync(string email)
    {
        var user = await _fixture.Portal.CreateUserAsync(email, roles: Roles.Moderator);
        return new Actor(user.Id, user.UserName!, new HashSet<string> { Roles.Moderator });
    }

    /// <summary>A change and a sign-up waiting for a decision, for the endpoints' paths.</summary>
    private async Task<(long Change, long SignUp)> SubjectsAsync() =>
        ((await PendingChangeAsync("member@example.org")).ChangeId, (await _fixture.Portal.SeedSignUpAsync("applicant@example.net")).SignUp.Id);

    private async Task AssertUndecidedAsync((long Change, long SignUp) subjects)
    {
        Assert.Equal(ChangeStatus.Pending, (await ChangeAsync(subjects.Change)).Status);
        Assert.Equal(SignUpStatus.AwaitingApproval, (await SignUpAsync(subjects.SignUp)).Status);
        Assert.Empty(await WebhooksAsync());
    }

    private static HttpRequestMessage Request(string method, string path, (long Change, long SignUp) subjects) =>
        new(new HttpMethod(method), path
            .Replace("{change}", subjects.Change.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{sign-up}", subjects.SignUp.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal))
        {
            Content = path.EndsWith("/reject", StringComparison.Ordinal) ? JsonContent.Create(new { reason = Reason }) : null,
        };

    private async Task<DeferredChange> ChangeAsync(long id)
    {
        await using var db = await _fixture.Portal.DbAsync();
        return await db.DeferredChanges.AsNoTracking().SingleAsync(c => c.Id == id);
    }

    private async Task<SignUp> SignUpAsync(long id)
    {
        await using var db = await _fixture.Portal.DbAsync();
        return await db.SignUps.AsNoTracking().SingleAsync(s => s.Id == id);
    }

    /// <summary>The webhook deliveries written so far, oldest first: their event and their data.</summary>
    private async Task<IReadOnlyList<(string Type, JsonElement Data)>> WebhooksAsync()
    {
        await using var db = await _fixture.Portal.DbAsync();
        var payloads = await db.WebhookDeliveries.AsNoTracking().OrderBy(d => d.Id).Select(d => new { d.EventType, d.Payload }).ToListAsync();
        return [.. payloads.Select(p => (p.EventType, JsonDocument.Parse(p.Payload).RootElement.GetProperty("data").Clone()))];
    }
}
