using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Features.Api;
using Portal.Features.Audit;
using Portal.Features.Invitations.Bulk;
using Portal.Identity;
using Portal.Tests.TestInfrastructure;
using static Portal.Tests.TestInfrastructure.ApiPortal;

namespace Portal.Tests.Features.Api;

public sealed class BulkInvitationsApiTests : IAsyncLifetime
{
    private const string People = "email,name,role\ngrace@example.org,Grace Hopper,\nlinus@example.org,,\nnot an address,,\nGRACE@example.org,,\nalan@example.org,Alan Turing,Moderator\n";

    // No background runner: a started upload stays queued until the test runs it, as the runner would.
    private readonly ApiPortal _fixture = new(services => services.RemoveAll<IHostedService>());
    private Actor _ada = default!;
    private string _token = default!;

    public async Task InitializeAsync()
    {
        (_, _ada) = await _fixture.AdminAsync("ada");
        _token = await _fixture.TokenAsync(_ada);
        await _fixture.Portal.CreateUserAsync("linus@example.org");
    }

    public async Task DisposeAsync() => await _fixture.DisposeAsync();

    private string TokenName => $"{_ada.Name} (token: HR sync)";

    /// <summary>Every endpoint, with the scope it needs; each request is made on an upload in the state it accepts.</summary>
    public static TheoryData<string, string, string> Endpoints => new()
    {
        { "POST", "/api/v1/bulk-invitations", ApiScopes.InvitationsWrite },
        { "GET", "/api/v1/bulk-invitations", ApiScopes.InvitationsRead },
        { "GET", "/api/v1/bulk-invitations/{id}", ApiScopes.InvitationsRead },
        { "GET", "/api/v1/bulk-invitations/{id}/rows", ApiScopes.InvitationsRead },
        { "GET", "/api/v1/bulk-invitations/{id}/results", ApiScopes.InvitationsRead },
        { "POST", "/api/v1/bulk-invitations/{id}/start", ApiScopes.InvitationsWrite },
        { "POST", "/api/v1/bulk-invitations/{id}/cancel", ApiScopes.InvitationsWrite },
        { "POST", "/api/v1/bulk-invitations/{id}/resume", ApiScopes.InvitationsWrite },
    };

    [Fact]
    public async Task Uploading_a_file_answers_201_with_the_dry_run_and_sends_nothing()
    {
        using var client = _fixture.Client(_token);

        var response = await client.PostAsync("/api/v1/bulk-invitations?fileName=people.csv", Csv(People));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var job = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("job");
        var id = job.GetProperty("id").GetInt64();
        Assert.Equal($"/api/v1/bulk-invitations/{id}", response.Headers.Location!.OriginalString);
        Assert.Equal(("people.csv", "Analyzed", 5), (job.GetProperty("fileName").GetString(), job.GetProperty("status").GetString(), job.GetProperty("totalRows").GetInt32()));
        var classes = job.GetProperty("classes");
        Assert.Equal((2, 1, 1, 1), (classes.GetProperty("New").GetInt32(), classes.GetProperty("AlreadyMember").GetInt32(),
            classes.GetProperty("Invalid").GetInt32(), classes.GetProperty("DuplicateInFile").GetInt32()));
        await using var db = await _fixture.Portal.DbAsync();
        var stored = await db.BulkJobs.AsNoTracking().SingleAsync(j => j.Id == id);
        Assert.Equal((_ada.UserId, BulkJobStatus.Analyzed), (stored.CreatedById, stored.Status));
        Assert.Equal(5, await db.BulkJobRows.CountAsync(r => r.JobId == id));
        Assert.False(await db.Invitations.AnyAsync());
        Assert.False(await db.OutboxMessages.AnyAsync());
    }

