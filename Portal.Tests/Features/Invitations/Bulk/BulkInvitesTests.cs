using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Portal.Data;
using Portal.Features.Audit;
using Portal.Features.Invitations;
using Portal.Features.Invitations.Bulk;
using Portal.Features.OptOut;
using Portal.Features.Outbox;
using Portal.Identity;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Features.Invitations.Bulk;

public class BulkInvitesTests : IAsyncLifetime
{
    private static readonly Actor Admin = new("bulk-admin", "Bulk Admin", new HashSet<string> { Roles.Admin });

    private readonly TestPortal _portal;

    public BulkInvitesTests() : this(DatabaseProvider.Sqlite)
    {
    }

    protected BulkInvitesTests(DatabaseProvider database)
    {
        // The test drives the runs itself: no background runner, no mail delivery.
        _portal = TestPortal.WithServices(services => services.RemoveAll<IHostedService>(), database);
    }

    private BulkAnalysis Analysis => _portal.Get<BulkAnalysis>();

    private BulkQueries Queries => _portal.Get<BulkQueries>();

    private BulkRuns Runs => _portal.Get<BulkRuns>();

    private Task<long> AnalyzeAsync(string csv, string name = "people.csv") =>
        Analysis.AnalyzeAsync(Admin, name, new MemoryStream(Encoding.UTF8.GetBytes(csv)));

    private async Task SetUpExistingAsync()
    {
        await _portal.CreateUserAsync("member@example.org");
        await _portal.Get<InvitationService>().InviteAsync("pending@example.org", Admin);
        var optedOut = await _portal.Get<InvitationService>().InviteAsync("gone@example.org", Admin);
        await using var db = await _portal.DbAsync();
        await _portal.Get<OptOutList>().AddAsync(db, "gone@example.org", OptOutSource.Page);
        await db.SaveChangesAsync();
        _ = optedOut;
    }

    private const string MixedFile =
        "email,name,role,message,expires_days\n" +
        "new@example.org,Newton,,,\n" +
        "Member@Example.org,,,,\n" +
        "pending@example.org,,,,\n" +
        "GONE@example.org,,,,\n" +
        "not-an-address,,,,\n" +
        "role@example.org,,Overlord,,\n" +
        "days@example.org,,,,400\n" +
        "NEW@EXAMPLE.ORG,,,,\n" +
        "mod@example.org,Mo,moderator,\"Hi Mo, welcome\",3\n";

    [DatabaseFact]
    public async Task The_dry_run_classifies_every_row_and_sends_nothing()
    {
        await SetUpExistingAsync();
        int invitationsBefore;
        await using (var db = await _portal.DbAsync())
        {
            invitationsBefore = await db.Invitations.CountAsync();
        }

        var jobId = await AnalyzeAsync(MixedFile);

        var job = (await Queries.GetAsync(Admin, jobId))!;
        Assert.Equal(BulkJobStatus.Analyzed, job.Status);
        Assert.Equal(9, job.TotalRows);
        Assert.Equal(2, job.Classes[BulkRowClass.New]);
        Assert.Equal(1, job.Classes[BulkRowClass.AlreadyMember]);
        Assert.Equal(1, job.Classes[BulkRowClass.PendingInvitation]);
        Assert.Equal(1, job.Classes[BulkRowClass.OptedOut]);
        Assert.Equal(3, job.Classes[BulkRowClass.Invalid]);
        Assert.Equal(1, job.Classes[BulkRowClass.DuplicateInFile]);
        var rows = (await Queries.RowsAsync(Admin, jobId, null, new PageRequest(0, 50))).Items;
        Assert.Equal([2, 3, 4, 5, 6, 7, 8, 9, 10], rows.Select(r => r.Line));
        Assert.Equal(
            [BulkRowClass.New, BulkRowClass.AlreadyMember, BulkRowClass.PendingInvitation, BulkRowClass.OptedOut, BulkRowClass.Invalid,
             BulkRowClass.Invalid, BulkRowClass.Invalid, BulkRowClass.DuplicateInFile, BulkRowClass.New],
            rows.Select(r => r.Class));
        Assert.Contains("needs a name, an @", rows[4].Reason);
        Assert.Contains("no role called \"Overlord\"", rows[5].Reason);
        Assert.Contains("from 1 to 365", rows[6].Reason);
        var invalid = await Queries.RowsAsync(Admin, jobId, BulkRowClass.Invalid, new PageRequest());
        Assert.Equal(3, invalid.Total);
        await using var check = await _portal.DbAsync();
        Assert.Equal(invitationsBefore, await check.Invitations.CountAsync());
        Assert.False(await check.Users.AnyAsync(u => u.NormalizedEmail == "NEW@EXAMPLE.ORG"));
    }

