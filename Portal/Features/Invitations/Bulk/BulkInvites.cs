using System.Globalization;
using System.Linq.Expressions;
using CsvHelper;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Events;
using Portal.Features.Audit;
using Portal.Identity;

namespace Portal.Features.Invitations.Bulk;

/// <summary>The options an admin picks before starting a run; rows' own values win over them.</summary>
public sealed record BulkRunOptions(string? DefaultRole, string? DefaultMessage, bool Resend, int ExpiryDays);

public sealed record BulkJobView(
    long Id, string FileName, string CreatedByName, DateTime CreatedAt, BulkJobStatus Status, int TotalRows,
    IReadOnlyDictionary<BulkRowClass, int> Classes, BulkRunOptions Options, DateTime? StartedAt, DateTime? FinishedAt,
    int ProcessedRows, int SentRows, string? Error)
{
    public bool Active => Status is BulkJobStatus.Queued or BulkJobStatus.Running;

    /// <summary>When the run should end at its pace so far; null before it has a pace.</summary>
    public TimeSpan? Remaining(DateTime now) =>
        StartedAt is { } started && ProcessedRows > 0 && ProcessedRows < TotalRows
            ? (now - started) / ProcessedRows * (TotalRows - ProcessedRows)
            : null;
}

public sealed record BulkJobRowView(long Id, int Line, string Email, BulkRowClass Class, string? Reason, InviteOutcome? Outcome);

/// <summary>How a run's invitations fare: sent, failed to deliver, accepted.</summary>
public sealed record BulkFunnel(int Invited, int DeliveryFailed, int Accepted);

