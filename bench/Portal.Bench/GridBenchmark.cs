using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Features.Invitations;
using Portal.Features.Invitations.Bulk;
using Portal.Features.Users;
using Portal.Identity;

namespace Portal.Bench;

/// <summary>
/// The admin grids at size: a bulk run of 100,000 rows leaves as many invitations and accounts on
/// SQLite; then each query the Invitations and Users pages make (a page with its counts, deep paging,
/// every sortable column both ways, each filter) is timed in the service, as the grid calls it.
/// </summary>
public static class GridBenchmark
{
    private const int Repeats = 7;
    private static readonly Actor Admin = new("bench-admin", "Bench Admin", new HashSet<string> { Roles.Admin });

    public static async Task<int> RunAsync(string[] args)
    {
        var rows = args is ["--rows", var n] ? int.Parse(n, CultureInfo.InvariantCulture) : 100_000;
        var dataDirectory = Path.Combine(Path.GetTempPath(), "portal-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDirectory);
        try
        {
            await using var app = await BenchPortal.BuildAsync(dataDirectory);
            var services = app.Services;
            var csv = Path.Combine(dataDirectory, "people.csv");
            await BulkBenchmark.SeedAsync(services, csv, rows);
            var analysis = services.GetRequiredService<BulkAnalysis>();
            var runs = services.GetRequiredService<BulkRuns>();
            long jobId;
            await using (var stream = File.OpenRead(csv))
            {
                jobId = await analysis.AnalyzeAsync(Admin, "people.csv", stream);
            }
            await runs.StartAsync(Admin, jobId, new BulkRunOptions(null, null, Resend: false, ExpiryDays: 14));
            await runs.RunToEndAsync(jobId, CancellationToken.None);

            var invitations = services.GetRequiredService<InvitationService>();
            var users = services.GetRequiredService<UserAdmin>();
            var total = (await invitations.SearchAsync(Admin, new InvitationQuery(), new PageRequest())).Total;
            var accounts = (await users.SearchAsync(Admin, new UserQuery(), new PageRequest())).Total;
            Console.WriteLine($"{total:N0} invitations, {accounts:N0} accounts on SQLite; each query {Repeats} times, median and slowest in ms");
            Console.WriteLine();
            Console.WriteLine("| page | query | median | slowest | rows |");
            Console.WriteLine("|---|---|---:|---:|---:|");

            var today = DateTime.UtcNow.Date;
            var invitationQueries = new List<(string, Func<Task<int>>)>
            {
                ("open: first page and the status counts", async () => { await invitations.CountsAsync(Admin); return (await invitations.SearchAsync(Admin, new InvitationQuery(), new PageRequest())).Items.Count; }),
                ("page 2,500 of 20", () => Count(invitations.SearchAsync(Admin, new InvitationQuery(), new PageRequest(Skip: 50_000)))),
                ("last page", () => Count(invitations.SearchAsync(Admin, new InvitationQuery(), new PageRequest(Skip: total - 20)))),
                ("search an address", () => Count(invitations.SearchAsync(Admin, new InvitationQuery(Search: "person4242"), new PageRequest()))),
                ("status Pending", () => Count(invitations.SearchAsync(Admin, new InvitationQuery(InvitationStatus.Pending), new PageRequest()))),
                ("status Revoked (none)", () => Count(invitations.SearchAsync(Admin, new InvitationQuery(InvitationStatus.Revoked), new PageRequest()))),
                ("invited by", () => Count(invitations.SearchAsync(Admin, new InvitationQuery(Inviter: "bench"), new PageRequest()))),
                ("sent today", () => Count(invitations.SearchAsync(Admin, new InvitationQuery(From: today, To: today.AddDays(1)), new PageRequest()))),
            };
            foreach (var column in new[] { nameof(InvitationRow.Email), nameof(InvitationRow.InviterName), nameof(InvitationRow.LastSentAt), nameof(InvitationRow.ExpiresAt), nameof(InvitationRow.Status), nameof(InvitationRow.SendCount) })
            {
                foreach (var descending in new[] { false, true })
                {
                    invitationQueries.Add(($"sort by {column} {(descending ? "desc" : "asc")}", () => Count(invitations.SearchAsync(Admin, new InvitationQuery(), new PageRequest(SortBy: column, Descending: descending)))));
                }
            }
            invitationQueries.Add(("search, sorted by address, page 3", () => Count(invitations.SearchAsync(Admin, new InvitationQuery(Search: "example1"), new PageRequest(Skip: 40, SortBy: nameof(InvitationRow.Email))))));

            var userQueries = new List<(string, Func<Task<int>>)>
            {
                ("open: first page and the counts", async () => { await users.CountsAsync(Admin); return (await users.SearchAsync(Admin, new UserQuery(), new PageRequest())).Items.Count; }),
                ("page 2,500 of 20", () => Count(users.SearchAsync(Admin, new UserQuery(), new PageRequest(Skip: 50_000)))),
                ("search an address", () => Count(users.SearchAsync(Admin, new UserQuery(Search: "person4242"), new PageRequest()))),
                ("status Active", () => Count(users.SearchAsync(Admin, new UserQuery(Status: AccountStatus.Active), new PageRequest()))),
                ("role Admin", () => Count(users.SearchAsync(Admin, new UserQuery(Role: Roles.Admin), new PageRequest()))),
            };
            foreach (var column in new[] { nameof(UserRow.UserName), nameof(UserRow.Email), nameof(UserRow.CreatedAt), nameof(UserRow.LastSignInAt), nameof(UserRow.Status) })
            {
                foreach (var descending in new[] { false, true })
                {
                    userQueries.Add(($"sort by {column} {(descending ? "desc" : "asc")}", () => Count(users.SearchAsync(Admin, new UserQuery(), new PageRequest(SortBy: column, Descending: descending)))));
                }
            }

            var slowest = 0.0;
            foreach (var (page, queries) in new[] { ("Invitations", invitationQueries), ("Users", userQueries) })
            {
                foreach (var (name, query) in queries)
                {
                    var times = new List<double>();
                    var found = 0;
                    for (var i = 0; i < Repeats; i++)
                    {
                        var clock = Stopwatch.StartNew();
                        found = await query();
                        times.Add(clock.Elapsed.TotalMilliseconds);
                    }
                    times.Sort();
                    slowest = Math.Max(slowest, times[Repeats / 2]);
                    Console.WriteLine($"| {page} | {name} | {times[Repeats / 2]:0.0} | {times[^1]:0.0} | {found} |");
                }
            }
            Console.WriteLine();
            Console.WriteLine($"slowest median: {slowest:0.0} ms (target: under 300 ms)");
            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    private static async Task<int> Count<T>(Task<Page<T>> page) => (await page).Items.Count;
}
