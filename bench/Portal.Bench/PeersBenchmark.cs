using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MimeKit;
using Portal.Data;
using Portal.Email;
using Portal.Features.Invitations;
using Portal.Features.Invitations.Bulk;
using Portal.Features.Registration;
using Portal.Identity;

namespace Portal.Bench;

/// <summary>
/// The work the Django peers' harness times (invitations, acceptance, a bulk invitation, sign-up,
/// activation, the password hash), done by the portal in one process on a fresh SQLite file, one
/// operation at a time, with the same counts, the same addresses, in the same order, printing the
/// same <c>metric value unit</c> lines. Requests go through the framework's in-process test server
/// (no socket), as the peers' test client calls its handler directly; every message is built as
/// MIME and written into memory, as the peers' in-memory mail backend does.
/// </summary>
public static partial class PeersBenchmark
{
    private static readonly string[] AllPhases = ["invite", "invite_accept", "invite_bulk", "inviter", "register", "activate", "hash"];
    private const string Password = "Peer-bench-2026!xq";

    public static async Task<int> RunAsync(string[] args)
    {
        var n = Option(args, "--n", 2000);
        var hashedN = Option(args, "--hashed-n", n);
        var samples = Option(args, "--hash-samples", 20);
        var phases = OptionText(args, "--phases")?.Split(',', StringSplitOptions.TrimEntries) ?? AllPhases;
        var total = Stopwatch.StartNew();
        var dataDirectory = Directory.CreateTempSubdirectory("portal-peers-").FullName;
        try
        {
            var mail = new MemoryMailbox();
            await using var portal = new PeersPortal(dataDirectory, mail, Math.Max(n, hashedN));
            using var startup = portal.CreateClient();
            // The start is not timed, as the peers' setup is not: it ends when the mail templates,
            // which the portal compiles in the background as it starts, are compiled.
            Check((await portal.Services.GetRequiredService<MailRenderer>().RenderSamplesAsync(CancellationToken.None)).Count == 0, "a mail template does not compile");
            Note($"start with the mail templates compiled: {total.Elapsed.TotalSeconds:0.00} s");
            await Versions(portal, n, hashedN, phases);
            var admin = await AdminAsync(portal.Services);
            Out("n", n, "count");
            Out("hashed_n", hashedN, "count");
            Out("startup_rss", Environment.WorkingSet / 1048576.0, "MiB");

            var inviteLinks = new List<string>();
            if (phases.Contains("invite"))
            {
                var invitations = portal.Services.GetRequiredService<InvitationService>();
                var before = mail.Count;
                var clock = Stopwatch.StartNew();
                for (var i = 0; i < n; i++)
                {
                    var result = await invitations.InviteAsync($"invitee{i:D6}@peerbench.test", admin);
                    Check(result.Outcome == InviteOutcome.Sent, $"invite: {result.Outcome} for invitee{i:D6}");
                }
                await portal.DeliveredAsync(before + n);
                Report("invite", n, clock.Elapsed, "invites");
                inviteLinks = mail.LinksSince(before, InviteLink());
                Check(inviteLinks.Count == n, $"invite: {inviteLinks.Count} links in {n} messages");
                Out($"invite_{n}_emails", inviteLinks.Count, "count");
            }

            if (phases.Contains("invite_accept"))
            {
                var clock = Stopwatch.StartNew();
                foreach (var link in inviteLinks)
                {
                    // A new visitor each time: a client of its own, no cookies.
                    using var visitor = portal.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
                    using var page = await visitor.GetAsync(link);
                    var html = await page.Content.ReadAsStringAsync();
                    Check(page.StatusCode == HttpStatusCode.OK && html.Contains("name=\"Input.Password\"", StringComparison.Ordinal),
                        $"invite_accept: HTTP {(int)page.StatusCode} without the sign-up form for {link}");
                }
                Report("invite_accept", inviteLinks.Count, clock.Elapsed, "accepts");
            }

            if (phases.Contains("invite_bulk"))
            {
                var before = mail.Count;
                var csv = new StringBuilder("email\n");
                for (var i = 0; i < n; i++)
                {
                    csv.Append(CultureInfo.InvariantCulture, $"bulk{i:D6}@peerbench.test\n");
                }
                var file = Encoding.UTF8.GetBytes(csv.ToString());
                var clock = Stopwatch.StartNew();
                // What the admin's upload page does with the file, then the run it starts, to its end.
                var jobId = await portal.Services.GetRequiredService<BulkAnalysis>().AnalyzeAsync(admin, "people.csv", new MemoryStream(file));
                var runs = portal.Services.GetRequiredService<BulkRuns>();
                Check(await runs.StartAsync(admin, jobId, new BulkRunOptions(null, null, Resend: false, ExpiryDays: 14)) is null, "invite_bulk: the run did not start");
                await runs.RunToEndAsync(jobId, CancellationToken.None);
                await portal.DeliveredAsync(before + n);
                Report("invite_bulk", n, clock.Elapsed, "invites");
                var job = (await portal.Services.GetRequiredService<BulkQueries>().GetAsync(admin, jobId))!;
                Check(job.SentRows == n, $"invite_bulk: {job.SentRows} sent of {n}");
                Out($"invite_bulk_{n}_emails", mail.Count - before, "count");
            }

            if (phases.Contains("inviter"))
            {
                // django-inviter hashes a random password for every invitee; the portal sets none until the invitee chooses one.
                Note("inviter: not applicable: an invitation creates an account without a password, so no hash is paid per invite");
            }

            var activationLinks = new List<string>();
            if (phases.Contains("register"))
            {
                var before = mail.Count;
                var clock = new Stopwatch();
                for (var i = 0; i < hashedN; i++)
                {
                    var userName = $"reg{i:D6}";
                    using var visitor = portal.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
                    // The form and its antiforgery cookie first, untimed: the peers post with their forgery check off.
                    string form;
                    using (var page = await visitor.GetAsync("register"))
                    {
                        form = await page.Content.ReadAsStringAsync();
                    }
                    var fields = FormFields.Hidden(form);
                    fields["Input.UserName"] = userName;
                    fields["Input.Email"] = $"{userName}@peerbench.test";
                    fields["Input.Password"] = fields["Input.ConfirmPassword"] = Password;
                    clock.Start();
                    using var answer = await visitor.PostAsync("register", new FormUrlEncodedContent(fields));
                    var html = await answer.Content.ReadAsStringAsync();
                    clock.Stop();
                    Check(answer.StatusCode == HttpStatusCode.OK && html.Contains("Check your inbox", StringComparison.Ordinal),
                        $"register: HTTP {(int)answer.StatusCode} for {userName}");
                }
                clock.Start();
                await portal.DeliveredAsync(before + hashedN);
                clock.Stop();
                Report("register", hashedN, clock.Elapsed, "users");
                activationLinks = mail.LinksSince(before, ActivationLink());
                Check(activationLinks.Count == hashedN, $"register: {activationLinks.Count} activation links for {hashedN}");
                Out($"register_{hashedN}_emails", activationLinks.Count, "count");
            }

            if (phases.Contains("activate"))
            {
                var clock = Stopwatch.StartNew();
                foreach (var link in activationLinks)
                {
                    // Opening the link shows a button (mail scanners open links too); pressing it activates: both are timed.
                    using var visitor = portal.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
                    string page;
                    using (var opened = await visitor.GetAsync(link))
                    {
                        page = await opened.Content.ReadAsStringAsync();
                    }
                    var fields = FormFields.Hidden(page);
                    using var pressed = await visitor.PostAsync(link, new FormUrlEncodedContent(fields));
                    Check(pressed.StatusCode == HttpStatusCode.Redirect && pressed.Headers.Location?.OriginalString.Contains("activated=true", StringComparison.Ordinal) == true,
                        $"activate: HTTP {(int)pressed.StatusCode} for {link}");
                }
                Report("activate", activationLinks.Count, clock.Elapsed, "activations");
                await using var db = await portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
                var active = await db.Users.CountAsync(u => u.UserName!.StartsWith("reg") && u.ActivatedAt != null);
                Check(active == activationLinks.Count, $"activate: {active} active of {activationLinks.Count}");
            }

            if (phases.Contains("hash"))
            {
                var hasher = portal.Services.GetRequiredService<IPasswordHasher<PortalUser>>();
                var user = new PortalUser();
                hasher.HashPassword(user, Password);
                var clock = Stopwatch.StartNew();
                for (var i = 0; i < samples; i++)
                {
                    hasher.HashPassword(user, Password);
                }
                var options = portal.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<PasswordHasherOptions>>().Value;
                Note($"hash: ASP.NET Core Identity V3, PBKDF2-HMAC-SHA512, {options.IterationCount:N0} iterations");
                Out("hash_default_per_op", clock.Elapsed.TotalMilliseconds / samples, "ms");
                Out("hash_default_samples", samples, "count");
            }

            Out("peak_rss", Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0, "MiB");
            Out("bench_total_seconds", total.Elapsed.TotalSeconds, "s");
            return 0;
        }
        catch (BenchCheckException ex)
        {
            Console.Error.WriteLine($"peers: {ex.Message}");
            return 1;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    private static async Task Versions(PeersPortal portal, int n, int hashedN, string[] phases)
    {
        Note($".NET {Environment.Version} ({System.Runtime.InteropServices.RuntimeInformation.OSDescription.Trim()}), Server GC {System.Runtime.GCSettings.IsServerGC}");
        await using var db = await portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        await db.Database.OpenConnectionAsync();
        var connection = db.Database.GetDbConnection();
        Note($"sqlite {connection.ServerVersion} journal_mode={await PragmaAsync(connection, "journal_mode")} synchronous={await PragmaAsync(connection, "synchronous") switch
        {
            "0" => "off",
            "1" => "normal",
            "2" => "full",
            var other => other,
        }}");
        Note("email: every message built by MimeKit and written into memory");
        Note($"n={n} hashed_n={hashedN} phases={string.Join(',', phases)}");
    }

    private static async Task<string> PragmaAsync(System.Data.Common.DbConnection connection, string name)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA {name}";
        return Convert.ToString(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture) ?? "";
    }

    /// <summary>The admin who invites, made untimed, as the peers' fixture is.</summary>
    private static async Task<Actor> AdminAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var admin = new PortalUser
        {
            UserName = "peer.admin",
            Email = "admin@peerbench.test",
            EmailConfirmed = true,
            State = AccountState.Active,
            CreatedAt = DateTime.UtcNow,
            ActivatedAt = DateTime.UtcNow,
        };
        Check((await users.CreateAsync(admin, Password)).Succeeded, "the admin could not be created");
        Check((await users.AddToRoleAsync(admin, Roles.Admin)).Succeeded, "the admin could not be given the admin role");
        return new Actor(admin.Id, admin.UserName, new HashSet<string> { Roles.Admin });
    }

