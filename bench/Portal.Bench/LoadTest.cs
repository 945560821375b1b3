using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Portal.Data;
using Portal.Features;
using Portal.Features.Invitations.Bulk;
using Portal.Identity;
using Portal.Email.Mails.Invitations;
using Portal.Email.Mails.Registration;

namespace Portal.Bench;

/// <summary>
/// The whole portal on Kestrel, once per database provider: 50 visitors sign up through HTTP at once
/// while an admin's 10,000-row bulk invitation is analysed and run by the portal's background
/// runner. Then every account, key, invitation and message is counted, every answer and log line
/// checked. The exit code says whether every check passed.
/// </summary>
public static class LoadTest
{
    private const string PostgresVariable = "PORTAL_BENCH_POSTGRES";
    private const int SignUps = 50;
    private const int BulkRows = 10_000;
    private const string Password = "a long enough passphrase";
    private static readonly Actor Admin = new("bench-admin", "Bench Admin", new HashSet<string> { Roles.Admin });

    /// <summary>One visitor's sign-up: the answers, the post's latency and when it was answered (from the start).</summary>
    private sealed record SignUpAnswer(HttpStatusCode? Form, HttpStatusCode? Post, bool Accepted, TimeSpan Latency, TimeSpan AnsweredAt, string? Error);

    /// <summary>The bulk run: its timings, when it ran (from the start), and the job as it ended.</summary>
    private sealed record BulkAnswer(TimeSpan DryRun, TimeSpan Run, TimeSpan StartedAt, TimeSpan FinishedAt, BulkJobView Job);

    public static async Task<int> RunAsync()
    {
        Console.WriteLine($"load average before the run: {LoadAverage()}");
        var passed = await RunOneAsync("SQLite", null);
        if (Environment.GetEnvironmentVariable(PostgresVariable) is not { Length: > 0 } server)
        {
            Console.WriteLine();
            Console.WriteLine($"PostgreSQL: skipped, {PostgresVariable} is not set (a connection string to a server on which the load " +
                "test may create and drop a database; bench/load.sh starts a throw-away server and sets it).");
        }
        else
        {
            var database = "portal_load_" + Guid.NewGuid().ToString("N");
            Execute(server, $"CREATE DATABASE \"{database}\"");
            try
            {
                passed &= await RunOneAsync("PostgreSQL", new NpgsqlConnectionStringBuilder(server) { Database = database }.ConnectionString);
            }
            finally
            {
                // The portal's pooled connections would block the drop; FORCE ends any that remain.
                NpgsqlConnection.ClearAllPools();
                Execute(server, $"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)");
            }
        }
        Console.WriteLine($"load average after the run: {LoadAverage()}");
        return passed ? 0 : 1;
    }

