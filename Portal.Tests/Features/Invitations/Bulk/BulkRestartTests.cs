using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Features.Invitations;
using Portal.Features.Invitations.Bulk;
using Portal.Identity;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Features.Invitations.Bulk;

public sealed class BulkRestartTests
{
    private const int Rows = 60;
    private static readonly Actor Admin = new("bulk-admin", "Bulk Admin", new HashSet<string> { Roles.Admin });

    [Fact]
    public async Task A_run_killed_half_way_resumes_after_a_restart_and_sends_each_invitation_once()
    {
        var stalled = new StallingSender(after: 25);
        var first = TestPortal.WithServices(services =>
            services.AddSingleton<IInvitationSender>(sp => stalled.Wrap(ActivatorUtilities.CreateInstance<OutboxInvitationSender>(sp))));
        first.Settings["BulkInvitations:BatchSize"] = "10";
        first.KeepData = true;
        long jobId;
        await using (first)
        {
            var csv = "email\n" + string.Concat(Enumerable.Range(0, Rows).Select(i => $"person{i}@example.org\n"));
            var analysis = first.Get<BulkAnalysis>();
            var runs = first.Get<BulkRuns>();
            jobId = await analysis.AnalyzeAsync(Admin, "restart.csv", new MemoryStream(Encoding.UTF8.GetBytes(csv)));
            await runs.StartAsync(Admin, jobId, new BulkRunOptions(null, null, false, 14));

            // The runner stalls in its third batch; the host is stopped under it.
            await Patience.For(stalled.Reached.Task, "the run to reach its stalling send");
        }

        await using (var db = await OpenAsync(first.DataDirectory))
        {
            var job = await db.BulkJobs.SingleAsync(j => j.Id == jobId);
            Assert.Equal((BulkJobStatus.Running, 20), (job.Status, job.ProcessedRows));
            Assert.Equal(20, await db.Invitations.CountAsync());
        }

        await using var second = TestPortal.Restart(first);
        await Patience.For(second.Get<BulkJobRunner>().RunNowAsync(), "the restarted portal to run the job to its end");
        var done = await second.Get<BulkQueries>().GetAsync(Admin, jobId);

        Assert.Equal((BulkJobStatus.Completed, Rows, Rows), (done!.Status, done.ProcessedRows, done.SentRows));
        await using var check = await second.DbAsync();
        var invitations = await check.Invitations.GroupBy(i => i.EmailKey).Select(g => g.Count()).ToListAsync();
        var mails = await check.OutboxMessages.GroupBy(m => m.Recipient).Select(g => g.Count()).ToListAsync();
        Assert.Equal(Rows, invitations.Count);
        Assert.All(invitations, count => Assert.Equal(1, count));
        Assert.Equal(Rows, mails.Count);
        Assert.All(mails, count => Assert.Equal(1, count));
        Assert.Equal(Rows, await check.Users.CountAsync());
    }

    private static async Task<PortalDbContext> OpenAsync(string dataDirectory)
    {
        var options = new DbContextOptionsBuilder<PortalDbContext>().UseSqlite($"Data Source={Path.Combine(dataDirectory, "portal.db")}").Options;
        var db = new PortalDbContext(options);
        await db.Database.OpenConnectionAsync();
        return db;
    }

    /// <summary>Sends normally, then hangs at the send that goes past the given number of letters, until the host stops.</summary>
    private sealed class StallingSender(int after)
    {
        private readonly int _after = after;
        private int _sent;

        public TaskCompletionSource Reached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IInvitationSender Wrap(IInvitationSender inner) => new Sender(this, inner);

        private sealed class Sender(StallingSender owner, IInvitationSender inner) : IInvitationSender
        {
            public async Task SendAsync(PortalDbContext db, IReadOnlyList<InvitationLetter> letters, CancellationToken cancellationToken)
            {
                if (Interlocked.Add(ref owner._sent, letters.Count) > owner._after)
                {
                    owner.Reached.TrySetResult();
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
                await inner.SendAsync(db, letters, cancellationToken);
            }
        }
    }
}