    [DatabaseFact]
    public async Task Each_row_is_invited_in_the_language_it_names_the_others_in_the_runs_and_a_language_not_offered_is_a_bad_row()
    {
        var jobId = await AnalyzeAsync(
            "email,language\n" +
            "anna@example.org,de-DE\n" +
            "ben@example.org,EN\n" +
            "chloe@example.org,\n" +
            "dora@example.org,fr\n");

        var rows = (await Queries.RowsAsync(Admin, jobId, null, new PageRequest(0, 50))).Items;
        Assert.Equal([BulkRowClass.New, BulkRowClass.New, BulkRowClass.New, BulkRowClass.Invalid], rows.Select(r => r.Class));
        Assert.Equal("The portal does not speak \"fr\" (its languages: en, de).", rows[3].Reason);
        Assert.Null(await Runs.StartAsync(Admin, jobId, new BulkRunOptions(null, null, Resend: false, ExpiryDays: 10, DefaultLanguage: "de")));
        await Runs.RunToEndAsync(jobId, default);

        await using var db = await _portal.DbAsync();
        var languages = await db.Invitations.Where(i => i.BulkJobId == jobId).ToDictionaryAsync(i => i.Email!, i => i.Language);
        Assert.Equal(new Dictionary<string, string?> { ["anna@example.org"] = "de", ["ben@example.org"] = "en", ["chloe@example.org"] = "de" }, languages);
        var subjects = await db.OutboxMessages.Where(m => m.Template == "InvitationMail").ToDictionaryAsync(m => m.Recipient, m => m.Subject);
        Assert.Equal("Bulk Admin hat Sie zu Portal eingeladen", subjects["anna@example.org"]);
        Assert.Equal("Bulk Admin invited you to join Portal", subjects["ben@example.org"]);
        Assert.Equal("Bulk Admin hat Sie zu Portal eingeladen", subjects["chloe@example.org"]);
    }

    [DatabaseFact]
    public async Task The_results_file_names_its_columns_and_outcomes_in_the_readers_language()
    {
        var jobId = await AnalyzeAsync("email\nneu@example.org\nkaputt\n");
        Assert.Null(await Runs.StartAsync(Admin, jobId, new BulkRunOptions(null, null, Resend: false, ExpiryDays: 10)));
        await Runs.RunToEndAsync(jobId, default);
        using var english = new MemoryStream();
        using var german = new MemoryStream();

        await Queries.WriteResultsAsync(Admin, jobId, english);
        CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("de-DE");
        await Queries.WriteResultsAsync(Admin, jobId, german);

        var englishLines = Encoding.UTF8.GetString(english.ToArray()).ReplaceLineEndings("\n").Split('\n');
        var germanLines = Encoding.UTF8.GetString(german.ToArray()).ReplaceLineEndings("\n").Split('\n');
        Assert.Equal(["line,email,outcome,reason", "2,neu@example.org,Sent,"], englishLines[..2]);
        Assert.StartsWith("3,kaputt,Invalid,", englishLines[2]);
        Assert.Equal(["Zeile,E-Mail,Ergebnis,Grund", "2,neu@example.org,Gesendet,"], germanLines[..2]);
        Assert.StartsWith("3,kaputt,Ungültig,", germanLines[2]);
    }

    [DatabaseFact]
    public async Task A_run_whose_default_language_is_not_offered_does_not_start()
    {
        var jobId = await AnalyzeAsync("email\nanna@example.org\n");

        var refused = await Runs.StartAsync(Admin, jobId, new BulkRunOptions(null, null, Resend: false, ExpiryDays: 10, DefaultLanguage: "xx"));

        Assert.Equal("The portal does not speak xx (its languages: en, de).", refused);
        Assert.Equal(BulkJobStatus.Analyzed, (await Queries.GetAsync(Admin, jobId))!.Status);
    }