    private static async Task<bool> RunOneAsync(string provider, string? postgres)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "portal-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDirectory);
        try
        {
            await using var portal = new LoadPortal(dataDirectory, postgres);
            portal.Start();
            var started = portal.Log.Count;
            var csv = Csv();

            var clock = Stopwatch.StartNew();
            var firstForm = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var signUps = Task.WhenAll(Enumerable.Range(0, SignUps).Select(i => SignUpAsync(portal.BaseAddress, i, clock, firstForm)));
            // The bulk run starts once the sign-ups are going: the first form has been served.
            await Task.WhenAny(firstForm.Task, signUps);
            var bulk = await BulkAsync(portal.Services, csv, clock);
            var answers = await signUps;
            var wall = clock.Elapsed;

            Console.WriteLine();
            Console.WriteLine($"{provider}");
            var last = answers.Max(a => a.AnsweredAt);
            var latencies = answers.Select(a => a.Latency).Order().ToList();
            Console.WriteLine($"  sign-ups   {SignUps} (form and post) in {last.TotalSeconds:0.00} s: {SignUps / last.TotalSeconds:0.0}/s, " +
                $"latency of the post p50 {Percentile(latencies, 0.50).TotalMilliseconds:N0} ms, p95 {Percentile(latencies, 0.95).TotalMilliseconds:N0} ms; " +
                $"{answers.Count(a => a.AnsweredAt >= bulk.StartedAt && a.AnsweredAt <= bulk.FinishedAt)} answered while the bulk invitation was going");
            Console.WriteLine($"  bulk       {BulkRows:N0} rows: dry run {bulk.DryRun.TotalSeconds:0.00} s, run {bulk.Run.TotalSeconds:0.00} s " +
                $"({bulk.Job.ProcessedRows / bulk.Run.TotalSeconds:N0} rows/s), from {bulk.StartedAt.TotalSeconds:0.00} s to {bulk.FinishedAt.TotalSeconds:0.00} s");
            Console.WriteLine($"  wall time  {wall.TotalSeconds:0.00} s");
            return await CheckAsync(portal, started, answers, bulk.Job);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    /// <summary>
    /// A visitor in a browser of their own: opens the sign-up page (its cookie and antiforgery
    /// token), fills the form and posts it. Accepted when both answer 200 and the second is the "check
    /// your inbox" page.
    /// </summary>
    private static async Task<SignUpAnswer> SignUpAsync(Uri portal, int visitor, Stopwatch clock, TaskCompletionSource firstForm)
    {
        using var client = new HttpClient(new SocketsHttpHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false })
        {
            BaseAddress = portal,
        };
        HttpStatusCode? formStatus = null;
        try
        {
            string page;
            using (var form = await client.GetAsync("register"))
            {
                formStatus = form.StatusCode;
                firstForm.TrySetResult();
                page = await form.Content.ReadAsStringAsync();
            }
            var fields = FormFields.Hidden(page);
            fields["Input.UserName"] = $"visitor{visitor}";
            fields["Input.Email"] = $"visitor{visitor}@signup.example.org";
            fields["Input.Password"] = fields["Input.ConfirmPassword"] = Password;
            var posted = clock.Elapsed;
            using var answer = await client.PostAsync("register", new FormUrlEncodedContent(fields));
            var accepted = formStatus == HttpStatusCode.OK && answer.StatusCode == HttpStatusCode.OK
                && (await answer.Content.ReadAsStringAsync()).Contains("Check your inbox", StringComparison.Ordinal);
            return new SignUpAnswer(formStatus, answer.StatusCode, accepted, clock.Elapsed - posted, clock.Elapsed, null);
        }
        catch (HttpRequestException ex)
        {
            firstForm.TrySetResult();
            return new SignUpAnswer(formStatus, null, false, TimeSpan.Zero, clock.Elapsed, ex.Message);
        }
    }

