using System.Globalization;
using System.Linq.Expressions;
using CsvHelper;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Identity;
using Portal.Localization;

namespace Portal.Features.Invitations.Bulk;

/// <summary>The options an admin picks before starting a run; rows' own values win over them. A null language is the site's.</summary>
public sealed record BulkRunOptions(string? DefaultRole, string? DefaultMessage, bool Resend, int ExpiryDays, string? DefaultLanguage = null)
{
    /// <summary>The defaults as one invitation's options, to be checked by the same rules.</summary>
    public InviteOptions AsInviteOptions() => new(DefaultRole, DefaultMessage, ExpiryDays, DefaultLanguage);
}

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

/// <summary>What admins read of uploads: the list, one upload with its rows, how its invitations fared, and the results file.</summary>
public sealed class BulkQueries(IDbContextFactory<PortalDbContext> dbFactory)
{
    /// <summary>The results file's header and outcome words, in the reader's language (English: the outcomes' names).</summary>
    private static readonly StaticTexts Texts = new(typeof(BulkQueries));

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
    /// dry run's class for rows not processed; the header and the outcomes in the reader's language.
    /// Cells that a spreadsheet would run as a formula get a leading apostrophe.
    /// </summary>
    public async Task WriteResultsAsync(Actor actor, long jobId, Stream output, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Admin);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var job = await db.BulkJobs.AsNoTracking().FirstAsync(j => j.Id == jobId, cancellationToken);
        await using var csv = CsvWriter.Create(output, new CsvWriterOptions { Injection = CsvInjection.Escape }, leaveOpen: true);
        await csv.WriteRecordAsync([Texts["Line"], Texts["Email"], Texts["Outcome"], Texts["Reason"]], cancellationToken);
        await foreach (var row in db.BulkJobRows.AsNoTracking().Where(r => r.JobId == jobId).OrderBy(r => r.Line)
            .Select(r => new { r.Line, r.Email, r.Class, r.Outcome, r.Reason }).AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            var outcome = row.Outcome?.ToString() ?? (job.Status == BulkJobStatus.Analyzed ? row.Class.ToString() : "NotProcessed");
            await csv.WriteRecordAsync([row.Line.ToString(CultureInfo.InvariantCulture), row.Email, Texts[outcome], row.Reason ?? ""], cancellationToken);
        }
    }

    /// <summary>The job keeps no count of its own for suppressed rows: they are the rows no other class counts.</summary>
    internal static int SuppressedRows(BulkJob j) =>
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
        new BulkRunOptions(j.DefaultRole, j.DefaultMessage, j.Resend, j.ExpiryDays, j.DefaultLanguage),
        j.StartedAt, j.FinishedAt, j.ProcessedRows, j.SentRows, j.Error);
}
