using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Identity;
using Portal.Localization;

namespace Portal.Features.Invitations.Bulk;

/// <summary>
/// The dry run of a CSV upload: every row classified, by the same rules as a single invitation
/// (<see cref="InviteRules"/>), and stored with the upload before anything is sent.
/// </summary>
public sealed class BulkAnalysis(
    IDbContextFactory<PortalDbContext> dbFactory,
    InvitationService invitations,
    IOptions<BulkInviteOptions> limits,
    IOptions<InvitationOptions> invitationOptions,
    IOptions<LanguageOptions> languages,
    TimeProvider clock)
{
    private const int AnalysisChunk = 2000;

    private static readonly StaticTexts Texts = new(typeof(BulkAnalysis));

    /// <summary>A file showing the columns, for admins to start from.</summary>
    public static string TemplateCsv =>
        "email,name,role,message,expires_days,language\r\n" +
        "ada@example.org,Ada Lovelace,Moderator,Welcome to the team!,14,en\r\n" +
        "grace@example.org,Grace Hopper,,,,\r\n";

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

    /// <summary>The checks that need no database: the address, the role, the lifetime, the language, and repeats in the file.</summary>
    private BulkJobRow Check(long jobId, CsvInvitationRow input, HashSet<string> seen)
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
                row.Reason = Texts.Format("NoSuchRole", input.Role, string.Join(", ", Roles.All));
                return row;
            }
        }
        if (input.ExpiresDays is not null)
        {
            if (!int.TryParse(input.ExpiresDays, NumberStyles.None, CultureInfo.InvariantCulture, out var days) || days is < 1 or > 365)
            {
                row.Reason = Texts.Format("ExpiresDays", input.ExpiresDays);
                return row;
            }
            row.ExpiresDays = days;
        }
        if (input.Language is not null)
        {
            row.Language = languages.Value.Find(input.Language)?.Name;
            if (row.Language is null)
            {
                row.Reason = Texts.Format("NoSuchLanguage", input.Language, string.Join(", ", languages.Value.Cultures.Select(c => c.Name)));
                return row;
            }
        }
        if (!seen.Add(EmailAddress.Key(check.Canonical!)))
        {
            row.Class = BulkRowClass.DuplicateInFile;
            row.Reason = Texts["Duplicate"];
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
            InviteOutcome.OptedOut => (BulkRowClass.OptedOut, Texts["OptedOut"]),
            InviteOutcome.Suppressed => (BulkRowClass.Suppressed, state.Bounce!.Explanation),
            InviteOutcome.Deactivated => (BulkRowClass.AlreadyMember, Texts["Deactivated"]),
            InviteOutcome.AlreadyMember => (BulkRowClass.AlreadyMember, null),
            InviteOutcome.Resent => (BulkRowClass.PendingInvitation, Texts.Format("Invited", state.Live!.ExpiresAt)),
            _ => (BulkRowClass.New, null),
        };
}
