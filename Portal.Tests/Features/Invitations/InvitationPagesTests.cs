using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Portal.Data;
using Portal.Features.Api;
using Portal.Features.Invitations;
using Portal.Features.Invitations.Bulk;
using Portal.Identity;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Features.Invitations;

/// <summary>The invitee's pages over HTTP: opening them changes nothing; their forms act.</summary>
public sealed class InvitationPagesTests : IAsyncLifetime
{
    private readonly LogCapture _logs = new();
    private readonly TestPortal _portal;
    private readonly Dictionary<string, string> _tokens = [];

    public InvitationPagesTests()
    {
        _portal = TestPortal.WithServices(services =>
        {
            services.AddLogging(logging => logging.AddProvider(_logs).SetMinimumLevel(LogLevel.Trace));
        });
        _portal.Settings["Logging:LogLevel:Default"] = "Trace";
    }

    private async Task<(string Token, long Id)> InviteAsync(string address)
    {
        var result = await _portal.Get<InvitationService>().InviteAsync(address, new Actor("a", "Grace Admin", new HashSet<string> { Roles.Admin }));
        var mail = await _portal.Mail.DeliveredAsync(address, "invited you");
        var link = mail.LinkContaining("/invite/");
        return (link[(link.LastIndexOf('/') + 1)..], result.InvitationId!.Value);
    }

    private async Task<(InvitationStatus Status, AccountStatus? Account)> StateAsync(long id)
    {
        await using var db = await _portal.DbAsync();
        var invitation = await db.Invitations.Include(i => i.User).AsNoTracking().SingleAsync(i => i.Id == id);
        return (invitation.Status, invitation.User?.Status);
    }

    [Fact]
    public async Task Opening_the_invitation_and_opt_out_links_changes_nothing()
    {
        var (token, id) = await InviteAsync("look@example.org");
        using var client = _portal.CreateBrowserlikeClient();

        var invite = await client.GetPageAsync($"/invite/{token}");
        var optOut = await client.GetPageAsync($"/invite/{token}/opt-out");
        using var oneClick = await client.GetAsync($"/invite/{token}/one-click");

        Assert.Equal("Join Portal", invite.QuerySelector("h1")!.TextContent);
        Assert.Contains("Grace Admin", invite.QuerySelector("main p")!.TextContent);
        Assert.Equal("look@example.org", invite.QuerySelector("input#email")!.GetAttribute("value"));
        Assert.Equal("Opt out of invitations?", optOut.QuerySelector("h1")!.TextContent);
        Assert.Equal(HttpStatusCode.Redirect, oneClick.StatusCode);
        Assert.Equal($"/invite/{token}/opt-out", oneClick.Headers.Location!.OriginalString);
        Assert.Equal((InvitationStatus.Pending, AccountStatus.Invited), await StateAsync(id));
    }