/// <summary>
/// Inviting from a CSV file: a dry run that classifies every row before anything is sent, then a
/// background run in batches that survives restarts and never sends twice, then a results file.
/// Each row goes through the same rules as a single invitation (<see cref="InviteRules"/>).
/// </summary>
public sealed class BulkInvites(
    IDbContextFactory<PortalDbContext> dbFactory,
    InvitationService invitations,
    AuditLog audit,
    EventPublisher events,
    IOptions<BulkInviteOptions> limits,
    IOptions<InvitationOptions> invitationOptions,
    TimeProvider clock)
{
    public const string AuditTargetType = "bulk-invite";
    private const int AnalysisChunk = 2000;

    private static readonly Dictionary<string, Expression<Func<BulkJobRow, object?>>> RowColumns = new()
    {
        [nameof(BulkJobRowView.Line)] = r => r.Line,
        [nameof(BulkJobRowView.Email)] = r => r.Email,
        [nameof(BulkJobRowView.Class)] = r => r.Class,
        [nameof(BulkJobRowView.Outcome)] = r => r.Outcome,
    };

    private static readonly Dictionary<string, Expression<Func<BulkJob, object?>>> JobColumns = new()
    {
        [nameof(BulkJobView.CreatedAt)] = j => j.CreatedAt,
        [nameof(BulkJobView.FileName)] = j => j.FileName,
        [nameof(BulkJobView.Status)] = j => j.Status,
    };

    /// <summary>
    /// The dry run: reads the file as it streams in and stores every row with its class (new,
    /// already a member, pending invitation, opted out, suppressed after a bounce, invalid with the
    /// reason, duplicate in the file). Nothing is sent. A file that cannot be used throws
    /// <see cref="CsvFileException"/> and leaves nothing behind.
    /// </summary>
    public async Task<long> AnalyzeAsync(Actor actor, string fileName, Stream content, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Admin);
        var now = clock.GetUtcNow().UtcDateTime;
        var job = new BulkJob
        {
            FileName = Path.GetFileName(fileName) is { Length: > 0 } name ? name[..Math.Min(name.Length, 260)] : "upload.csv",
            CreatedById = actor.UserId,
            CreatedByName = actor.Name,
            CreatedAt = now,
            Status = BulkJobStatus.Analyzing,
            Resend = false,
            ExpiryDays = invitationOptions.Value.ExpiryDays,
        };
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            db.BulkJobs.Add(job);
            await db.SaveChangesAsync(cancellationToken);
        }

        try
        {
            var counts = new Dictionary<BulkRowClass, int>();
            var seen = new HashSet<string>();
            await using var file = await CsvInvitationFile.OpenAsync(content, limits.Value, cancellationToken);
            var chunk = new List<CsvInvitationRow>(AnalysisChunk);
            await foreach (var row in file.RowsAsync(cancellationToken))
            {
                chunk.Add(row);
                if (chunk.Count == AnalysisChunk)
                {
                    await ClassifyAsync(job.Id, chunk, seen, counts, now, cancellationToken);
                    chunk.Clear();
                }
            }
            await ClassifyAsync(job.Id, chunk, seen, counts, now, cancellationToken);

            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            await db.BulkJobs.Where(j => j.Id == job.Id).ExecuteUpdateAsync(s => s
                .SetProperty(j => j.Status, BulkJobStatus.Analyzed)
                .SetProperty(j => j.TotalRows, counts.Values.Sum())
                .SetProperty(j => j.NewRows, counts.GetValueOrDefault(BulkRowClass.New))
                .SetProperty(j => j.MemberRows, counts.GetValueOrDefault(BulkRowClass.AlreadyMember))
                .SetProperty(j => j.PendingRows, counts.GetValueOrDefault(BulkRowClass.PendingInvitation))
                .SetProperty(j => j.OptedOutRows, counts.GetValueOrDefault(BulkRowClass.OptedOut))
                .SetProperty(j => j.InvalidRows, counts.GetValueOrDefault(BulkRowClass.Invalid))
                .SetProperty(j => j.DuplicateRows, counts.GetValueOrDefault(BulkRowClass.DuplicateInFile)), cancellationToken);
            return job.Id;
        }
        catch
        {
            await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
            await db.BulkJobs.Where(j => j.Id == job.Id).ExecuteDeleteAsync(CancellationToken.None);
            throw;
        }
    }

    private async Task ClassifyAsync(
        long jobId, List<CsvInvitationRow> chunk, HashSet<string> seen, Dictionary<BulkRowClass, int> counts, DateTime now, CancellationToken cancellationToken)
    {
        if (chunk.Count == 0)
        {
            return;
        }
        var rows = chunk.Select(r => Check(jobId, r, seen)).ToList();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        db.ChangeTracker.QueryTrackingBehavior = QueryTrackingBehavior.NoTracking;
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        var candidates = rows.Where(r => r.Class == BulkRowClass.New).Select(r => r.Canonical!).ToList();
        var states = await invitations.LoadStatesAsync(db, candidates, now, cancellationToken);
        foreach (var row in rows.Where(r => r.Class == BulkRowClass.New))
        {
            (row.Class, row.Reason) = ClassOf(states[row.Canonical!]);
        }
        foreach (var row in rows)
        {
            counts[row.Class] = counts.GetValueOrDefault(row.Class) + 1;
        }
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await BulkInsert.InsertAsync(db, rows, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>The checks that need no database: the address, the role, the lifetime, and repeats in the file.</summary>
    private static BulkJobRow Check(long jobId, CsvInvitationRow input, HashSet<string> seen)
    {
        var row = new BulkJobRow
        {
            JobId = jobId,
            Line = input.Line,
            Email = input.Email,
            Name = input.Name,
            Message = input.Message,
            Class = BulkRowClass.Invalid,
            Reason = input.Problem,
        };
        if (input.Problem is not null)
        {
            return row;
        }
        var check = EmailAddress.Check(input.Email);
        if (!check.IsValid)
        {
            row.Reason = check.Error;
            return row;
        }
        row.Canonical = check.Canonical;
        if (input.Role is not null)
        {
            row.Role = Roles.All.FirstOrDefault(r => string.Equals(r, input.Role.Trim(), StringComparison.OrdinalIgnoreCase));
            if (row.Role is null)
            {
                row.Reason = $"There is no role called \"{input.Role}\" (roles: {string.Join(", ", Roles.All)}).";
                return row;
            }
        }
        if (input.ExpiresDays is not null)
        {
            if (!int.TryParse(input.ExpiresDays, NumberStyles.None, CultureInfo.InvariantCulture, out var days) || days is < 1 or > 365)
            {
                row.Reason = $"expires_days must be a whole number of days from 1 to 365 (it is \"{input.ExpiresDays}\").";
                return row;
            }
            row.ExpiresDays = days;
        }
        if (!seen.Add(EmailAddress.Key(check.Canonical!)))
        {
            row.Class = BulkRowClass.DuplicateInFile;
            row.Reason = "The address appears earlier in the file.";
            return row;
        }
        row.Class = BulkRowClass.New;
        row.Reason = null;
        return row;
    }

    /// <summary>The dry run's class for an address, by the invite operation's own rules.</summary>
    private static (BulkRowClass Class, string? Reason) ClassOf(AddressState state) =>
        InviteRules.Decide(state.Facts, resend: true).Outcome switch
        {
            InviteOutcome.OptedOut => (BulkRowClass.OptedOut, "The address opted out of invitations."),
            InviteOutcome.Suppressed => (BulkRowClass.Suppressed, state.Bounce!.Explanation),
            InviteOutcome.Deactivated => (BulkRowClass.AlreadyMember, "The account is deactivated."),
            InviteOutcome.AlreadyMember => (BulkRowClass.AlreadyMember, null),
            InviteOutcome.Resent => (BulkRowClass.PendingInvitation, $"Invited, expires {state.Live!.ExpiresAt:yyyy-MM-dd}."),
            _ => (BulkRowClass.New, null),
        };

    /// <summary>Starts the run of an analysed file with the admin's options; the background runner takes it from here.</summary>
    public async Task<string?> StartAsync(Actor actor, long jobId, BulkRunOptions options, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Admin);
        var problem = InvitationService.CheckOptions(new InviteOptions(options.DefaultRole, options.DefaultMessage, options.ExpiryDays));
        if (problem is not null)
        {
            return problem;
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var started = await db.BulkJobs.Where(j => j.Id == jobId && j.Status == BulkJobStatus.Analyzed).ExecuteUpdateAsync(s => s
            .SetProperty(j => j.Status, BulkJobStatus.Queued)
            .SetProperty(j => j.DefaultRole, options.DefaultRole)
            .SetProperty(j => j.DefaultMessage, string.IsNullOrWhiteSpace(options.DefaultMessage) ? null : options.DefaultMessage.Trim())
            .SetProperty(j => j.Resend, options.Resend)
            .SetProperty(j => j.ExpiryDays, options.ExpiryDays), cancellationToken);
        return started == 1 ? null : "This upload has been started already.";
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
        return await db.BulkJobs.Where(j => j.Id == jobId && j.Status == BulkJobStatus.Failed)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.Status, BulkJobStatus.Queued).SetProperty(j => j.Error, (string?)null), cancellationToken) == 1;
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
        var now = clock.GetUtcNow().UtcDateTime;
        var sent = new List<(Invitation Invitation, bool Resent)>();
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
                db.ChangeTracker.DetectChanges();
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                return false;
            }
            var actionable = rows.Where(Actionable).Select(r => r.Canonical!).Distinct().ToList();
            var states = await invitations.LoadStatesAsync(db, actionable, now, cancellationToken);
            var actor = new Actor(job.CreatedById, job.CreatedByName, new HashSet<string> { Roles.Admin });
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
                    var choices = new InviteOptions(row.Role ?? job.DefaultRole, row.Message ?? job.DefaultMessage, row.ExpiresDays ?? job.ExpiryDays);
                    sent.Add((await invitations.ApplyAsync(db, row.Canonical!, state, action, actor, choices, row.Name, job.Id, now, cancellationToken),
                        outcome == InviteOutcome.Resent));
                }
            }
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
            job.SentRows += sent.Count;
            db.ChangeTracker.DetectChanges();
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        foreach (var (invitation, resent) in sent)
        {
            await events.PublishAsync(new InvitationSent(invitation.Id, invitation.UserId!, invitation.Email!, resent), cancellationToken);
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

    public async Task<BulkJobView?> GetAsync(Actor actor, long jobId, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Admin);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var job = await db.BulkJobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == jobId, cancellationToken);
        return job is null ? null : View(job);
    }

    public async Task<Page<BulkJobView>> JobsAsync(Actor actor, PageRequest page, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Admin);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var jobs = await db.BulkJobs.AsNoTracking().Where(j => j.Status != BulkJobStatus.Analyzing)
            .ToPageAsync(page, JobColumns, q => q.OrderByDescending(j => j.Id), j => j, cancellationToken);
        return new Page<BulkJobView>([.. jobs.Items.Select(View)], jobs.Total);
    }

    /// <summary>The runs in progress, for the dashboard.</summary>
    public async Task<IReadOnlyList<BulkJobView>> ActiveAsync(Actor actor, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Admin);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var jobs = await db.BulkJobs.AsNoTracking()
            .Where(j => j.Status == BulkJobStatus.Queued || j.Status == BulkJobStatus.Running)
            .OrderBy(j => j.Id).ToListAsync(cancellationToken);
        return [.. jobs.Select(View)];
    }

    public async Task<Page<BulkJobRowView>> RowsAsync(
        Actor actor, long jobId, BulkRowClass? rowClass, PageRequest page, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Admin);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = db.BulkJobRows.AsNoTracking().Where(r => r.JobId == jobId);
        if (rowClass is { } wanted)
        {
            rows = rows.Where(r => r.Class == wanted);
        }
        return await rows.ToPageAsync(page, RowColumns, q => q.OrderBy(r => r.Line),
            r => new BulkJobRowView(r.Id, r.Line, r.Email, r.Class, r.Reason, r.Outcome), cancellationToken);
    }

    public async Task<BulkFunnel> FunnelAsync(Actor actor, long jobId, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Admin);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var ofJob = db.Invitations.Where(i => i.BulkJobId == jobId);
        var invited = await ofJob.CountAsync(cancellationToken);
        var accepted = await ofJob.CountAsync(i => i.Status == InvitationStatus.Accepted, cancellationToken);
        var failed = await db.OutboxMessages
            .Where(m => m.Status == OutboxStatus.Failed && ofJob.Any(i => i.Email == m.Recipient))
            .Select(m => m.Recipient).Distinct().CountAsync(cancellationToken);
        return new BulkFunnel(invited, failed, accepted);
    }

    /// <summary>
    /// Writes the results file: one line per row of the upload (line, email, outcome, reason), the
    /// dry run's class for rows not processed. Cells that a spreadsheet would run as a formula get a
    /// leading apostrophe.
    /// </summary>
    public async Task WriteResultsAsync(Actor actor, long jobId, Stream output, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Admin);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var job = await db.BulkJobs.AsNoTracking().FirstAsync(j => j.Id == jobId, cancellationToken);
        await using var csv = CsvWriter.Create(output, new CsvWriterOptions { Injection = CsvInjection.Escape }, leaveOpen: true);
        await csv.WriteRecordAsync(["line", "email", "outcome", "reason"], cancellationToken);
        await foreach (var row in db.BulkJobRows.AsNoTracking().Where(r => r.JobId == jobId).OrderBy(r => r.Line)
            .Select(r => new { r.Line, r.Email, r.Class, r.Outcome, r.Reason }).AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            var outcome = row.Outcome?.ToString() ?? (job.Status == BulkJobStatus.Analyzed ? row.Class.ToString() : "NotProcessed");
            await csv.WriteRecordAsync([row.Line.ToString(CultureInfo.InvariantCulture), row.Email, outcome, row.Reason ?? ""], cancellationToken);
        }
    }

    /// <summary>A file showing the columns, for admins to start from.</summary>
    public static string TemplateCsv =>
        "email,name,role,message,expires_days\r\n" +
        "ada@example.org,Ada Lovelace,Moderator,Welcome to the team!,14\r\n" +
        "grace@example.org,Grace Hopper,,,\r\n";

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
        $"{SuppressedRows(job):N0} suppressed, {job.InvalidRows:N0} invalid, {job.DuplicateRows:N0} duplicates";

    /// <summary>The job keeps no count of its own for suppressed rows: they are the rows no other class counts.</summary>
    private static int SuppressedRows(BulkJob j) =>
        j.TotalRows - (j.NewRows + j.PendingRows + j.MemberRows + j.OptedOutRows + j.InvalidRows + j.DuplicateRows);

    private static BulkJobView View(BulkJob j) => new(
        j.Id, j.FileName, j.CreatedByName, j.CreatedAt, j.Status, j.TotalRows,
        new Dictionary<BulkRowClass, int>
        {
            [BulkRowClass.New] = j.NewRows,
            [BulkRowClass.PendingInvitation] = j.PendingRows,
            [BulkRowClass.AlreadyMember] = j.MemberRows,
            [BulkRowClass.OptedOut] = j.OptedOutRows,
            [BulkRowClass.Suppressed] = SuppressedRows(j),
            [BulkRowClass.Invalid] = j.InvalidRows,
            [BulkRowClass.DuplicateInFile] = j.DuplicateRows,
        },
        new BulkRunOptions(j.DefaultRole, j.DefaultMessage, j.Resend, j.ExpiryDays),
        j.StartedAt, j.FinishedAt, j.ProcessedRows, j.SentRows, j.Error);
}