    [Fact]
    public async Task Starting_an_upload_queues_its_run_which_sends_its_invitations_and_the_start_is_audited_under_the_token()
    {
        var id = await UploadAsync();
        using var client = _fixture.Client(_token);

        var response = await client.PostAsJsonAsync($"/api/v1/bulk-invitations/{id}/start", new { role = "Moderator", message = "Welcome", expiryDays = 3, language = "de" });

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal($"/api/v1/bulk-invitations/{id}", response.Headers.Location!.OriginalString);
        var started = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("job");
        Assert.Equal("Queued", started.GetProperty("status").GetString());
        Assert.Equal(("Moderator", 3, "de"), (started.GetProperty("options").GetProperty("defaultRole").GetString(),
            started.GetProperty("options").GetProperty("expiryDays").GetInt32(), started.GetProperty("options").GetProperty("defaultLanguage").GetString()));
        var entry = Assert.Single(await _fixture.Portal.AuditAsync(AuditActions.BulkInviteStarted));
        Assert.Equal((_ada.UserId, TokenName, id.ToString(CultureInfo.InvariantCulture)), (entry.ActorId, entry.ActorName, entry.TargetId));

        await RunAsync(id);

        var done = await client.GetFromJsonAsync<JsonElement>($"/api/v1/bulk-invitations/{id}");
        var job = done.GetProperty("job");
        Assert.Equal(("Completed", 5, 2), (job.GetProperty("status").GetString(), job.GetProperty("processedRows").GetInt32(), job.GetProperty("sentRows").GetInt32()));
        Assert.Equal(2, done.GetProperty("funnel").GetProperty("invited").GetInt32());
        await using var db = await _fixture.Portal.DbAsync();
        var invitations = await db.Invitations.AsNoTracking().Where(i => i.BulkJobId == id).OrderBy(i => i.Email).ToListAsync();
        Assert.Equal(["alan@example.org", "grace@example.org"], invitations.Select(i => i.Email!.ToLowerInvariant()));
        // The row's own role wins over the run's.
        Assert.Equal(["Moderator", "Moderator"], invitations.Select(i => i.Role));
        Assert.All(invitations, i => Assert.Equal(("de", "Welcome", _ada.UserId, _fixture.Clock.Now.UtcDateTime.AddDays(3)), (i.Language, i.Message, i.InviterId, i.ExpiresAt)));
        var addresses = invitations.Select(i => i.Email).ToList();
        Assert.Equal(2, await db.OutboxMessages.CountAsync(m => addresses.Contains(m.Recipient)));
        Assert.Single(await _fixture.Portal.AuditAsync(AuditActions.BulkInviteCompleted));
    }

