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
/// The whole portal on Kestrel, once per database provider: 50 sign-ups through HTTP (by 50 visitors
/// at once, or fewer each signing up several times in a row) while an admin's bulk invitation
/// (10,000 rows unless told) is analysed and run by the portal's background runner. Then every account, key, invitation and message is counted, every answer and log line
/// checked. The exit code says whether every check passed.
/// </summary>
public static class LoadTest
{
    private const string PostgresVariable = "PORTAL_BENCH_POSTGRES";
    private const int SignUps = 50;
    private const string Password = "a long enough passphrase";
    private static readonly Actor Admin = new("bench-admin", "Bench Admin", new HashSet<string> { Roles.Admin });

    /// <summary>One visitor's sign-up: the answers, the post's latency and when it was answered (from the start).</summary>
    private sealed record SignUpAnswer(HttpStatusCode? Form, HttpStatusCode? Post, bool Accepted, TimeSpan Latency, TimeSpan AnsweredAt, string? Error);

    /// <summary>The bulk run: its timings, when it ran (from the start), and the job as it ended.</summary>
    private sealed record BulkAnswer(TimeSpan DryRun, TimeSpan Run, TimeSpan StartedAt, TimeSpan FinishedAt, BulkJobView Job);

    /// <summary>
    /// What to run: <paramref name="BulkRows"/> rows (0: the sign-ups alone); the sign-ups by
    /// <paramref name="Visitors"/> visitors at once; <paramref name="DuringRun"/>: the sign-ups start
    /// once the bulk run is going, rather than with its upload.
    /// </summary>
    private sealed record Options(int BulkRows, int Visitors, bool DuringRun)
    {
        public static Options? Parse(string[] args)
        {
            var options = new Options(10_000, SignUps, false);
            for (var i = 0; i < args.Length; i++)
            {
                switch (args[i])
                {
                    case "--rows" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var rows) && rows >= 0:
                        options = options with { BulkRows = rows };
                        i++;
                        break;
                    case "--visitors" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var visitors)
                            && visitors > 0 && SignUps % visitors == 0:
                        options = options with { Visitors = visitors };
                        i++;
                        break;
                    case "--during-run":
                        options = options with { DuringRun = true };
                        break;
                    default:
                        return null;
                }
            }
            return options;
        }
    }

    public static async Task<int> RunAsync(string[] args)
    {
        if (Options.Parse(args) is not { } options)
        {
            Console.Error.WriteLine($"usage: Portal.Bench load [--rows N (10000; 0: no bulk run)] [--visitors N (a divisor of {SignUps}; {SignUps})] [--during-run]");
            return 2;
        }
        Console.WriteLine($"load average before the run: {LoadAverage()}");
        Console.WriteLine($"{SignUps} sign-ups by {options.Visitors} visitors at once ({SignUps / options.Visitors} each, one after another), " +
            (options.BulkRows == 0 ? "no bulk run" : $"{options.BulkRows:N0}-row bulk run, the sign-ups starting {(options.DuringRun ? "once it is running" : "with its upload")}"));
        var passed = await RunOneAsync("SQLite", null, options);
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
                passed &= await RunOneAsync("PostgreSQL", new NpgsqlConnectionStringBuilder(server) { Database = database }.ConnectionString, options);
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

    private static async Task<bool> RunOneAsync(string provider, string? postgres, Options options)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "portal-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDirectory);
        try
        {
            await using var portal = new LoadPortal(dataDirectory, postgres);
            portal.Start();
            var started = portal.Log.Count;
            var csv = Csv(options.BulkRows);

            var clock = Stopwatch.StartNew();
            var firstForm = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Task<BulkAnswer?> bulk;
            Task<SignUpAnswer[]> signUps;
            if (options.DuringRun && options.BulkRows > 0)
            {
                bulk = BulkAsync(portal.Services, csv, clock, running);
                await Task.WhenAny(running.Task, bulk);
                signUps = SignUpAllAsync(portal.BaseAddress, options.Visitors, clock, firstForm);
            }
            else
            {
                signUps = SignUpAllAsync(portal.BaseAddress, options.Visitors, clock, firstForm);
                // The bulk run starts once the sign-ups are going: the first form has been served.
                await Task.WhenAny(firstForm.Task, signUps);
                bulk = options.BulkRows > 0 ? BulkAsync(portal.Services, csv, clock, running) : Task.FromResult<BulkAnswer?>(null);
            }
            var run = await bulk;
            var answers = await signUps;
            var wall = clock.Elapsed;

            Console.WriteLine();
            Console.WriteLine($"{provider}");
            var last = answers.Max(a => a.AnsweredAt);
            var latencies = answers.Select(a => a.Latency).Order().ToList();
            var during = run is null ? "no bulk run"
                : $"{answers.Count(a => a.AnsweredAt >= run.StartedAt && a.AnsweredAt <= run.FinishedAt)} answered while the bulk invitation was going";
            Console.WriteLine($"  sign-ups   {SignUps} (form and post) in {last.TotalSeconds:0.00} s: {SignUps / last.TotalSeconds:0.0}/s, " +
                $"latency of the post p50 {Percentile(latencies, 0.50).TotalMilliseconds:N0} ms, p95 {Percentile(latencies, 0.95).TotalMilliseconds:N0} ms, " +
                $"max {latencies[^1].TotalMilliseconds:N0} ms; {during}");
            if (run is not null)
            {
                Console.WriteLine($"  bulk       {options.BulkRows:N0} rows: dry run {run.DryRun.TotalSeconds:0.00} s, run {run.Run.TotalSeconds:0.00} s " +
                    $"({run.Job.ProcessedRows / run.Run.TotalSeconds:N0} rows/s), from {run.StartedAt.TotalSeconds:0.00} s to {run.FinishedAt.TotalSeconds:0.00} s; " +
                    $"first sign-up posted at {answers.Min(a => a.AnsweredAt - a.Latency).TotalSeconds:0.00} s");
            }
            Console.WriteLine($"  wall time  {wall.TotalSeconds:0.00} s");
            return await CheckAsync(portal, started, answers, options.BulkRows, run?.Job);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    /// <summary>The sign-ups, by <paramref name="visitors"/> visitors at once, each signing up in turn in a browser of its own.</summary>
    private static async Task<SignUpAnswer[]> SignUpAllAsync(Uri portal, int visitors, Stopwatch clock, TaskCompletionSource firstForm)
    {
        var each = SignUps / visitors;
        var answers = await Task.WhenAll(Enumerable.Range(0, visitors).Select(async visitor =>
        {
            var own = new List<SignUpAnswer>();
            for (var i = 0; i < each; i++)
            {
                own.Add(await SignUpAsync(portal, visitor * each + i, clock, firstForm));
            }
            return own;
        }));
        return answers.SelectMany(a => a).ToArray();
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

    /// <summary>
    /// What the admin's bulk page does: upload (the dry run), start, and watch the background runner
    /// finish it; <paramref name="running"/> completes once the runner has taken it.
    /// </summary>
    private static async Task<BulkAnswer?> BulkAsync(IServiceProvider services, byte[] csv, Stopwatch clock, TaskCompletionSource running)
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
            if (job.Status == BulkJobStatus.Running)
            {
                running.TrySetResult();
            }
            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }
        running.TrySetResult();
        var finished = clock.Elapsed;
        // The run's own span, as the runner recorded it: the runner looks for work once a second.
        var run = job.FinishedAt is { } end && job.StartedAt is { } begin ? end - begin : finished - analysed;
        return new BulkAnswer(analysed - started, run, started, finished, job);
    }

    /// <summary>
    /// Nothing lost, nothing failed: every count exact, every answer a success, no error logged under
    /// load (from the log's line <paramref name="loadFrom"/> on) and nowhere a locked database.
    /// </summary>
    private static async Task<bool> CheckAsync(LoadPortal portal, int loadFrom, IReadOnlyList<SignUpAnswer> answers, int bulkRows, BulkJobView? job)
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
            job is null
                ? (bulkRows == 0, "no bulk run")
                : (job.Status == BulkJobStatus.Completed && job.SentRows == bulkRows, $"bulk run {job.Status}, {job.SentRows:N0} rows sent (expected {bulkRows:N0}){(job.Error is null ? "" : ": " + job.Error)}"),
            (invitations == bulkRows, $"{invitations:N0} invitations (expected {bulkRows:N0})"),
            (invitationMails == bulkRows, $"{invitationMails:N0} invitation messages in the outbox (expected {bulkRows:N0})"),
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
    private static byte[] Csv(int bulkRows)
    {
        var csv = new StringBuilder("email,name,role,message,expires_days\n");
        for (var i = 0; i < bulkRows; i++)
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
