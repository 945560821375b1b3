using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Features.Api;
using Portal.Features.Audit;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Features.Api;

/// <summary>
/// A program that invites a thousand people through the API, as a sync script would: four calls at a
/// time, each with its own Idempotency-Key, and half of them sent again as if the answer was lost.
/// </summary>
public sealed class ApiBulkScriptTests : IAsyncLifetime
{
    private const int People = 1000;
    private const int Workers = 4;

    private readonly ApiPortal _fixture = new();

    public ApiBulkScriptTests()
    {
        // This is about idempotency, not the rate limit: the script's 1,500 calls fit in its share.
        _fixture.Portal.Settings["Api:RequestsPerToken"] = "10000";
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _fixture.DisposeAsync();

    [Fact]
    public async Task A_thousand_invitations_with_half_retried_make_exactly_a_thousand_invitations_and_mails()
    {
        var (_, ada) = await _fixture.AdminAsync("ada");
        using var client = _fixture.Client(await _fixture.TokenAsync(ada, "HR sync"));
        var firstAnswers = new ConcurrentDictionary<int, (HttpStatusCode Status, string Body)>();
        var retries = new ConcurrentDictionary<int, HttpResponseMessage>();

        await Parallel.ForEachAsync(Enumerable.Range(0, People), new ParallelOptions { MaxDegreeOfParallelism = Workers }, async (i, _) =>
        {
            if (i % 20 == 0)
            {
                // The retry overtakes the first call: both run at once.
                var both = await Task.WhenAll(client.SendAsync(Invite(i)), client.SendAsync(Invite(i)));
                Assert.All(both, a => Assert.Contains(a.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.Conflict }));
                var created = both.First(a => a.StatusCode == HttpStatusCode.Created);
                firstAnswers[i] = (created.StatusCode, await created.Content.ReadAsStringAsync());
                retries[i] = await client.SendAsync(Invite(i));
                return;
            }
            var first = await client.SendAsync(Invite(i));
            firstAnswers[i] = (first.StatusCode, await first.Content.ReadAsStringAsync());
            if (i % 2 == 0)
            {
                retries[i] = await client.SendAsync(Invite(i));
            }
        });

        Assert.Equal(People, firstAnswers.Count);
        Assert.All(firstAnswers.Values, a => Assert.Equal(HttpStatusCode.Created, a.Status));
        Assert.Equal(People / 2, retries.Count);
        foreach (var (i, retry) in retries)
        {
            Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
            Assert.Equal("true", Assert.Single(retry.Headers.GetValues(ApiIdempotency.ReplayedHeaderName)));
            Assert.Equal(firstAnswers[i].Body, await retry.Content.ReadAsStringAsync());
        }
        var ids = firstAnswers.Values.Select(a => JsonDocument.Parse(a.Body).RootElement.GetProperty("invitationId").GetInt64()).ToHashSet();
        Assert.Equal(People, ids.Count);

        await using var db = await _fixture.Portal.DbAsync();
        var invited = await db.Invitations.Select(i => i.Email!.ToLower()).ToListAsync();
        Assert.Equal(Enumerable.Range(0, People).Select(Address).Order(), invited.Order());
        Assert.Equal(People, (await _fixture.Portal.AuditAsync(AuditActions.InvitationSent)).Count);
        var mails = await _fixture.Portal.Mail.DeliveredAsync();
        Assert.Equal(People, mails.Count);
        Assert.Equal(People, mails.Select(m => m.To.ToLowerInvariant()).Distinct().Count());
        Assert.All(mails, m => Assert.Contains("/invite/", m.Text, StringComparison.Ordinal));
    }

    private static string Address(int i) => $"person{i:0000}@example.org";

    private static HttpRequestMessage Invite(int i)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/invitations")
        {
            Content = JsonContent.Create(new { email = Address(i), name = $"Person {i}" }),
        };
        request.Headers.Add(ApiIdempotency.HeaderName, $"sync-2026-12-05-{i}");
        return request;
    }
}