    /// <summary>What the admin's bulk page does: upload (the dry run), start, and watch the background runner finish it.</summary>
    private static async Task<BulkAnswer> BulkAsync(IServiceProvider services, byte[] csv, Stopwatch clock)
    {
        var (analysis, runs, queries) = (services.GetRequiredService<BulkAnalysis>(), services.GetRequiredService<BulkRuns>(), services.GetRequiredService<BulkQueries>());
        var started = clock.Elapsed;
        long jobId;
        await using (var stream = new MemoryStream(csv))
        {
            jobId = await analysis.AnalyzeAsync(Admin, "load.csv", stream);
        }
        var analysed = clock.Elapsed;
        if (await runs.StartAsync(Admin, jobId, new BulkRunOptions(null, "Welcome to the portal.", Resend: false, ExpiryDays: 14)) is { } problem)
        {
            throw new InvalidOperationException($"The bulk run did not start: {problem}");
        }
        BulkJobView job;
        while ((job = (await queries.GetAsync(Admin, jobId))!).Active)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }
        var finished = clock.Elapsed;
        // The run's own span, as the runner recorded it: the runner looks for work once a second.
        var run = job.FinishedAt is { } end && job.StartedAt is { } begin ? end - begin : finished - analysed;
        return new BulkAnswer(analysed - started, run, started, finished, job);
    }

    /// <summary>
    /// Nothing lost, nothing failed: every count exact, every answer a success, no error logged under
    /// load (from the log's line <paramref name="loadFrom"/> on) and nowhere a locked database.
    /// </summary>
    private static async Task<bool> CheckAsync(LoadPortal portal, int loadFrom, IReadOnlyList<SignUpAnswer> answers, BulkJobView job)
    {
        await using var db = await portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var accounts = await db.SignUps.CountAsync();
        var keyed = await db.SignUps.CountAsync(s => s.Status == SignUpStatus.AwaitingActivation
            && db.Users.Any(u => u.Id == s.UserId && u.State == AccountState.AwaitingActivation)
            && db.ActivationKeys.Any(k => k.UserId == s.UserId));
        var activationMails = await db.OutboxMessages.CountAsync(m => m.Template == nameof(ActivationMail));
        var invitations = await db.Invitations.CountAsync();
        var invitationMails = await db.OutboxMessages.CountAsync(m => m.Template == nameof(InvitationMail));
        var failedAnswers = answers.Where(a => !a.Accepted).ToList();
        var serverErrors = answers.Count(a => (int?)a.Form >= 500 || (int?)a.Post >= 500);
        var errors = portal.Log.AtLeast(LogLevel.Error, loadFrom);
        var atStart = portal.Log.AtLeast(LogLevel.Error).Count - errors.Count;
        var locked = portal.Log.Mentioning("database is locked");

        var checks = new (bool Passed, string Text)[]
        {
            (accounts == SignUps && keyed == SignUps, $"{accounts} sign-ups, {keyed} accounts awaiting activation with a key (expected {SignUps})"),
            (activationMails == SignUps, $"{activationMails} activation messages in the outbox (expected {SignUps})"),
            (job.Status == BulkJobStatus.Completed && job.SentRows == BulkRows, $"bulk run {job.Status}, {job.SentRows:N0} rows sent (expected {BulkRows:N0}){(job.Error is null ? "" : ": " + job.Error)}"),
            (invitations == BulkRows, $"{invitations:N0} invitations (expected {BulkRows:N0})"),
            (invitationMails == BulkRows, $"{invitationMails:N0} invitation messages in the outbox (expected {BulkRows:N0})"),
            (failedAnswers.Count == 0 && serverErrors == 0, $"{answers.Count - failedAnswers.Count} of {SignUps} sign-ups answered with the success page, {serverErrors} 5xx answers"),
            (errors.Count == 0, $"{errors.Count} errors logged under load ({atStart} at start)"),
            (locked.Count == 0, $"{locked.Count} log lines mentioning \"database is locked\""),
        };
        foreach (var (passed, text) in checks)
        {
            Console.WriteLine($"  {(passed ? "ok  " : "FAIL")}       {text}");
        }
        foreach (var answer in failedAnswers.Take(5))
        {
            Console.WriteLine($"    sign-up answered {answer.Form?.ToString() ?? "-"} then {answer.Post?.ToString() ?? "-"}{(answer.Error is null ? "" : ": " + answer.Error)}");
        }
        foreach (var line in errors.Concat(locked).Distinct().Take(5))
        {
            Console.WriteLine($"    {line}");
        }
        // Errors while the portal started (before any load) are shown, not counted: on a fresh
        // PostgreSQL database the provider logs its first look for the migrations history table.
        foreach (var line in portal.Log.AtLeast(LogLevel.Error).Take(atStart))
        {
            var text = line.ReplaceLineEndings(" ");
            Console.WriteLine($"    at start: {text[..Math.Min(text.Length, 160)]}");
        }
        var all = checks.All(c => c.Passed);
        Console.WriteLine($"  checks     {(all ? "passed" : "FAILED")}");
        return all;
    }

    /// <summary>A file of new people only, each with a name: every row is an invitation and a message.</summary>
    private static byte[] Csv()
    {
        var csv = new StringBuilder("email,name,role,message,expires_days\n");
        for (var i = 0; i < BulkRows; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"invitee{i}@example{i % 97}.org,Invitee {i},,,\n");
        }
        return new UTF8Encoding(false).GetBytes(csv.ToString());
    }

    private static TimeSpan Percentile(IReadOnlyList<TimeSpan> sorted, double fraction) =>
        sorted[(int)Math.Ceiling(fraction * sorted.Count) - 1];

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(", ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private static void Execute(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }
}
