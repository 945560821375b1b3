using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Features.Audit;
using Portal.Features.Webhooks;
using Portal.Identity;
using Portal.Localization;

namespace Portal.Features.Invitations.Bulk;

/// <summary>
/// Running an analysed upload: started by an admin, sent by the background runner (or the command
/// line) in batches that survive restarts and never send twice, stopped or resumed by an admin.
/// Each row is decided again when its batch runs, on what is stored then.
/// </summary>
public sealed class BulkRuns(
    IDbContextFactory<PortalDbContext> dbFactory,
    InvitationService invitations,
    IInvitationSender sender,
    AuditLog audit,
    IOptions<BulkInviteOptions> limits,
    WaitingWriters waitingWriters,
    WebhookEvents webhooks,
    TimeProvider clock)
{
    public const string AuditTargetType = "bulk-invite";

    private static readonly StaticTexts Texts = new(typeof(BulkRuns));

    /// <summary>Starts the run of an analysed file with the admin's options; the background runner takes it from here.</summary>
    public async Task<string?> StartAsync(Actor actor, long jobId, BulkRunOptions options, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Admin);
        var problem = invitations.CheckOptions(options.AsInviteOptions());
        if (problem is not null)
        {
            return problem;
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var started = await db.BulkJobs.Where(j => j.Id == jobId && j.Status == BulkJobStatus.Analyzed).ExecuteUpdateAsync(s => s
            .SetProperty(j => j.Status, BulkJobStatus.Queued)
            .SetProperty(j => j.DefaultRole, options.DefaultRole)
            .SetProperty(j => j.DefaultMessage, string.IsNullOrWhiteSpace(options.DefaultMessage) ? null : options.DefaultMessage.Trim())
            .SetProperty(j => j.DefaultLanguage, invitations.LanguageOf(options.DefaultLanguage))
            .SetProperty(j => j.Resend, options.Resend)
            .SetProperty(j => j.ExpiryDays, options.ExpiryDays), cancellationToken);
        if (started != 1)
        {
            return Texts["StartedAlready"];
        }
        await RecordAsync(db, actor, AuditActions.BulkInviteStarted, jobId, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return null;
    }

    /// <summary>Stops a run between two batches; what was sent stays sent.</summary>
    public async Task<bool> CancelAsync(Actor actor, long jobId, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Admin);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var job = await db.BulkJobs.FirstOrDefaultAsync(j => j.Id == jobId && (j.Status == BulkJobStatus.Queued || j.Status == BulkJobStatus.Running || j.Status == BulkJobStatus.Analyzed), cancellationToken);
        if (job is null)
        {
            return false;
        }
        var wasRunning = job.Status != BulkJobStatus.Analyzed;
        job.Status = BulkJobStatus.Cancelled;
        job.FinishedAt = clock.GetUtcNow().UtcDateTime;
        if (wasRunning)
        {
            audit.Record(db, actor, AuditActions.BulkInviteCancelled, Target(job), Summary(job));
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>Puts a failed run back in the queue; it goes on where it stopped.</summary>
    public async Task<bool> ResumeAsync(Actor actor, long jobId, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Admin);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (await db.BulkJobs.Where(j => j.Id == jobId && j.Status == BulkJobStatus.Failed)
                .ExecuteUpdateAsync(s => s.SetProperty(j => j.Status, BulkJobStatus.Queued).SetProperty(j => j.Error, (string?)null), cancellationToken) != 1)
        {
            return false;
        }
        await RecordAsync(db, actor, AuditActions.BulkInviteResumed, jobId, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>An audit entry for what <paramref name="actor"/> did to the job, with the job's figures as they are now.</summary>
    private async Task RecordAsync(PortalDbContext db, Actor actor, string action, long jobId, CancellationToken cancellationToken)
    {
        var job = await db.BulkJobs.AsNoTracking().FirstAsync(j => j.Id == jobId, cancellationToken);
        audit.Record(db, actor, action, Target(job), Summary(job));
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>The oldest run waiting or interrupted (a restart leaves it Running), now marked Running.</summary>
    public async Task<long?> NextRunnableAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var job = await db.BulkJobs.AsNoTracking().Where(j => j.Status == BulkJobStatus.Queued || j.Status == BulkJobStatus.Running)
            .OrderBy(j => j.Id).Select(j => new { j.Id, j.Status }).FirstOrDefaultAsync(cancellationToken);
        if (job is null)
        {
            return null;
        }
        if (job.Status == BulkJobStatus.Queued)
        {
            // Conditional: of several nodes starting it at once, one sets when it started.
            var now = clock.GetUtcNow().UtcDateTime;
            await db.BulkJobs.Where(j => j.Id == job.Id && j.Status == BulkJobStatus.Queued).ExecuteUpdateAsync(s => s
                .SetProperty(j => j.Status, BulkJobStatus.Running)
                .SetProperty(j => j.StartedAt, j => j.StartedAt ?? now), cancellationToken);
        }
        return job.Id;
    }

    /// <summary>
    /// Sends one batch of a run, in one transaction: the rows it takes are read inside the
    /// transaction and marked done in it, with the accounts, invitations and mail they lead to, so a
    /// crash at any moment leaves each row either wholly done or untouched. Returns false when the
    /// run is over (finished, cancelled or gone).
    /// </summary>
    public async Task<bool> RunBatchAsync(long jobId, CancellationToken cancellationToken)
    {
        // On SQLite a batch begun right after the previous one would keep the lock from the
        // sign-ups and other writers waiting for it until the whole run ended.
        await waitingWriters.LetThemGoFirstAsync(cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            // Changes are looked for once, before saving, not on every entity added.
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            // Writing the job's row first makes this batch the job's only one until it commits:
            // another node's batch (PostgreSQL) or process's (SQLite) waits, then reads where this
            // one ended. A node that dies mid-batch rolls back and frees the row for the others.
            if (await db.BulkJobs.Where(j => j.Id == jobId && j.Status == BulkJobStatus.Running)
                    .ExecuteUpdateAsync(s => s.SetProperty(j => j.LastLine, j => j.LastLine), cancellationToken) == 0)
            {
                return false;
            }
            var job = await db.BulkJobs.FirstAsync(j => j.Id == jobId, cancellationToken);
            var rows = await db.BulkJobRows.AsNoTracking().Where(r => r.JobId == jobId && r.Line > job.LastLine)
                .OrderBy(r => r.Line).Take(limits.Value.BatchSize).ToListAsync(cancellationToken);
            if (rows.Count == 0)
            {
                job.Status = BulkJobStatus.Completed;
                job.FinishedAt = now;
                var inviter = new Actor(job.CreatedById, job.CreatedByName, new HashSet<string> { Roles.Admin });
                audit.Record(db, inviter, AuditActions.BulkInviteCompleted, Target(job), Summary(job));
                await webhooks.RaiseAsync(db, WebhookEventTypes.BulkFinished,
                    new { JobId = job.Id, job.FileName, job.ProcessedRows, job.SentRows }, cancellationToken);
                db.ChangeTracker.DetectChanges();
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                return false;
            }
            var actionable = rows.Where(Actionable).Select(r => r.Canonical!).Distinct().ToList();
            var states = await invitations.LoadStatesAsync(db, actionable, now, cancellationToken);
            var actor = new Actor(job.CreatedById, job.CreatedByName, new HashSet<string> { Roles.Admin });
            var letters = new List<InvitationLetter>();
            foreach (var row in rows)
            {
                if (!Actionable(row))
                {
                    row.Outcome = OutcomeOf(row.Class);
                    continue;
                }
                // Decided again on what is stored now: the dry run may be hours old.
                var state = states[row.Canonical!];
                var (outcome, action) = InviteRules.Decide(state.Facts, job.Resend);
                row.Outcome = outcome;
                row.Reason = outcome switch
                {
                    InviteOutcome.Sent or InviteOutcome.Resent => null,
                    InviteOutcome.Suppressed => state.Bounce!.Explanation,
                    _ => InviteRules.Describe(outcome),
                };
                if (action != InviteAction.Nothing)
                {
                    var choices = new InviteOptions(row.Role ?? job.DefaultRole, row.Message ?? job.DefaultMessage, row.ExpiresDays ?? job.ExpiryDays, row.Language ?? job.DefaultLanguage);
                    letters.Add(invitations.Apply(db, row.Canonical!, state, action, actor, choices, row.Name, job.Id, now));
                }
            }
            await sender.SendAsync(db, letters, cancellationToken);
            // New accounts, invitations and mail go in by the prepared-statement path; the few
            // changed rows (resent invitations, the job) through the context.
            await BulkInsert.FlushAddedAsync(db, cancellationToken,
                typeof(PortalUser), typeof(Invitation), typeof(RetiredInvitationToken), typeof(OutboxMessage));
            foreach (var group in rows.GroupBy(r => (r.Outcome, r.Reason)))
            {
                var ids = group.Select(r => r.Id).ToList();
                var (outcome, reason) = group.Key;
                await db.BulkJobRows.Where(r => ids.Contains(r.Id))
                    .ExecuteUpdateAsync(u => u.SetProperty(r => r.Outcome, outcome).SetProperty(r => r.Reason, reason), cancellationToken);
            }
            job.ProcessedRows += rows.Count;
            job.LastLine = rows[^1].Line;
            job.SentRows += letters.Count;
            db.ChangeTracker.DetectChanges();
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        return true;
    }

    /// <summary>Runs a job to its end in this process (the command line), batch by batch.</summary>
    public async Task RunToEndAsync(long jobId, CancellationToken cancellationToken)
    {
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            await db.BulkJobs.Where(j => j.Id == jobId && j.Status == BulkJobStatus.Queued).ExecuteUpdateAsync(s => s
                .SetProperty(j => j.Status, BulkJobStatus.Running)
                .SetProperty(j => j.StartedAt, clock.GetUtcNow().UtcDateTime), cancellationToken);
        }
        while (await RunBatchAsync(jobId, cancellationToken))
        {
        }
    }

    /// <summary>Marks a run failed when a batch cannot be done (the batch itself rolled back).</summary>
    public async Task FailAsync(long jobId, string error, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.BulkJobs.Where(j => j.Id == jobId).ExecuteUpdateAsync(s => s
            .SetProperty(j => j.Status, BulkJobStatus.Failed)
            .SetProperty(j => j.Error, error.Length <= 2000 ? error : error[..2000]), cancellationToken);
    }

    /// <summary>Rows the run may send to; the others end as the dry run found them.</summary>
    private static bool Actionable(BulkJobRow row) => row.Class is BulkRowClass.New or BulkRowClass.PendingInvitation;

    private static InviteOutcome OutcomeOf(BulkRowClass rowClass) => rowClass switch
    {
        BulkRowClass.AlreadyMember => InviteOutcome.AlreadyMember,
        BulkRowClass.OptedOut => InviteOutcome.OptedOut,
        BulkRowClass.Suppressed => InviteOutcome.Suppressed,
        BulkRowClass.DuplicateInFile => InviteOutcome.Duplicate,
        _ => InviteOutcome.Invalid,
    };

    private static AuditTarget Target(BulkJob job) => new(AuditTargetType, job.Id.ToString(CultureInfo.InvariantCulture), job.FileName);

    private static string Summary(BulkJob job) =>
        $"{job.TotalRows:N0} rows: {job.SentRows:N0} invitations sent of {job.ProcessedRows:N0} rows processed; " +
        $"dry run: {job.NewRows:N0} new, {job.PendingRows:N0} pending, {job.MemberRows:N0} members, {job.OptedOutRows:N0} opted out, " +
        $"{BulkQueries.SuppressedRows(job):N0} suppressed, {job.InvalidRows:N0} invalid, {job.DuplicateRows:N0} duplicates";
}
