using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Email;
using Portal.Email.Mails.Confirmations;
using Portal.Features.Audit;
using Portal.Identity;
using Portal.Localization;

namespace Portal.Features.Confirmations;

/// <summary>
/// The moderators' side of deferred changes: the queue of changes waiting for a decision, one
/// change with its field diff, claims, and approving or rejecting (four eyes: nobody decides on
/// their own request or record, a kind may need two different approvers, and a decision is on
/// the exact version the moderator saw).
/// </summary>
public sealed class ChangeModeration(
    IDbContextFactory<PortalDbContext> dbFactory,
    ChangeLifecycle lifecycle,
    IOptions<ConfirmationsOptions> options,
    IOptions<PortalOptions> portal,
    Mailer mailer,
    IOptions<LanguageOptions> languages,
    AuditLog audit)
{
    private static readonly StaticTexts Texts = new(typeof(ChangeModeration));

    private static readonly Dictionary<string, Expression<Func<DeferredChange, object?>>> ReviewColumns = new()
    {
        [nameof(ReviewRow.CreatedAt)] = c => c.CreatedAt,
        [nameof(ReviewRow.Kind)] = c => c.Kind,
        [nameof(ReviewRow.RequestedByName)] = c => c.RequestedByName,
    };

    /// <summary>The kinds a change can be of, for filters.</summary>
    public IReadOnlyCollection<ChangeKind> Kinds => lifecycle.Kinds;

    /// <summary>Reasons moderators can pick from when rejecting: the site's, else three general ones in the moderator's language.</summary>
    public IReadOnlyList<string> RejectionReasons =>
        options.Value.RejectionReasons is { Count: > 0 } configured ? configured : [Texts["RejectRules"], Texts["RejectUnconfirmed"], Texts["RejectDuplicate"]];

    /// <summary>
    /// Everything a moderator must decide: changes confirmed by moderators, and changes whose record
    /// changed since the request. Oldest first unless sorted otherwise.
    /// </summary>
    public async Task<Page<ReviewRow>> ReviewQueueAsync(Actor actor, ReviewFilter filter, PageRequest page, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Moderator, Roles.Admin);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var titles = lifecycle.Titles();
        var result = await Reviewable(db, filter).ToPageAsync(page, ReviewColumns, q => q.OrderBy(c => c.CreatedAt).ThenBy(c => c.Id), c => c, cancellationToken);
        return new Page<ReviewRow>([.. result.Items.Select(c => Row(c, titles))], result.Total);
    }

    /// <summary>How many changes of each kind wait for a moderator, with the filter's age and requester (its kind is ignored).</summary>
    public async Task<IReadOnlyDictionary<string, int>> ReviewCountsAsync(Actor actor, ReviewFilter filter, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Moderator, Roles.Admin);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await Reviewable(db, filter with { Kind = null })
            .GroupBy(c => c.Kind)
            .Select(g => new { Kind = g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Kind, g => g.Count, cancellationToken);
    }

    /// <summary>How many changes wait for a moderator, for the sidebar.</summary>
    public async Task<int> ReviewCountAsync(Actor actor, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Moderator, Roles.Admin);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await ChangeLifecycle.AwaitingModerator(db.DeferredChanges).CountAsync(cancellationToken);
    }

    /// <summary>One change for a moderator: field diff (then, proposed, now), requester, and the record's earlier changes.</summary>
    public async Task<ChangeDetail?> ReviewAsync(Actor actor, long changeId, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Moderator, Roles.Admin);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var change = await db.DeferredChanges.AsNoTracking().FirstOrDefaultAsync(c => c.Id == changeId, cancellationToken);
        if (change is null || lifecycle.KindOf(change) is not { } kind)
        {
            return null;
        }
        var now = await kind.ReadAsync(db, change.TargetId, cancellationToken);
        if (change.TargetChanged && now is not null && ChangeLifecycle.Snapshot(kind, now) is var seen && seen != change.SeenJson
            && await ChangeLifecycle.ShowAgainAsync(db, change, seen, cancellationToken))
        {
            // The record moved again since moderators last looked: what is shown now is a new version to decide on.
            (change.SeenJson, change.Version) = (seen, change.Version + 1);
        }
        var history = await db.DeferredChanges.AsNoTracking()
            .Where(c => c.TargetType == change.TargetType && c.TargetId == change.TargetId && c.Id != change.Id)
            .OrderByDescending(c => c.Id).Take(20).ToListAsync(cancellationToken);
        return new ChangeDetail(Row(change, lifecycle.Titles()), ChangeLifecycle.Diff(kind, change, now),
            change.RequestedById, now is null, [.. history.Select(c => lifecycle.Summary(c, now: null))]);
    }

    /// <summary>Claims a change for the caller for a while, so other moderators see it is being looked at.</summary>
    public async Task<ChangeResult> ClaimAsync(Actor actor, long changeId, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Moderator, Roles.Admin);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var now = lifecycle.Now;
        var until = now + options.Value.ClaimDuration;
        // The claim is not part of what is decided, so it leaves the version alone.
        var claimed = await ChangeLifecycle.AwaitingModerator(db.DeferredChanges)
            .Where(c => c.Id == changeId && (c.ClaimedById == null || c.ClaimedById == actor.UserId || c.ClaimedUntil < now))
            .ExecuteUpdateAsync(s => s
                .SetProperty(c => c.ClaimedById, actor.UserId)
                .SetProperty(c => c.ClaimedByName, actor.Name)
                .SetProperty(c => c.ClaimedUntil, until), cancellationToken);
        if (claimed == 1)
        {
            return new ChangeResult(ChangeOutcome.Claimed, Texts.Format("Claimed", until), changeId);
        }
        var change = await db.DeferredChanges.AsNoTracking().FirstOrDefaultAsync(c => c.Id == changeId, cancellationToken);
        return change is { Status: ChangeStatus.Pending or ChangeStatus.Confirmed }
            ? new ChangeResult(ChangeOutcome.ClaimedByOther, Texts.Format("ClaimedByOtherUntil", change.ClaimedByName, change.ClaimedUntil), changeId)
            : NotWaiting(changeId);
    }

    /// <summary>
    /// Approves the exact version the moderator saw. Nobody decides on their own request or record;
    /// a kind needing two approvals applies on the second, from a different moderator.
    /// </summary>
    public async Task<ChangeResult> ApproveAsync(Actor actor, long changeId, int version, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Moderator, Roles.Admin);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var change = await db.DeferredChanges.AsNoTracking().FirstOrDefaultAsync(c => c.Id == changeId, cancellationToken);
        if (DecisionProblem(change, actor, version) is { } problem)
        {
            return problem;
        }
        if (change!.ApprovalsGiven + 1 < change.ApprovalsNeeded)
        {
            var counted = await db.DeferredChanges.Where(c => c.Id == change.Id && c.Version == version && c.Status == change.Status)
                .ExecuteUpdateAsync(s => ChangeLifecycle.Unclaimed(s)
                    .SetProperty(c => c.ApprovalsGiven, c => c.ApprovalsGiven + 1)
                    .SetProperty(c => c.FirstApproverId, actor.UserId)
                    .SetProperty(c => c.FirstApproverName, actor.Name)
                    .SetProperty(c => c.Version, c => c.Version + 1), cancellationToken);
            if (counted != 1)
            {
                return ChangeLifecycle.VersionChanged(change.Id);
            }
            audit.Record(db, actor, AuditActions.ChangeApproved, await lifecycle.TargetAsync(db, change, cancellationToken), "first of two approvals");
            await db.SaveChangesAsync(cancellationToken);
            return new ChangeResult(ChangeOutcome.Approved, Texts["FirstApproval"], change.Id);
        }
        return await lifecycle.ApplyAsync(db, change.Id, actor, change.Status, version, expectedSecret: null, byModerator: true, cancellationToken);
    }

    /// <summary>Approves many; each entry is a change id and the version shown.</summary>
    public async Task<IReadOnlyList<ChangeResult>> ApproveManyAsync(Actor actor, IReadOnlyList<(long Id, int Version)> changes, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Moderator, Roles.Admin);
        var results = new List<ChangeResult>();
        foreach (var (id, version) in changes)
        {
            results.Add(await ApproveAsync(actor, id, version, cancellationToken));
        }
        return results;
    }

    /// <summary>Rejects with a reason, which is mailed to the member. Four-eyes as for approvals.</summary>
    public async Task<ChangeResult> RejectAsync(Actor actor, long changeId, string reason, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Moderator, Roles.Admin);
        reason = reason?.Trim() ?? "";
        if (reason.Length == 0)
        {
            return new ChangeResult(ChangeOutcome.Invalid, Texts["ReasonMissing"], changeId,
                new Dictionary<string, string> { ["Reason"] = Texts["ReasonMissing"] });
        }
        if (reason.Length > RegistrationLimits.ReasonLength)
        {
            var tooLong = Texts.Format("ReasonTooLong", RegistrationLimits.ReasonLength);
            return new ChangeResult(ChangeOutcome.Invalid, tooLong, changeId, new Dictionary<string, string> { ["Reason"] = tooLong });
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var change = await db.DeferredChanges.AsNoTracking().FirstOrDefaultAsync(c => c.Id == changeId, cancellationToken);
        if (DecisionProblem(change, actor, version: null) is { } problem)
        {
            return problem;
        }
        return await lifecycle.CloseAsync(db, change!, actor, ChangeStatus.Rejected, reason, AuditActions.ChangeRejected, cancellationToken, async () =>
        {
            var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == change!.TargetId, cancellationToken);
            if (user?.Email is { } email)
            {
                await mailer.QueueAsync(db, email, new ChangeRejectedMail(user.UserName!, TitleFor(user, lifecycle.Kind(change!.Kind)), reason,
                    portal.Value.Link(ChangeRequests.ProfilePath)), language: user.Language);
            }
        });
    }

    /// <summary>The kind's title in its member's language, whatever the moderator's.</summary>
    private string TitleFor(PortalUser user, ChangeKind kind) => InLanguage.Read(languages.Value.CultureOf(user.Language), () => kind.Title);

    /// <summary>Rejects many with one reason.</summary>
    public async Task<IReadOnlyList<ChangeResult>> RejectManyAsync(Actor actor, IReadOnlyList<long> changeIds, string reason, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Moderator, Roles.Admin);
        var results = new List<ChangeResult>();
        foreach (var id in changeIds)
        {
            results.Add(await RejectAsync(actor, id, reason, cancellationToken));
        }
        return results;
    }

    /// <summary>The changes waiting for a moderator that pass the review filter.</summary>
    private IQueryable<DeferredChange> Reviewable(PortalDbContext db, ReviewFilter filter)
    {
        var query = ChangeLifecycle.AwaitingModerator(db.DeferredChanges.AsNoTracking());
        if (!string.IsNullOrWhiteSpace(filter.Kind))
        {
            query = query.Where(c => c.Kind == filter.Kind);
        }
        if (filter.OlderThan is { } age)
        {
            var cutoff = lifecycle.Now - age;
            query = query.Where(c => c.CreatedAt <= cutoff);
        }
        if (!string.IsNullOrWhiteSpace(filter.Requester))
        {
            var pattern = Like.Contains(filter.Requester);
            query = query.Where(c => EF.Functions.Like(c.RequestedByName.ToLower(), pattern, Like.Escape));
        }
        return query;
    }

    private ChangeResult? DecisionProblem(DeferredChange? change, Actor actor, int? version)
    {
        if (change is null || !(change.Status == ChangeStatus.Confirmed || (change.Status == ChangeStatus.Pending && change.Channel == ChangeChannel.Moderator)))
        {
            return NotWaiting(change?.Id);
        }
        if (change.RequestedById == actor.UserId || (change.TargetType == ChangeKind.UserTarget && change.TargetId == actor.UserId))
        {
            return new ChangeResult(ChangeOutcome.NotAllowed, Texts["OwnChange"], change.Id);
        }
        if (change.FirstApproverId is not null && change.FirstApproverId == actor.UserId)
        {
            return new ChangeResult(ChangeOutcome.NotAllowed, Texts["ApprovedAlready"], change.Id);
        }
        if (change.ClaimedById is not null && change.ClaimedById != actor.UserId && change.ClaimedUntil > lifecycle.Now)
        {
            return new ChangeResult(ChangeOutcome.ClaimedByOther, Texts.Format("ClaimedByOther", change.ClaimedByName), change.Id);
        }
        return version is { } v && v != change.Version ? ChangeLifecycle.VersionChanged(change.Id) : null;
    }

    private static ChangeResult NotWaiting(long? id) => new(ChangeOutcome.NotPending, Texts["NotWaiting"], id);

    private static ReviewRow Row(DeferredChange c, IReadOnlyDictionary<string, string> titles) =>
        new(c.Id, c.Kind, titles.GetValueOrDefault(c.Kind, c.Kind), c.TargetId, c.RequestedByName, c.CreatedAt, c.Status, c.TargetChanged,
            c.ApprovalsGiven, c.ApprovalsNeeded, c.FirstApproverName, c.ClaimedByName, c.ClaimedUntil, c.Version);
}