    private static void Report(string name, int count, TimeSpan elapsed, string unit)
    {
        Out($"{name}_{count}_seconds", elapsed.TotalSeconds, "s");
        Out($"{name}_{count}_rate", count / elapsed.TotalSeconds, $"{unit}/s");
        Out($"{name}_{count}_per_op", elapsed.TotalMilliseconds / count, "ms");
    }

    private static void Out(string metric, double value, string unit) =>
        Console.WriteLine($"{metric} {value.ToString(value < 1000 ? "0.000" : "0.0", CultureInfo.InvariantCulture)} {unit}");

    private static void Out(string metric, int value, string unit) => Console.WriteLine($"{metric} {value.ToString(CultureInfo.InvariantCulture)} {unit}");

    private static void Note(string text) => Console.WriteLine($"# {text}");

    private static void Check(bool condition, string failure)
    {
        if (!condition)
        {
            throw new BenchCheckException(failure);
        }
    }

    private static int Option(string[] args, string name, int fallback) =>
        OptionText(args, name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

    private static string? OptionText(string[] args, string name) =>
        Array.IndexOf(args, name) is var at and >= 0 && at + 1 < args.Length ? args[at + 1] : null;

    [GeneratedRegex("""https://peers\.example/(invite/[A-Za-z0-9_-]+)""")]
    private static partial Regex InviteLink();

    [GeneratedRegex("""https://peers\.example/(activate/[A-Za-z0-9_-]+)""")]
    private static partial Regex ActivationLink();

    private sealed class BenchCheckException(string message) : Exception(message);

    /// <summary>Every delivered message, built by MimeKit and written whole into memory; kept as its plain text.</summary>
    private sealed class MemoryMailbox : IMailDelivery
    {
        private readonly ConcurrentQueue<string> _texts = new();
        private readonly Lock _lock = new();
        private readonly List<(int Count, TaskCompletionSource Reached)> _waiters = [];

        public int Count => _texts.Count;

        public int Connections => 4;

        public async Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
        {
            using var written = new MemoryStream();
            await message.WriteToAsync(written, cancellationToken);
            _texts.Enqueue(message.TextBody ?? "");
            lock (_lock)
            {
                foreach (var waiter in _waiters.Where(w => w.Count <= _texts.Count).ToList())
                {
                    waiter.Reached.TrySetResult();
                    _waiters.Remove(waiter);
                }
            }
        }

        public Task ReachedAsync(int count)
        {
            lock (_lock)
            {
                if (_texts.Count >= count)
                {
                    return Task.CompletedTask;
                }
                var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Add((count, reached));
                return reached.Task;
            }
        }

        /// <summary>The first link of each message delivered after the first <paramref name="from"/>, as a path.</summary>
        public List<string> LinksSince(int from, Regex link) =>
            [.. _texts.Skip(from).Select(text => link.Match(text)).Where(m => m.Success).Select(m => m.Groups[1].Value)];
    }

    /// <summary>
    /// The whole portal as its entry point builds it, on the in-process test server, in Production
    /// (no development extras), on a fresh SQLite file; mail goes to <paramref name="mailbox"/>.
    /// Registration is open and the per-address limits on sign-ups and activations are out of the way: every request comes from one address.
    /// </summary>
    private sealed class PeersPortal(string dataDirectory, MemoryMailbox mailbox, int signUps) : WebApplicationFactory<Registrations>
    {
        public async Task DeliveredAsync(int count)
        {
            var outbox = Services.GetRequiredService<OutboxDispatcher>();
            var reached = mailbox.ReachedAsync(count);
            while (!reached.IsCompleted)
            {
                await outbox.DeliverNowAsync();
                await using var db = await Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
                if (!reached.IsCompleted && !await db.OutboxMessages.AnyAsync(m => m.Status == OutboxStatus.Queued))
                {
                    throw new BenchCheckException($"{mailbox.Count} messages delivered, {count} expected, and none is waiting");
                }
            }
        }

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Production");
            builder.UseSolutionRelativeContentRoot(".");
            builder.UseSetting("Portal:DataDirectory", dataDirectory);
            builder.UseSetting("Portal:PublicBaseUrl", "https://peers.example/");
            builder.UseSetting("OptOut:Key", Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
            builder.UseSetting("Registration:Mode", nameof(RegistrationMode.Open));
            builder.UseSetting("RateLimits:SignUp:PerIp", (signUps + 10).ToString(CultureInfo.InvariantCulture));
            builder.UseSetting("RateLimits:Activation:PerIp", (signUps + 10).ToString(CultureInfo.InvariantCulture));
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
            builder.ConfigureTestServices(services =>
            {
                services.RemoveAll<IMailDelivery>();
                services.AddSingleton<IMailDelivery>(mailbox);
            });
        }
    }
}