    [Fact]
    public async Task An_upload_and_a_start_retried_with_their_keys_make_one_job_and_start_it_once()
    {
        using var client = _fixture.Client(_token);

        var uploads = new List<HttpResponseMessage>();
        for (var i = 0; i < 2; i++)
        {
            var upload = new HttpRequestMessage(HttpMethod.Post, "/api/v1/bulk-invitations?fileName=people.csv") { Content = Csv(People) };
            upload.Headers.Add(ApiIdempotency.HeaderName, "upload-1");
            uploads.Add(await client.SendAsync(upload));
        }
        var id = (await uploads[0].Content.ReadFromJsonAsync<JsonElement>()).GetProperty("job").GetProperty("id").GetInt64();
        var starts = new List<HttpResponseMessage>();
        for (var i = 0; i < 2; i++)
        {
            var start = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/bulk-invitations/{id}/start") { Content = JsonContent.Create(new { language = "de" }) };
            start.Headers.Add(ApiIdempotency.HeaderName, "start-1");
            starts.Add(await client.SendAsync(start));
        }
        var startedWithoutKey = await client.PostAsJsonAsync($"/api/v1/bulk-invitations/{id}/start", new { language = "de" });

        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.Created], uploads.Select(u => u.StatusCode));
        Assert.Equal(await uploads[0].Content.ReadAsStringAsync(), await uploads[1].Content.ReadAsStringAsync());
        Assert.Equal([HttpStatusCode.Accepted, HttpStatusCode.Accepted], starts.Select(u => u.StatusCode));
        Assert.True(starts[1].Headers.Contains(ApiIdempotency.ReplayedHeaderName));
        await ProblemAsync(startedWithoutKey, HttpStatusCode.Conflict, ApiProblems.BulkNotStartable);
        await using var db = await _fixture.Portal.DbAsync();
        Assert.Equal(1, await db.BulkJobs.CountAsync());
        Assert.Single(await _fixture.Portal.AuditAsync(AuditActions.BulkInviteStarted));
    }

    [Fact]
    public async Task The_rows_and_the_results_file_tell_each_rows_class_and_outcome()
    {
        var id = await UploadAsync();
        using var client = _fixture.Client(_token);

        var invalid = await client.GetFromJsonAsync<JsonElement>($"/api/v1/bulk-invitations/{id}/rows?class=invalid");
        var paged = await client.GetFromJsonAsync<JsonElement>($"/api/v1/bulk-invitations/{id}/rows?page=2&pageSize=2");
        Assert.Null(await _fixture.Portal.Get<BulkRuns>().StartAsync(_ada, id, new BulkRunOptions(null, null, Resend: false, ExpiryDays: 14)));
        await RunAsync(id);
        var results = await client.GetAsync($"/api/v1/bulk-invitations/{id}/results");

        var row = Assert.Single(invalid.GetProperty("items").EnumerateArray());
        Assert.Equal((4, "not an address", "Invalid"), (row.GetProperty("line").GetInt32(), row.GetProperty("email").GetString(), row.GetProperty("class").GetString()));
        Assert.False(string.IsNullOrEmpty(row.GetProperty("reason").GetString()));
        Assert.Equal((5, 2), (paged.GetProperty("total").GetInt32(), paged.GetProperty("items").GetArrayLength()));
        Assert.Equal([4, 5], paged.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("line").GetInt32()));
        Assert.Equal(HttpStatusCode.OK, results.StatusCode);
        Assert.Equal("text/csv", results.Content.Headers.ContentType?.MediaType);
        Assert.Equal("people-results.csv", results.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        var lines = (await results.Content.ReadAsStringAsync()).Split(["\r\n", "\n"], StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("line,email,outcome,reason", lines[0]);
        Assert.StartsWith("2,grace@example.org,Sent,", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("3,linus@example.org,AlreadyMember", lines[2], StringComparison.Ordinal);
        Assert.Equal(6, lines.Length);
    }

    [Fact]
    public async Task The_list_shows_the_uploads_newest_first_with_the_total()
    {
        var first = await UploadAsync();
        var second = await UploadAsync();
        using var client = _fixture.Client(_token);

        var list = await client.GetFromJsonAsync<JsonElement>("/api/v1/bulk-invitations?pageSize=1");

        Assert.Equal((2, 1, 1), (list.GetProperty("total").GetInt32(), list.GetProperty("page").GetInt32(), list.GetProperty("pageSize").GetInt32()));
        Assert.Equal(second, Assert.Single(list.GetProperty("items").EnumerateArray()).GetProperty("id").GetInt64());
        Assert.NotEqual(first, second);
    }

    [Theory]
    [InlineData("")]
    [InlineData("name\nGrace Hopper\n")]
    [InlineData("email\n")]
    public async Task A_file_the_portal_cannot_read_is_a_400_naming_the_file_and_leaves_nothing(string csv)
    {
        using var client = _fixture.Client(_token);

        var problem = await ProblemAsync(await client.PostAsync("/api/v1/bulk-invitations", Csv(csv)), HttpStatusCode.BadRequest, ApiProblems.InvalidField);

        Assert.Equal("file", problem.GetProperty("field").GetString());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("detail").GetString()));
        await using var db = await _fixture.Portal.DbAsync();
        Assert.False(await db.BulkJobs.AnyAsync());
    }

    [Fact]
    public async Task A_file_over_the_limit_is_a_413_before_it_is_read()
    {
        var maxBytes = _fixture.Portal.Get<IOptions<BulkInviteOptions>>().Value.MaxBytes;
        using var client = _fixture.Client(_token);

        var response = await client.PostAsync("/api/v1/bulk-invitations", new ByteArrayContent(new byte[maxBytes + 1]));

        var problem = await ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, ApiProblems.FileTooLarge);
        Assert.Equal(CsvInvitationFile.TooLarge(maxBytes), problem.GetProperty("detail").GetString());
        await using var db = await _fixture.Portal.DbAsync();
        Assert.False(await db.BulkJobs.AnyAsync());
    }

    [Theory]
    [InlineData("""{"role":"Owner"}""", "role")]
    [InlineData("""{"expiryDays":0}""", "expiryDays")]
    [InlineData("""{"language":"xx"}""", "language")]
    public async Task Bad_options_are_a_400_naming_the_field_and_start_nothing(string json, string field)
    {
        var id = await UploadAsync();
        using var client = _fixture.Client(_token);

        var response = await client.PostAsync($"/api/v1/bulk-invitations/{id}/start", new StringContent(json, Encoding.UTF8, "application/json"));

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest, ApiProblems.InvalidField);
        Assert.Equal(field, problem.GetProperty("field").GetString());
        Assert.Equal(BulkJobStatus.Analyzed, await StatusAsync(id));
    }

    [Theory]
    [InlineData("/rows?class=lost", "class")]
    [InlineData("/rows?class=2", "class")]
    [InlineData("/rows?page=0", "page")]
    [InlineData("?pageSize=201", "pageSize")]
    public async Task A_bad_filter_is_a_400_naming_it(string query, string field)
    {
        var id = await UploadAsync();
        using var client = _fixture.Client(_token);
        var path = query.StartsWith('?') ? $"/api/v1/bulk-invitations{query}" : $"/api/v1/bulk-invitations/{id}{query}";

        var problem = await ProblemAsync(await client.GetAsync(path), HttpStatusCode.BadRequest, ApiProblems.InvalidField);

        Assert.Equal(field, problem.GetProperty("field").GetString());
    }

    [Fact]
    public async Task An_unknown_upload_is_a_404_problem_everywhere()
    {
        using var client = _fixture.Client(_token);

        await ProblemAsync(await client.GetAsync("/api/v1/bulk-invitations/999"), HttpStatusCode.NotFound, ApiProblems.NotFound);
        await ProblemAsync(await client.GetAsync("/api/v1/bulk-invitations/999/rows"), HttpStatusCode.NotFound, ApiProblems.NotFound);
        await ProblemAsync(await client.GetAsync("/api/v1/bulk-invitations/999/results"), HttpStatusCode.NotFound, ApiProblems.NotFound);
        await ProblemAsync(await client.PostAsync("/api/v1/bulk-invitations/999/start", null), HttpStatusCode.NotFound, ApiProblems.NotFound);
        await ProblemAsync(await client.PostAsync("/api/v1/bulk-invitations/999/cancel", null), HttpStatusCode.NotFound, ApiProblems.NotFound);
        await ProblemAsync(await client.PostAsync("/api/v1/bulk-invitations/999/resume", null), HttpStatusCode.NotFound, ApiProblems.NotFound);
    }

    [Fact]
    public async Task Stopping_a_run_audits_the_token_and_what_is_stopped_cannot_be_started_stopped_or_resumed()
    {
        var id = await UploadAsync();
        using var client = _fixture.Client(_token);
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync($"/api/v1/bulk-invitations/{id}/start", null)).StatusCode);

        var stopped = await client.PostAsync($"/api/v1/bulk-invitations/{id}/cancel", null);

        Assert.Equal(HttpStatusCode.NoContent, stopped.StatusCode);
        Assert.Equal(BulkJobStatus.Cancelled, await StatusAsync(id));
        Assert.Equal(TokenName, Assert.Single(await _fixture.Portal.AuditAsync(AuditActions.BulkInviteCancelled)).ActorName);
        await ProblemAsync(await client.PostAsync($"/api/v1/bulk-invitations/{id}/start", null), HttpStatusCode.Conflict, ApiProblems.BulkNotStartable);
        await ProblemAsync(await client.PostAsync($"/api/v1/bulk-invitations/{id}/cancel", null), HttpStatusCode.Conflict, ApiProblems.BulkNotCancellable);
        await ProblemAsync(await client.PostAsync($"/api/v1/bulk-invitations/{id}/resume", null), HttpStatusCode.Conflict, ApiProblems.BulkNotResumable);
        await RunAsync(id);
        await using var db = await _fixture.Portal.DbAsync();
        Assert.False(await db.Invitations.AnyAsync());
    }

    [Fact]
    public async Task A_failed_run_resumes_where_it_stopped_and_sends_each_invitation_once()
    {
        var id = await UploadAsync();
        var runs = _fixture.Portal.Get<BulkRuns>();
        Assert.Null(await runs.StartAsync(_ada, id, new BulkRunOptions(null, null, Resend: false, ExpiryDays: 14)));
        await runs.FailAsync(id, "The database went away.", default);
        using var client = _fixture.Client(_token);
        var failed = await client.GetFromJsonAsync<JsonElement>($"/api/v1/bulk-invitations/{id}");
        Assert.Equal(("Failed", "The database went away."), (failed.GetProperty("job").GetProperty("status").GetString(), failed.GetProperty("job").GetProperty("error").GetString()));

        var resumed = await client.PostAsync($"/api/v1/bulk-invitations/{id}/resume", null);

        Assert.Equal(HttpStatusCode.Accepted, resumed.StatusCode);
        Assert.Equal("Queued", (await resumed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("job").GetProperty("status").GetString());
        Assert.Equal(TokenName, Assert.Single(await _fixture.Portal.AuditAsync(AuditActions.BulkInviteResumed)).ActorName);
        await RunAsync(id);
        Assert.Equal(BulkJobStatus.Completed, await StatusAsync(id));
        await using var db = await _fixture.Portal.DbAsync();
        Assert.Equal(2, await db.Invitations.CountAsync(i => i.BulkJobId == id));
        await ProblemAsync(await client.PostAsync($"/api/v1/bulk-invitations/{id}/resume", null), HttpStatusCode.Conflict, ApiProblems.BulkNotResumable);
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Without_an_accepted_token_every_endpoint_answers_401(string method, string path, string scope)
    {
        _ = scope;
        var id = await UploadFor(path);
        var before = await StatusAsync(id);
        await _fixture.AssertUnacceptedTokensRefusedAsync(_ada, () => Request(method, path, id));
        Assert.Equal(before, await StatusAsync(id));
        await NothingDoneAsync();
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task A_token_without_the_scope_is_a_403(string method, string path, string scope)
    {
        var id = await UploadFor(path);
        var before = await StatusAsync(id);
        var other = await _fixture.TokenAsync(_ada, "Narrow", [.. ApiScopes.All.Where(s => s != scope)]);
        using var client = _fixture.Client(other);

        await ProblemAsync(await client.SendAsync(Request(method, path, id)), HttpStatusCode.Forbidden, ApiProblems.InsufficientScope);
        Assert.Equal(before, await StatusAsync(id));
        await NothingDoneAsync();
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task The_token_of_an_admin_who_lost_the_role_is_a_401(string method, string path, string scope)
    {
        _ = scope;
        var id = await UploadFor(path);
        await using (var db = await _fixture.Portal.DbAsync())
        {
            await db.UserRoles.Where(r => r.UserId == _ada.UserId).ExecuteDeleteAsync();
        }
        using var client = _fixture.Client(_token);

        await ProblemAsync(await client.SendAsync(Request(method, path, id)), HttpStatusCode.Unauthorized, ApiProblems.TokenOwnerWithoutRights);
        Assert.Single(await _fixture.Portal.AuditAsync(AuditActions.AccessRefused));
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Another_admins_token_acts_as_that_admin(string method, string path, string scope)
    {
        _ = scope;
        var id = await UploadFor(path);

        var (bob, entries) = await _fixture.SendAsAnotherAdminAsync(method, path, () => Request(method, path, id));

        if (path == "/api/v1/bulk-invitations" && method == "POST")
        {
            // An upload changes nothing but itself: it is Bob's.
            await using var db = await _fixture.Portal.DbAsync();
            Assert.Equal(bob.UserId, await db.BulkJobs.Where(j => j.Id != id).Select(j => j.CreatedById).SingleAsync());
        }
        else if (method == "POST")
        {
            Assert.NotEmpty(entries);
        }
    }

    /// <summary>An upload of ada's in the state the endpoint acts on: started for stopping, failed for resuming, analysed for anything else.</summary>
    private async Task<long> UploadFor(string path)
    {
        var id = await UploadAsync();
        if (path.EndsWith("/cancel", StringComparison.Ordinal) || path.EndsWith("/resume", StringComparison.Ordinal))
        {
            var runs = _fixture.Portal.Get<BulkRuns>();
            Assert.Null(await runs.StartAsync(_ada, id, new BulkRunOptions(null, null, Resend: false, ExpiryDays: 14)));
            if (path.EndsWith("/resume", StringComparison.Ordinal))
            {
                await runs.FailAsync(id, "The database went away.", default);
            }
        }
        return id;
    }

    /// <summary>Nothing a token asked for was done: no upload added, and nothing in the audit log under a token's name.</summary>
    private async Task NothingDoneAsync()
    {
        await using var db = await _fixture.Portal.DbAsync();
        Assert.Equal(1, await db.BulkJobs.CountAsync());
        Assert.False(await db.AuditEntries.AnyAsync(e => e.ActorName.Contains("(token:")));
    }

    private async Task<long> UploadAsync() =>
        await _fixture.Portal.Get<BulkAnalysis>().AnalyzeAsync(_ada, "people.csv", new MemoryStream(Encoding.UTF8.GetBytes(People)));

    /// <summary>Runs a started upload to its end, batch by batch, as the background runner does.</summary>
    private Task RunAsync(long id) => _fixture.Portal.Get<BulkRuns>().RunToEndAsync(id, default);

    private async Task<BulkJobStatus> StatusAsync(long id)
    {
        await using var db = await _fixture.Portal.DbAsync();
        return await db.BulkJobs.Where(j => j.Id == id).Select(j => j.Status).SingleAsync();
    }

    private static StringContent Csv(string csv) => new(csv, Encoding.UTF8, "text/csv");

    private static HttpRequestMessage Request(string method, string path, long id) =>
        new(new HttpMethod(method), path.Replace("{id}", id.ToString(CultureInfo.InvariantCulture)))
        {
            Content = path == "/api/v1/bulk-invitations" && method == "POST" ? Csv(People) : null,
        };
}
