using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Components;
using Portal.Data;
using Portal.Email;
using Portal.Features;
using Portal.Features.Invitations;
using Portal.Features.Invitations.Bulk;
using Portal.Features.OptOut;
using Portal.Identity;

namespace Portal.Bench;

/// <summary>
/// Bulk invitations from a generated CSV on SQLite: the dry run, the full run (until every account,
/// invitation and outbox row is committed), and the process's peak working set. Each size runs in
/// its own process, so each peak is that size's alone.
/// </summary>
public static class BulkBenchmark
{
    private static readonly int[] Sizes = [10_000, 50_000, 100_000];
    private static readonly Actor Admin = new("bench-admin", "Bench Admin", new HashSet<string> { Roles.Admin });

    public static async Task<int> RunAsync(string[] args)
    {
        if (args is ["--rows", var rows])
        {
            return await RunOneAsync(int.Parse(rows, CultureInfo.InvariantCulture));
        }
        Console.WriteLine("rows      dry run   full run   rows/s (run)   peak working set");
        foreach (var size in Sizes)
        {
            // Run as the app host, or through "dotnet" with the assembly, whichever started this process.
            var host = Environment.ProcessPath!;
            string[] arguments = Path.GetFileNameWithoutExtension(host) == "dotnet"
                ? [typeof(BulkBenchmark).Assembly.Location, "bulk", "--rows", size.ToString(CultureInfo.InvariantCulture)]
                : ["bulk", "--rows", size.ToString(CultureInfo.InvariantCulture)];
            var child = Process.Start(new ProcessStartInfo(host, arguments) { RedirectStandardOutput = true })!;
            Console.Write(await child.StandardOutput.ReadToEndAsync());
            await child.WaitForExitAsync();
        }
        return 0;
    }

    private static async Task<int> RunOneAsync(int rows)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "portal-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDirectory);
        try
        {
            await using var app = await BenchPortal.BuildAsync(dataDirectory);

            var csv = Path.Combine(dataDirectory, "people.csv");
            var pending = await SeedAsync(app.Services, csv, rows);
            var analysis = app.Services.GetRequiredService<BulkAnalysis>();
            var queries = app.Services.GetRequiredService<BulkQueries>();
            var runs = app.Services.GetRequiredService<BulkRuns>();

            var clock = Stopwatch.StartNew();
            long jobId;
            await using (var stream = File.OpenRead(csv))
            {
                jobId = await analysis.AnalyzeAsync(Admin, "people.csv", stream);
            }
            var dryRun = clock.Elapsed;

            clock.Restart();
            await runs.StartAsync(Admin, jobId, new BulkRunOptions(null, "Welcome to the portal.", Resend: false, ExpiryDays: 14));
            await runs.RunToEndAsync(jobId, CancellationToken.None);
            var run = clock.Elapsed;

            var job = (await queries.GetAsync(Admin, jobId))!;
            await using var db = await app.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
            var mails = await db.OutboxMessages.CountAsync();
            if (job.Status != BulkJobStatus.Completed || mails != job.SentRows + pending)
            {
                throw new InvalidOperationException($"The run did not finish cleanly: {job.Status}, {job.SentRows} sent, {mails} mails.");
            }
            Console.WriteLine(
                $"{rows,7:N0}   {dryRun.TotalSeconds,6:0.00} s   {run.TotalSeconds,6:0.00} s   {job.ProcessedRows / run.TotalSeconds,12:N0}   " +
                $"{Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0),8:N0} MB   ({job.SentRows:N0} invitations sent)");
            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    /// <summary>
    /// A realistic file: 2% invalid addresses, 1% repeats (in another letter case), 1% existing
    /// members, 0.5% opted out, 0.5% with a pending invitation, the rest new.
    /// </summary>
    /// <returns>How many invitations were pending before the run (each with its mail).</returns>
    internal static async Task<int> SeedAsync(IServiceProvider services, string path, int rows)
    {
        var members = new List<string>();
        var optedOut = new List<string>();
        var pending = new List<string>();
        await using (var writer = new StreamWriter(path, false, new UTF8Encoding(false)))
        {
            await writer.WriteLineAsync("email,name,role,message,expires_days");
            for (var i = 0; i < rows; i++)
            {
                var address = $"person{i}@example{i % 97}.org";
                var line = (i % 100) switch
                {
                    0 or 1 => $"not an address {i},Broken {i},,,",
                    2 when i > 0 => $"PERSON{i - 1}@EXAMPLE{(i - 1) % 97}.ORG,Again,,,",
                    3 => Track(members, address),
                    _ when i % 200 == 5 => Track(optedOut, address),
                    _ when i % 200 == 7 => Track(pending, address),
                    _ => $"{address},Person {i},,,",
                };
                await writer.WriteLineAsync(line);
            }
        }

        var now = DateTime.UtcNow;
        var invitations = services.GetRequiredService<InvitationService>();
        await using var db = await services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var normalizer = services.GetRequiredService<Microsoft.AspNetCore.Identity.ILookupNormalizer>();
        foreach (var member in members)
        {
            db.Users.Add(new PortalUser
            {
                UserName = member, NormalizedUserName = normalizer.NormalizeName(member), Email = member,
                NormalizedEmail = normalizer.NormalizeEmail(member), State = AccountState.Active, CreatedAt = now, ActivatedAt = now,
                SecurityStamp = Guid.NewGuid().ToString("N"), ConcurrencyStamp = Guid.NewGuid().ToString(),
            });
        }
        var optOuts = services.GetRequiredService<OptOutList>();
        foreach (var address in optedOut)
        {
            db.OptOutEntries.Add(new OptOutEntry { Hash = optOuts.Hash(address), CreatedAt = now });
        }
        await db.SaveChangesAsync();
        var states = await invitations.LoadStatesAsync(db, pending, now, CancellationToken.None);
        var letters = pending.Select(address =>
            invitations.Apply(db, address, states[address], InviteAction.CreateAccount, Admin, new InviteOptions(), null, null, now)).ToList();
        await services.GetRequiredService<IInvitationSender>().SendAsync(db, letters, CancellationToken.None);
        await db.SaveChangesAsync();
        return pending.Count;
    }

    private static string Track(List<string> list, string address)
    {
        list.Add(address);
        return $"{address},Someone,,,";
    }
}