    [Fact]
    public async Task Invitation_pages_send_no_referrer_and_are_never_cached()
    {
        var (token, _) = await InviteAsync("headers@example.org");
        using var client = _portal.CreateBrowserlikeClient();

        foreach (var path in new[] { $"/invite/{token}", $"/invite/{token}/opt-out", "/account/confirm-email?userId=x&code=y" })
        {
            using var response = await client.GetAsync(path);
            Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
            Assert.Contains("no-store", response.Headers.CacheControl!.ToString());
            Assert.Contains("default-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single());
        }
    }

    [Fact]
    public async Task Submitting_the_form_registers_signs_in_and_goes_home()
    {
        var (token, id) = await InviteAsync("join@example.org");
        using var client = _portal.CreateBrowserlikeClient();

        using var response = await client.SubmitFormAsync($"/invite/{token}", new Dictionary<string, string>
        {
            ["Input.UserName"] = "joiner",
            ["Input.Email"] = "join@example.org",
            ["Input.Password"] = TestPortal.DefaultPassword,
            ["Input.ConfirmPassword"] = TestPortal.DefaultPassword,
        });

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/?joined=true", response.Headers.Location!.PathAndQuery);
        Assert.Contains(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("portal.auth=", StringComparison.Ordinal));
        var home = await client.GetPageAsync("/?joined=true");
        Assert.Equal("Welcome, joiner", home.QuerySelector("h1")!.TextContent);
        Assert.Equal((InvitationStatus.Accepted, AccountStatus.Active), await StateAsync(id));
        var used = await client.GetPageAsync($"/invite/{token}");
        Assert.Equal("This invitation was already used", used.QuerySelector("h1")!.TextContent);
    }

    [Fact]
    public async Task A_form_with_mistakes_comes_back_with_every_mistake_and_the_input_kept()
    {
        var (token, id) = await InviteAsync("oops@example.org");
        using var client = _portal.CreateBrowserlikeClient();

        using var response = await client.SubmitFormAsync($"/invite/{token}", new Dictionary<string, string>
        {
            ["Input.UserName"] = "root",
            ["Input.Email"] = "oops@example.org",
            ["Input.Password"] = "short",
            ["Input.ConfirmPassword"] = "shorter",
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await Forms.ParseAsync(response);
        Assert.Contains("reserved", page.QuerySelector("#username-error")!.TextContent);
        Assert.Contains("at least 10 characters", page.QuerySelector("#password-error")!.TextContent);
        Assert.Contains("differ", page.QuerySelector("#confirm-error")!.TextContent);
        Assert.Equal("root", page.QuerySelector("input#username")!.GetAttribute("value"));
        Assert.True(string.IsNullOrEmpty(page.QuerySelector("input#password")!.GetAttribute("value")));
        Assert.DoesNotContain("shorter", await response.Content.ReadAsStringAsync());
        Assert.Equal((InvitationStatus.Pending, AccountStatus.Invited), await StateAsync(id));
    }

    [Fact]
    public async Task The_opt_out_button_opts_out_and_the_page_then_says_so()
    {
        var (token, id) = await InviteAsync("leave@example.org");
        using var client = _portal.CreateBrowserlikeClient();

        using var response = await client.SubmitFormAsync($"/invite/{token}/opt-out", new Dictionary<string, string>());

        var page = await Forms.ParseAsync(response);
        Assert.Equal("You are opted out", page.QuerySelector("h1")!.TextContent);
        Assert.Equal((InvitationStatus.OptedOut, null), await StateAsync(id));
        var again = await client.GetPageAsync($"/invite/{token}/opt-out");
        Assert.Equal("You are opted out", again.QuerySelector("h1")!.TextContent);
    }

    [Fact]
    public async Task After_opting_out_no_table_holds_the_address_in_any_spelling()
    {
        // Over a real SMTP server, so that mail to the address can bounce before the opt-out.
        await using var smtp = await SmtpSink.StartAsync();
        _portal.Settings["Email:Delivery"] = "Smtp";
        _portal.Settings["Email:Smtp:Host"] = "127.0.0.1";
        _portal.Settings["Email:Smtp:Port"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _portal.Settings["Email:Smtp:Security"] = "None";
        var admin = new Actor("a", "Grace Admin", new HashSet<string> { Roles.Admin });
        var analysis = _portal.Get<BulkAnalysis>();
        var queries = _portal.Get<BulkQueries>();
        var runs = _portal.Get<BulkRuns>();
        var csv = "email,name,message\nVera.Gone@Example.ORG,Vera Gone,See you there vera.gone@example.org\nstays@example.org,Stays,\n";
        var jobId = await analysis.AnalyzeAsync(admin, "people.csv", new MemoryStream(Encoding.UTF8.GetBytes(csv)));
        Assert.Null(await runs.StartAsync(admin, jobId, new BulkRunOptions(null, null, Resend: false, ExpiryDays: 10)));
        await runs.RunToEndAsync(jobId, default);
        await _portal.DeliverMailAsync();
        var mail = Assert.Single(smtp.ParsedByPython(), m => m.To.Contains("Vera.Gone@example.org", StringComparison.Ordinal));
        var link = mail.LinkContaining("/invite/");
        // Her mailbox is gone by the time the invitation is sent again: the server's reply names the
        // address, and it lands on the suppression list, the failed message and the audit log.
        smtp.Refuse("vera.gone@example.org", "5.1.1 <vera.gone@example.org>: Recipient address rejected: User unknown");
        Assert.Equal(InviteOutcome.Resent, (await _portal.Get<InvitationService>().InviteAsync("VERA.GONE@example.org", admin)).Outcome);
        await _portal.DeliverMailAsync();
        Assert.Contains("MailSuppressions.Address", await PlacesHoldingAsync("vera.gone@example.org"));
        // A program invited her too, through the API with an Idempotency-Key: the answer kept for its retry names her.
        var owner = await _portal.CreateUserAsync("owner@example.org", roles: Roles.Admin);
        var token = await _portal.Get<ApiTokens>().CreateAsync(
            new Actor(owner.Id, owner.UserName!, new HashSet<string> { Roles.Admin }), "sync", [ApiScopes.InvitationsWrite], DateOnly.FromDateTime(DateTime.UtcNow).AddYears(1));
        using var program = _portal.CreateClient();
        program.DefaultRequestHeaders.Authorization = new("Bearer", token.Token);
        program.DefaultRequestHeaders.Add(ApiIdempotency.HeaderName, "sync-vera");
        Assert.Equal(HttpStatusCode.OK, (await program.PostAsJsonAsync("/api/v1/invitations", new { email = "Vera.Gone@Example.ORG" })).StatusCode);
        Assert.Contains("ApiIdempotencyKeys.Body", await PlacesHoldingAsync("vera.gone@example.org"));
        using var client = _portal.CreateBrowserlikeClient();

        using var response = await client.SubmitFormAsync(link[link.IndexOf("/invite/", StringComparison.Ordinal)..] + "/opt-out", new Dictionary<string, string>());

        Assert.Equal("You are opted out", (await Forms.ParseAsync(response)).QuerySelector("h1")!.TextContent);
        Assert.Equal([], await PlacesHoldingAsync("vera.gone@example.org"));
        Assert.NotEmpty(await PlacesHoldingAsync("stays@example.org"));
        using var results = new MemoryStream();
        await queries.WriteResultsAsync(admin, jobId, results);
        Assert.DoesNotContain("vera.gone", Encoding.UTF8.GetString(results.ToArray()), StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Every column of every table whose text holds <paramref name="needle"/>, in any letter case.</summary>
    private async Task<List<string>> PlacesHoldingAsync(string needle)
    {
        await using var db = await _portal.DbAsync();
        var connection = (Microsoft.Data.Sqlite.SqliteConnection)db.Database.GetDbConnection();
        await connection.OpenAsync();
        var columns = new List<(string Table, string Column)>();
        await using (var tables = connection.CreateCommand())
        {
            tables.CommandText = "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table'";
            await using var reader = await tables.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                columns.Add((reader.GetString(0), reader.GetString(1)));
            }
        }
        var places = new List<string>();
        foreach (var (table, column) in columns)
        {
            await using var count = connection.CreateCommand();
            count.CommandText = $"SELECT COUNT(*) FROM \"{table}\" WHERE lower(CAST(\"{column}\" AS TEXT)) LIKE '%' || $needle || '%'";
            count.Parameters.AddWithValue("$needle", needle);
            if ((long)(await count.ExecuteScalarAsync())! > 0)
            {
                places.Add($"{table}.{column}");
            }
        }
        return places;
    }

    [Fact]
    public async Task One_click_unsubscribe_works_without_a_page_cookie_or_antiforgery_token()
    {
        var (token, id) = await InviteAsync("oneclick@example.org");
        using var client = _portal.CreateClient();

        using var wrongBody = await client.PostAsync($"/invite/{token}/one-click", new FormUrlEncodedContent(new Dictionary<string, string> { ["x"] = "y" }));
        using var response = await client.PostAsync($"/invite/{token}/one-click",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["List-Unsubscribe"] = "One-Click" }));

        Assert.Equal(HttpStatusCode.BadRequest, wrongBody.StatusCode);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal((InvitationStatus.OptedOut, null), await StateAsync(id));
    }

    [Fact]
    public async Task Tokens_never_reach_the_logs()
    {
        var (token, _) = await InviteAsync("secret@example.org");
        using var client = _portal.CreateBrowserlikeClient();

        await client.GetPageAsync($"/invite/{token}");
        using var _ = await client.SubmitFormAsync($"/invite/{token}", new Dictionary<string, string>
        {
            ["Input.UserName"] = "secretive",
            ["Input.Email"] = "secret@example.org",
            ["Input.Password"] = TestPortal.DefaultPassword,
            ["Input.ConfirmPassword"] = TestPortal.DefaultPassword,
        });
        await client.GetAsync($"/invite/{token}/opt-out");

        Assert.NotEmpty(_logs.Lines);
        Assert.DoesNotContain(_logs.Lines, line => line.Contains(token, StringComparison.Ordinal));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _portal.DisposeAsync();
}