    [DatabaseFact]
    public async Task A_run_sends_by_the_same_rules_as_one_invitation_and_ends_with_one_audit_entry()
    {
        await SetUpExistingAsync();
        var jobId = await AnalyzeAsync(MixedFile);

        Assert.Null(await Runs.StartAsync(Admin, jobId, new BulkRunOptions(null, "Welcome aboard", Resend: false, ExpiryDays: 10)));
        await Runs.RunToEndAsync(jobId, default);

        var job = (await Queries.GetAsync(Admin, jobId))!;
        Assert.Equal((BulkJobStatus.Completed, 9, 2), (job.Status, job.ProcessedRows, job.SentRows));
        var rows = (await Queries.RowsAsync(Admin, jobId, null, new PageRequest(0, 50))).Items;
        Assert.Equal(
            [InviteOutcome.Sent, InviteOutcome.AlreadyMember, InviteOutcome.AlreadyInvited, InviteOutcome.OptedOut, InviteOutcome.Invalid,
             InviteOutcome.Invalid, InviteOutcome.Invalid, InviteOutcome.Duplicate, InviteOutcome.Sent],
            rows.Select(r => r.Outcome!.Value));

        await using var db = await _portal.DbAsync();
        var newcomer = await db.Invitations.SingleAsync(i => i.EmailKey == "new@example.org");
        Assert.Equal((jobId, "Newton", "Welcome aboard", (string?)null), (newcomer.BulkJobId, newcomer.Name, newcomer.Message, newcomer.Role));
        Assert.Equal(10, (newcomer.ExpiresAt - newcomer.CreatedAt).TotalDays);
        var moderator = await db.Invitations.SingleAsync(i => i.EmailKey == "mod@example.org");
        Assert.Equal((Roles.Moderator, "Hi Mo, welcome", 3.0), (moderator.Role, moderator.Message, (moderator.ExpiresAt - moderator.CreatedAt).TotalDays));
        var mail = await db.OutboxMessages.SingleAsync(m => m.Recipient == "new@example.org");
        Assert.StartsWith("Hello Newton,", mail.TextBody);
        Assert.Equal(1, await db.OutboxMessages.CountAsync(m => m.Recipient == "pending@example.org"));
        Assert.Equal(1, await db.OutboxMessages.CountAsync(m => m.Recipient == "gone@example.org")); // the one sent before the opt-out
        var audit = await _portal.Get<AuditLog>().SearchAsync(Admin, new AuditQuery(Search: "people.csv"), new PageRequest());
        // Newest first: the admin's start, then one entry for the whole run, not one per invitation.
        Assert.Equal(["bulk-invite.completed", "bulk-invite.started"], audit.Items.Select(e => e.Action));
        Assert.Contains("2 invitations sent of 9 rows processed", audit.Items[0].Details);
        Assert.False(await db.AuditEntries.AnyAsync(e => e.Action == "invitation.sent" && e.TargetName == "new@example.org"));
    }

    [DatabaseFact]
    public async Task With_resend_pending_invitations_go_out_again()
    {
        await SetUpExistingAsync();
        var jobId = await AnalyzeAsync("email\npending@example.org\n");

        await Runs.StartAsync(Admin, jobId, new BulkRunOptions(null, null, Resend: true, ExpiryDays: 14));
        await Runs.RunToEndAsync(jobId, default);

        var row = Assert.Single((await Queries.RowsAsync(Admin, jobId, null, new PageRequest())).Items);
        Assert.Equal(InviteOutcome.Resent, row.Outcome);
        await using var db = await _portal.DbAsync();
        Assert.Equal(2, (await db.Invitations.SingleAsync(i => i.EmailKey == "pending@example.org")).SendCount);
    }

    [DatabaseFact]
    public async Task The_run_decides_on_the_state_at_send_time_not_at_the_dry_run()
    {
        var jobId = await AnalyzeAsync("email\nlate-optout@example.org\nlate-member@example.org\nlate-bounce@example.org\n");
        await using (var db = await _portal.DbAsync())
        {
            await _portal.Get<OptOutList>().AddAsync(db, "Late-OptOut@example.org", OptOutSource.OneClick);
            await db.SaveChangesAsync();
            await _portal.Get<SuppressionList>().AddAsync(db, "Late-Bounce@example.org", "550 5.1.1 no such user", default);
        }
        await _portal.CreateUserAsync("late-member@example.org");

        await Runs.StartAsync(Admin, jobId, new BulkRunOptions(null, null, false, 14));
        await Runs.RunToEndAsync(jobId, default);

        var rows = (await Queries.RowsAsync(Admin, jobId, null, new PageRequest())).Items;
        Assert.Equal([InviteOutcome.OptedOut, InviteOutcome.AlreadyMember, InviteOutcome.Suppressed], rows.Select(r => r.Outcome!.Value));
        Assert.StartsWith("Mail to this address bounced on ", rows[2].Reason);
        Assert.Contains(": 550 5.1.1 no such user; remove it from the suppression list to invite again.", rows[2].Reason);
        await using var check = await _portal.DbAsync();
        Assert.False(await check.OutboxMessages.AnyAsync());
    }

