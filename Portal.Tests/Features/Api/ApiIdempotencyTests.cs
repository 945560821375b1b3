using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Features.Api;
using Portal.Features.Audit;
using Portal.Identity;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Features.Api;

public sealed class ApiIdempotencyTests : IAsyncLifetime
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

    [Fact]
    public async Task A_retry_with_the_same_key_gets_the_first_answer_and_invites_once()
    {
        using var client = _fixture.Client(_token);

        var first = await client.SendAsync(Create("grace@example.org", "key-1"));
        var retry = await client.SendAsync(Create("grace@example.org", "key-1"));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.False(first.Headers.Contains(ApiIdempotency.ReplayedHeaderName));
        // Without the key the second call would answer 200 AlreadyInvited: the replay is the first answer.
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.Equal("true", Assert.Single(retry.Headers.GetValues(ApiIdempotency.ReplayedHeaderName)));
        Assert.Equal(first.Headers.Location, retry.Headers.Location);
        Assert.Equal(first.Content.Headers.ContentType, retry.Content.Headers.ContentType);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await retry.Content.ReadAsStringAsync());
        await using var db = await _fixture.Portal.DbAsync();
        Assert.Equal(1, await db.Invitations.CountAsync());
        Assert.Single(await _fixture.Portal.AuditAsync(AuditActions.InvitationSent));
    }

    [Fact]
    public async Task The_same_key_with_another_request_is_a_422_and_does_nothing()
    {
        using var client = _fixture.Client(_token);
        await client.SendAsync(Create("grace@example.org", "key-1"));

        var other = await client.SendAsync(Create("linus@example.org", "key-1"));

        await ApiPortal.ProblemAsync(other, HttpStatusCode.UnprocessableEntity, ApiProblems.IdempotencyKeyReused);
        await using var db = await _fixture.Portal.DbAsync();
        Assert.Equal(["grace@example.org"], await db.Invitations.Select(i => i.Email!.ToLower()).ToListAsync());
    }

    [Fact]
    public async Task Keys_belong_to_their_token()
    {
        using var client = _fixture.Client(_token);
        using var otherClient = _fixture.Client(await _fixture.TokenAsync(_ada, "other script"));
        await client.SendAsync(Create("grace@example.org", "key-1"));

        var other = await otherClient.SendAsync(Create("grace@example.org", "key-1"));

        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.False(other.Headers.Contains(ApiIdempotency.ReplayedHeaderName));
        Assert.Equal("AlreadyInvited", (await other.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task A_refused_call_keeps_no_answer_so_the_corrected_retry_runs()
    {
        using var client = _fixture.Client(_token);

        var refused = await client.SendAsync(Create("not an address", "key-1"));
        var corrected = await client.SendAsync(Create("grace@example.org", "key-1"));

        await ApiPortal.ProblemAsync(refused, HttpStatusCode.BadRequest, ApiProblems.InvalidField);
        Assert.Equal(HttpStatusCode.Created, corrected.StatusCode);
    }

    [Fact]
    public async Task A_key_past_its_lifetime_promises_nothing_more()
    {
        using var client = _fixture.Client(_token);
        await client.SendAsync(Create("grace@example.org", "key-1"));
        _fixture.Clock.Advance(TimeSpan.FromHours(24) + TimeSpan.FromMinutes(1));

        var late = await client.SendAsync(Create("grace@example.org", "key-1"));

        Assert.Equal(HttpStatusCode.OK, late.StatusCode);
        Assert.Equal("AlreadyInvited", (await late.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("outcome").GetString());
        await using var db = await _fixture.Portal.DbAsync();
        Assert.Equal(1, await db.ApiIdempotencyKeys.CountAsync());
    }

    [Fact]
    public async Task The_same_call_sent_at_once_several_times_invites_once()
    {
        using var client = _fixture.Client(_token);

        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => client.SendAsync(Create("grace@example.org", "key-1"))));

        // Each is the first answer, or "still running" (to be retried) while the first had not answered.
        Assert.All(answers, a => Assert.Contains(a.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.Conflict }));
        Assert.Contains(answers, a => a.StatusCode == HttpStatusCode.Created);
        foreach (var running in answers.Where(a => a.StatusCode == HttpStatusCode.Conflict))
        {
            await ApiPortal.ProblemAsync(running, HttpStatusCode.Conflict, ApiProblems.IdempotencyKeyInUse);
            Assert.Equal("1", Assert.Single(running.Headers.GetValues("Retry-After")));
        }
        await using var db = await _fixture.Portal.DbAsync();
        Assert.Equal(1, await db.Invitations.CountAsync());
    }

    [Theory]
    [InlineData("two words")]
    [InlineData("schlüssel")]
    public async Task A_key_that_is_not_one_visible_ascii_value_is_a_400_naming_the_header(string key)
    {
        using var client = _fixture.Client(_token);
        var request = Create("grace@example.org", null);
        request.Headers.TryAddWithoutValidation(ApiIdempotency.HeaderName, key);

        var problem = await ApiPortal.ProblemAsync(await client.SendAsync(request), HttpStatusCode.BadRequest, ApiProblems.InvalidField);

        Assert.Equal(ApiIdempotency.HeaderName, problem.GetProperty("field").GetString());
        await using var db = await _fixture.Portal.DbAsync();
        Assert.Equal(0, await db.Invitations.CountAsync());
    }

    [Fact]
    public async Task A_key_longer_than_255_characters_is_refused()
    {
        using var client = _fixture.Client(_token);

        var problem = await ApiPortal.ProblemAsync(
            await client.SendAsync(Create("grace@example.org", new string('k', 256))), HttpStatusCode.BadRequest, ApiProblems.InvalidField);

        Assert.Equal(ApiIdempotency.HeaderName, problem.GetProperty("field").GetString());
    }

    [Fact]
    public async Task The_store_runs_a_key_once_replays_it_and_lets_a_retry_take_over_a_call_that_never_answered()
    {
        var store = _fixture.Portal.Get<ApiIdempotency>();
        var tokenId = (await _fixture.Tokens.ListAsync(_ada)).Single().Id;

        var first = await store.BeginAsync(tokenId, "key-1", "hash-a");
        var whileRunning = await store.BeginAsync(tokenId, "key-1", "hash-a");
        var otherRequest = await store.BeginAsync(tokenId, "key-1", "hash-b");
        _fixture.Clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        var takenOver = await store.BeginAsync(tokenId, "key-1", "hash-a");
        var runningAgain = await store.BeginAsync(tokenId, "key-1", "hash-a");
        var id = Assert.IsType<IdempotentCall.Run>(takenOver).Id;
        await store.CompleteAsync(id, 201, "application/json", "/api/v1/invitations/7", "{}");
        var replay = await store.BeginAsync(tokenId, "key-1", "hash-a");
        var released = await store.BeginAsync(tokenId, "key-2", "hash-a");
        await store.ReleaseAsync(Assert.IsType<IdempotentCall.Run>(released).Id);
        var afterRelease = await store.BeginAsync(tokenId, "key-2", "hash-a");

        Assert.Equal(id, Assert.IsType<IdempotentCall.Run>(first).Id);
        Assert.IsType<IdempotentCall.Running>(whileRunning);
        Assert.IsType<IdempotentCall.Mismatch>(otherRequest);
        Assert.IsType<IdempotentCall.Running>(runningAgain);
        var kept = Assert.IsType<IdempotentCall.Replay>(replay).First;
        Assert.Equal((201, "application/json", "/api/v1/invitations/7", "{}"), (kept.StatusCode, kept.ContentType, kept.Location, kept.Body));
        Assert.IsType<IdempotentCall.Run>(afterRelease);
    }

    [Fact]
    public async Task The_openapi_document_offers_the_header_on_the_calls_that_take_it()
    {
        using var client = _fixture.Client(null);

        var document = await client.GetFromJsonAsync<JsonElement>(ApiSetup.DocumentPath);

        var create = document.GetProperty("paths").GetProperty("/api/v1/invitations").GetProperty("post");
        var header = Assert.Single(create.GetProperty("parameters").EnumerateArray(), p => p.GetProperty("name").GetString() == ApiIdempotency.HeaderName);
        Assert.Equal("header", header.GetProperty("in").GetString());
        Assert.Contains("422", create.GetProperty("responses").EnumerateObject().Select(r => r.Name));
        var list = document.GetProperty("paths").GetProperty("/api/v1/invitations").GetProperty("get");
        Assert.DoesNotContain(ApiIdempotency.HeaderName, list.GetRawText());
    }

    private static HttpRequestMessage Create(string email, string? key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/invitations") { Content = JsonContent.Create(new { email }) };
        if (key is not null)
        {
            request.Headers.Add(ApiIdempotency.HeaderName, key);
        }
        return request;
    }
}