    [DatabaseFact]
    public async Task Nodes_running_batches_of_one_job_at_once_do_each_row_once()
    {
        _portal.Settings["BulkInvitations:BatchSize"] = "15";
        var file = "email\n" + string.Concat(Enumerable.Range(0, 240).Select(i => $"crowd{i}@example.org\n"));
        var jobId = await AnalyzeAsync(file);
        Assert.Null(await Runs.StartAsync(Admin, jobId, new BulkRunOptions(null, null, Resend: false, 14)));

        // Three nodes' runners pick the same job up at the same moment and run it side by side.
        var picked = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(() => Runs.NextRunnableAsync(default))));
        Assert.All(picked, id => Assert.Equal(jobId, id));
        await Task.WhenAll(picked.Select(id => Task.Run(async () =>
        {
            while (await Runs.RunBatchAsync(id!.Value, default))
            {
            }
        })));

        var job = (await Queries.GetAsync(Admin, jobId))!;
        Assert.Equal((BulkJobStatus.Completed, 240, 240), (job.Status, job.ProcessedRows, job.SentRows));
        await using var db = await _portal.DbAsync();
        Assert.Equal(240, await db.Invitations.CountAsync(i => i.BulkJobId == jobId));
        Assert.Equal(240, await db.OutboxMessages.Select(m => m.Recipient).Distinct().CountAsync());
        Assert.Equal(240, await db.OutboxMessages.CountAsync());
        Assert.Equal(1, await db.AuditEntries.CountAsync(e => e.Action == "bulk-invite.completed"));
    }

    [DatabaseFact]
    public async Task Running_the_same_file_again_sends_no_second_invitation_or_mail()
    {
        const string file = "email\nonce@example.org\ntwice@example.org\n";
        foreach (var _ in Enumerable.Range(0, 2))
        {
            var jobId = await AnalyzeAsync(file);
            await Runs.StartAsync(Admin, jobId, new BulkRunOptions(null, null, Resend: false, 14));
            await Runs.RunToEndAsync(jobId, default);
        }

        await using var db = await _portal.DbAsync();
        Assert.Equal(1, await db.Invitations.CountAsync(i => i.EmailKey == "once@example.org"));
        Assert.Equal(1, await db.OutboxMessages.CountAsync(m => m.Recipient == "twice@example.org"));
    }

    [DatabaseFact]
    public async Task The_results_file_has_a_line_per_row_and_defuses_formulas()
    {
        var jobId = await AnalyzeAsync("email,name\nok@example.org,Ok\n=HYPERLINK(\"http://evil\"),x\n+1@example.org,\n-cmd@example.org,\n@sum@example.org,\n");
        await Runs.StartAsync(Admin, jobId, new BulkRunOptions(null, null, false, 14));
        await Runs.RunToEndAsync(jobId, default);

        using var output = new MemoryStream();
        await Queries.WriteResultsAsync(Admin, jobId, output);
        var lines = Encoding.UTF8.GetString(output.ToArray()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal("line,email,outcome,reason", lines[0]);
        Assert.Equal("2,ok@example.org,Sent,", lines[1]);
        Assert.StartsWith("3,\"'=HYPERLINK(", lines[2]);
        Assert.Contains(",Invalid,", lines[2]);
        Assert.StartsWith("4,'+1@example.org,Sent", lines[3].Replace("\"", "", StringComparison.Ordinal));
        Assert.StartsWith("5,'-cmd@example.org,Sent", lines[4].Replace("\"", "", StringComparison.Ordinal));
        Assert.StartsWith("6,", lines[5]);
        Assert.Contains("'@sum@example.org", lines[5]);
        Assert.Equal(6, lines.Length);
    }

    [DatabaseFact]
    public async Task A_file_that_cannot_be_read_leaves_no_job_behind()
    {
        var error = await Assert.ThrowsAsync<CsvFileException>(() => AnalyzeAsync("email\nada@example.org\nbob@example.org,\"open\n"));

        Assert.StartsWith("Line 3 opens a quote", error.Message);
        await using var db = await _portal.DbAsync();
        Assert.False(await db.BulkJobs.AnyAsync());
        Assert.False(await db.BulkJobRows.AnyAsync());
    }

    [DatabaseFact]
    public async Task A_cancelled_run_stops_and_says_so()
    {
        var jobId = await AnalyzeAsync("email\na@example.org\nb@example.org\n");
        await Runs.StartAsync(Admin, jobId, new BulkRunOptions(null, null, false, 14));

        Assert.True(await Runs.CancelAsync(Admin, jobId));
        await Runs.RunToEndAsync(jobId, default);

        var job = (await Queries.GetAsync(Admin, jobId))!;
        Assert.Equal((BulkJobStatus.Cancelled, 0), (job.Status, job.ProcessedRows));
        Assert.NotNull(await Runs.StartAsync(Admin, jobId, new BulkRunOptions(null, null, false, 14)));
    }

    [DatabaseFact]
    public async Task Only_admins_upload()
    {
        var moderator = new Actor("m", "mod", new HashSet<string> { Roles.Moderator });

        await Assert.ThrowsAsync<UnauthorizedAccessException>(() =>
            Analysis.AnalyzeAsync(moderator, "x.csv", new MemoryStream("email\na@example.org\n"u8.ToArray())));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => Runs.StartAsync(moderator, 1, new BulkRunOptions(null, null, false, 14)));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _portal.DisposeAsync().AsTask();
}

public sealed class BulkInvitesOnPostgresTests() : BulkInvitesTests(DatabaseProvider.Postgres), IPostgresVariant;
