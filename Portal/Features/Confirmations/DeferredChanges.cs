using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Email;
using Portal.Events;
using Portal.Features.Audit;
using Portal.Identity;
using Portal.Email.Mails.Confirmations;

namespace Portal.Features.Confirmations;

/// <summary>
/// Edits that wait for a link, a code or a moderator. A request validates now and stores the values
/// before and proposed; confirming re-validates and applies in one transaction with a conditional
/// status change, so a change applies at most once. If the record changed since the request the
/// change goes to the moderators (or is refused, per kind); if the record is gone it fails.
/// </summary>
public sealed partial class DeferredChanges(
    IDbContextFactory<PortalDbContext> dbFactory,
    IServiceScopeFactory scopes,
    IEnumerable<ChangeKind> kinds,
    IOptions<ConfirmationsOptions> options,
    IOptions<PortalOptions> portal,
    Mailer mailer,
    AuditLog audit,
    EventPublisher events,
    SendLimits limits,
    CodeEntryLocks locks,
    TimeProvider clock,
    ILogger<DeferredChanges> logger) : IEventHandler<PasswordChanged>
{
    /// <summary>Where the link mailed to a new address points: GET shows the change, POST confirms it.</summary>
    public const string ConfirmLinkPath = "account/changes/confirm";

    /// <summary>Where the "this wasn't me" link to the old address points: GET shows, POST cancels.</summary>
    public const string CancelLinkPath = "account/changes/cancel";

    /// <summary>The member's own profile page, linked from the rejection mail.</summary>
    public const string ProfilePath = "account/profile";

    public const string AuditTargetType = "deferred-change";

    private const string Replaced = "Replaced by a newer request.";

    private readonly Dictionary<string, ChangeKind> _kinds = kinds.ToDictionary(k => k.Name);

    /// <summary>The declared kinds, for pages and filters.</summary>
    public IReadOnlyCollection<ChangeKind> Kinds => _kinds.Values;

    public ChangeKind Kind(string name) =>
        _kinds.TryGetValue(name, out var kind) ? kind : throw new ArgumentException($"There is no change kind '{name}'.", nameof(name));

    /// <summary>Reasons moderators can pick from when rejecting.</summary>
    public IReadOnlyList<string> RejectionReasons => options.Value.RejectionReasons;

    /// <summary>The current values of a kind's fields for the member's own record (or any, for an admin); null when it is gone.</summary>
    public async Task<IReadOnlyDictionary<string, string?>?> CurrentAsync(Actor actor, string kind, string targetId, CancellationToken cancellationToken = default)
    {
        RequireOwnerOrAdmin(actor, targetId);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await Kind(kind).ReadAsync(db, targetId, cancellationToken);
    }

    /// <summary>
    /// Asks for a change of the caller's own record (an admin may ask for anyone's). Validates now
    /// (errors come back, nothing is stored), refuses a change that changes nothing, replaces the
    /// earlier pending change of the same kind (its secret dies), sends the secret and says what happens next.
    /// </summary>
    public async Task<ChangeResult> RequestAsync(
        Actor actor, string kind, string targetId, IReadOnlyDictionary<string, string?> proposed, string? currentPassword = null,
        CancellationToken cancellationToken = default)
    {
        var changeKind = Kind(kind);
        RequireOwnerOrAdmin(actor, targetId);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == targetId, cancellationToken);
        var before = await changeKind.ReadAsync(db, targetId, cancellationToken);
        if (user is null || before is null)
        {
            return new ChangeResult(ChangeOutcome.NotFound, "That account does not exist.");
        }
        if (changeKind.RequiresPassword && actor.UserId == targetId && !await PasswordMatchesAsync(user, currentPassword))
        {
            return new ChangeResult(ChangeOutcome.Invalid, "Check the highlighted fields.",
                Errors: new Dictionary<string, string> { ["CurrentPassword"] = "That is not your current password." });
        }
        var validation = await changeKind.ValidateAsync(db, targetId, proposed, cancellationToken);
        if (!validation.IsValid)
        {
            return new ChangeResult(ChangeOutcome.Invalid, "Check the highlighted fields.", Errors: validation.Errors);
        }
        if (changeKind.Fields.All(f => validation.Values.GetValueOrDefault(f.Name) == before.GetValueOrDefault(f.Name)))
        {
            return new ChangeResult(ChangeOutcome.Unchanged, "That is what you have already: nothing to change.");
        }
        var now = Now;
        DeferredChange change;
        string message;
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            if (await limits.NextAllowedAsync(db, changeKind.Name, targetId, changeId: null, now, cancellationToken) is { } next)
            {
                return TooMany(next, now);
            }
            var replaced = await CancelAllAsync(db, db.DeferredChanges
                .Where(c => c.TargetType == changeKind.TargetType && c.TargetId == targetId && c.Kind == changeKind.Name
                    && (c.Status == ChangeStatus.Pending || c.Status == ChangeStatus.Confirmed)), Replaced, now, cancellationToken);

            change = new DeferredChange
            {
                Kind = changeKind.Name,
                TargetType = changeKind.TargetType,
                TargetId = targetId,
                ProposedJson = Serialize(validation.Values),
                BeforeJson = Serialize(before),
                RequestedById = actor.UserId,
                RequestedByName = actor.Name,
                Channel = changeKind.Channel,
                MaxAttempts = changeKind.Settings.MaxAttempts,
                CreatedAt = now,
                ExpiresAt = now + changeKind.Settings.Lifetime,
                Status = ChangeStatus.Pending,
                StatusAt = now,
                ApprovalsNeeded = changeKind.Settings.RequiredApprovals,
                Destination = changeKind.Destination(validation.Values),
            };
            db.DeferredChanges.Add(change);
            // The id binds the code to this change, so the row is saved before its secret is made.
            await db.SaveChangesAsync(cancellationToken);
            message = await IssueSecretAsync(db, changeKind, change, user, before, validation.Values, isResend: false, cancellationToken);
            audit.Record(db, actor, AuditActions.ChangeRequested, await TargetAsync(db, change, cancellationToken),
                replaced.Count > 0 ? $"{changeKind.Title}; replaces #{string.Join(", #", replaced)}" : changeKind.Title);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        LogRequested(change.Id, change.Kind);
        await events.PublishAsync(new ChangeRequested(change.Id, change.Kind, change.TargetId), cancellationToken);
        return new ChangeResult(ChangeOutcome.Requested, message, change.Id);
    }

    /// <summary>
    /// Confirms a change with the code from a text message, letter or transfer. A wrong code counts
    /// and says how many tries remain; the last wrong try kills the code. The right one applies the change.
    /// </summary>
    public async Task<ChangeResult> ConfirmWithCodeAsync(Actor actor, long changeId, string code, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var change = await db.DeferredChanges.AsNoTracking().FirstOrDefaultAsync(c => c.Id == changeId, cancellationToken);
        if (change is null || !IsOwnedBy(change, actor) || change.Channel is ChangeChannel.Link or ChangeChannel.Moderator || change.SecretHash is null)
        {
            return new ChangeResult(ChangeOutcome.NotFound, "There is no such change waiting for a code.");
        }
        if (Problem(change) is { } problem)
        {
            return problem;
        }
        if (await locks.RefusalAsync(db, change.Id, change.TargetId, cancellationToken) is { } locked)
        {
            return locked;
        }
        if (!ConfirmationCodes.Matches(change.SecretHash, change.Channel, change.Id, code))
        {
            return await CountWrongCodeAsync(db, change, actor, cancellationToken);
        }
        return await ApplyAsync(db, change.Id, actor, ChangeStatus.Pending, expectedVersion: null, change.SecretHash, byModerator: false, cancellationToken);
    }

    /// <summary>What a mailed link confirms. Opening changes nothing (mail scanners open links too).</summary>
    public async Task<OpenedChangeLink> OpenLinkAsync(string token, CancellationToken cancellationToken = default) =>
        await OpenAsync(token, cancel: false, cancellationToken);

    /// <summary>What a "this wasn't me" link cancels. Opening changes nothing.</summary>
    public async Task<OpenedChangeLink> OpenCancelLinkAsync(string token, CancellationToken cancellationToken = default) =>
        await OpenAsync(token, cancel: true, cancellationToken);

    /// <summary>Confirms the change a mailed link belongs to and applies it.</summary>
    public async Task<ChangeResult> ConfirmLinkAsync(string token, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var change = await FindByTokenAsync(db, token, cancel: false, cancellationToken);
        if (change is null)
        {
            return new ChangeResult(ChangeOutcome.NotFound, "This link is not known. Ask for the change again.");
        }
        if (Problem(change) is { } problem)
        {
            return problem;
        }
        var actor = new Actor(change.TargetId, change.RequestedByName, new HashSet<string>());
        return await ApplyAsync(db, change.Id, actor, ChangeStatus.Pending, expectedVersion: null, change.SecretHash, byModerator: false, cancellationToken);
    }

    /// <summary>"This wasn't me": the old address cancels a pending change with its own link.</summary>
    public async Task<ChangeResult> CancelByLinkAsync(string token, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var change = await FindByTokenAsync(db, token, cancel: true, cancellationToken);
        return change is null
            ? new ChangeResult(ChangeOutcome.NotFound, "This link is not known.")
            : await CloseAsync(db, change, Actor.Visitor, ChangeStatus.Cancelled, "Cancelled from the old address (\"this wasn't me\").", AuditActions.ChangeCancelled, cancellationToken);
    }

    /// <summary>The requester (or an admin) withdraws a pending change; its secret dies.</summary>
    public async Task<ChangeResult> CancelAsync(Actor actor, long changeId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var change = await db.DeferredChanges.AsNoTracking().FirstOrDefaultAsync(c => c.Id == changeId, cancellationToken);
        if (change is null || !(IsOwnedBy(change, actor) || actor.IsInAnyRole(Roles.Admin)))
        {
            return new ChangeResult(ChangeOutcome.NotFound, "There is no such change.");
        }
        return await CloseAsync(db, change, actor, ChangeStatus.Cancelled, "Withdrawn by the requester.", AuditActions.ChangeCancelled, cancellationToken);
    }

    /// <summary>Sends a new secret for a pending change; the old one dies and the lifetime starts again. Rate limited with requests.</summary>
    public async Task<ChangeResult> ResendAsync(Actor actor, long changeId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var change = await db.DeferredChanges.FirstOrDefaultAsync(c => c.Id == changeId, cancellationToken);
        if (change is null || !IsOwnedBy(change, actor))
        {
            return new ChangeResult(ChangeOutcome.NotFound, "There is no such change.");
        }
        if (change.Channel == ChangeChannel.Moderator)
        {
            return new ChangeResult(ChangeOutcome.NotPending, "A moderator decides this change; there is nothing to send.");
        }
        if (Problem(change) is { } problem)
        {
            return problem;
        }
        var now = Now;
        var kind = Kind(change.Kind);
        var user = await db.Users.AsNoTracking().FirstAsync(u => u.Id == change.TargetId, cancellationToken);
        string message;
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            if (await limits.NextAllowedAsync(db, change.Kind, change.TargetId, change.Id, now, cancellationToken) is { } next)
            {
                return TooMany(next, now);
            }
            await RetireChannelItemsAsync(db, [change.Id], cancellationToken);
            change.Resends++;
            change.Attempts = 0;
            change.ExpiresAt = now + kind.Settings.Lifetime;
            change.Version++;
            message = await IssueSecretAsync(db, kind, change, user, Deserialize(change.BeforeJson), Deserialize(change.ProposedJson), isResend: true, cancellationToken);
            audit.Record(db, actor, AuditActions.ChangeResent, await TargetAsync(db, change, cancellationToken), kind.Title);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateConcurrencyException)
            {
                return new ChangeResult(ChangeOutcome.NotPending, "The change was decided meanwhile.");
            }
            await transaction.CommitAsync(cancellationToken);
        }
        return new ChangeResult(ChangeOutcome.Requested, message, change.Id);
    }

    /// <summary>The caller's changes, newest first, with status, expiry and reason.</summary>
    public async Task<IReadOnlyList<ChangeSummary>> MineAsync(Actor actor, CancellationToken cancellationToken = default)
    {
        if (actor.UserId is null)
        {
            return [];
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db.DeferredChanges.AsNoTracking()
            .Where(c => c.TargetType == ChangeKind.UserTarget && c.TargetId == actor.UserId)
            .OrderByDescending(c => c.Id).Take(100).ToListAsync(cancellationToken);
        return [.. rows.Select(c => Summary(c, now: null))];
    }

    /// <summary>
    /// Everything a moderator must decide: changes confirmed by moderators, and changes whose record
    /// changed since the request. Oldest first unless sorted otherwise.
    /// </summary>
    public async Task<Page<ReviewRow>> ReviewQueueAsync(Actor actor, ReviewFilter filter, PageRequest page, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Moderator, Roles.Admin);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = Reviewable(db, filter);
        var titles = _kinds.ToDictionary(k => k.Key, k => k.Value.Title);
        var result = await query.ToPageAsync(page, ReviewColumns, q => q.OrderBy(c => c.CreatedAt).ThenBy(c => c.Id), c => c, cancellationToken);
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

    /// <summary>The changes waiting for a moderator that pass the review filter.</summary>
    private IQueryable<DeferredChange> Reviewable(PortalDbContext db, ReviewFilter filter)
    {
        var query = AwaitingModerator(db.DeferredChanges.AsNoTracking());
        if (!string.IsNullOrWhiteSpace(filter.Kind))
        {
            query = query.Where(c => c.Kind == filter.Kind);
        }
        if (filter.OlderThan is { } age)
        {
            var cutoff = Now - age;
            query = query.Where(c => c.CreatedAt <= cutoff);
        }
        if (!string.IsNullOrWhiteSpace(filter.Requester))
        {
            var pattern = Like.Contains(filter.Requester);
            query = query.Where(c => EF.Functions.Like(c.RequestedByName.ToLower(), pattern, Like.Escape));
        }
        return query;
    }

    /// <summary>How many changes wait for a moderator, for the sidebar.</summary>
    public async Task<int> ReviewCountAsync(Actor actor, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Moderator, Roles.Admin);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await AwaitingModerator(db.DeferredChanges).CountAsync(cancellationToken);
    }

    /// <summary>One change for a moderator: field diff (then, proposed, now), requester, and the record's earlier changes.</summary>
    public async Task<ChangeDetail?> ReviewAsync(Actor actor, long changeId, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Moderator, Roles.Admin);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var change = await db.DeferredChanges.AsNoTracking().FirstOrDefaultAsync(c => c.Id == changeId, cancellationToken);
        if (change is null || !_kinds.TryGetValue(change.Kind, out var kind))
        {
            return null;
        }
        var now = await kind.ReadAsync(db, change.TargetId, cancellationToken);
        if (change.TargetChanged && now is not null && Snapshot(kind, now) is var seen && seen != change.SeenJson
            && await ShowAgainAsync(db, change, seen, cancellationToken))
        {
            // The record moved again since moderators last looked: what is shown now is a new version to decide on.
            (change.SeenJson, change.Version) = (seen, change.Version + 1);
        }
        var history = await db.DeferredChanges.AsNoTracking()
            .Where(c => c.TargetType == change.TargetType && c.TargetId == change.TargetId && c.Id != change.Id)
            .OrderByDescending(c => c.Id).Take(20).ToListAsync(cancellationToken);
        return new ChangeDetail(Row(change, _kinds.ToDictionary(k => k.Key, k => k.Value.Title)), Diff(kind, change, now),
            change.RequestedById, now is null, [.. history.Select(c => Summary(c, now: null))]);
    }

    /// <summary>Claims a change for the caller for a while, so other moderators see it is being looked at.</summary>
    public async Task<ChangeResult> ClaimAsync(Actor actor, long changeId, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Moderator, Roles.Admin);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var now = Now;
        var until = now + options.Value.ClaimDuration;
        // The claim is not part of what is decided, so it leaves the version alone.
        var claimed = await AwaitingModerator(db.DeferredChanges)
            .Where(c => c.Id == changeId && (c.ClaimedById == null || c.ClaimedById == actor.UserId || c.ClaimedUntil < now))
            .ExecuteUpdateAsync(s => s
                .SetProperty(c => c.ClaimedById, actor.UserId)
                .SetProperty(c => c.ClaimedByName, actor.Name)
                .SetProperty(c => c.ClaimedUntil, until), cancellationToken);
        if (claimed == 1)
        {
            return new ChangeResult(ChangeOutcome.Claimed, $"You have this change until {until:HH:mm} UTC.", changeId);
        }
        var change = await db.DeferredChanges.AsNoTracking().FirstOrDefaultAsync(c => c.Id == changeId, cancellationToken);
        return change is { Status: ChangeStatus.Pending or ChangeStatus.Confirmed }
            ? new ChangeResult(ChangeOutcome.ClaimedByOther, $"{change.ClaimedByName} is looking at this change until {change.ClaimedUntil:HH:mm} UTC.", changeId)
            : new ChangeResult(ChangeOutcome.NotPending, "This change is not waiting for a moderator.", changeId);
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
            var now = Now;
            var counted = await db.DeferredChanges.Where(c => c.Id == change.Id && c.Version == version && c.Status == change.Status)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(c => c.ApprovalsGiven, c => c.ApprovalsGiven + 1)
                    .SetProperty(c => c.FirstApproverId, actor.UserId)
                    .SetProperty(c => c.FirstApproverName, actor.Name)
                    .SetProperty(c => c.ClaimedById, (string?)null)
                    .SetProperty(c => c.ClaimedByName, (string?)null)
                    .SetProperty(c => c.ClaimedUntil, (DateTime?)null)
                    .SetProperty(c => c.Version, c => c.Version + 1), cancellationToken);
            if (counted != 1)
            {
                return VersionChanged(change.Id);
            }
            audit.Record(db, actor, AuditActions.ChangeApproved, await TargetAsync(db, change, cancellationToken), "first of two approvals");
            await db.SaveChangesAsync(cancellationToken);
            return new ChangeResult(ChangeOutcome.Approved, "Approved. Another moderator must approve too.", change.Id);
        }
        return await ApplyAsync(db, change.Id, actor, change.Status, version, expectedSecret: null, byModerator: true, cancellationToken);
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
            return new ChangeResult(ChangeOutcome.Invalid, "Give a reason: the member is told it.", changeId,
                new Dictionary<string, string> { ["Reason"] = "Give a reason: the member is told it." });
        }
        if (reason.Length > RegistrationLimits.ReasonLength)
        {
            reason = reason[..RegistrationLimits.ReasonLength];
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var change = await db.DeferredChanges.AsNoTracking().FirstOrDefaultAsync(c => c.Id == changeId, cancellationToken);
        if (DecisionProblem(change, actor, version: null) is { } problem)
        {
            return problem;
        }
        var result = await CloseAsync(db, change!, actor, ChangeStatus.Rejected, reason, AuditActions.ChangeRejected, cancellationToken, async () =>
        {
            var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == change!.TargetId, cancellationToken);
            if (user?.Email is { } email)
            {
                await mailer.QueueAsync(db, email, new ChangeRejectedMail(user.UserName!, Kind(change!.Kind).Title, reason, portal.Value.Link(ProfilePath)));
            }
        });
        if (result.Outcome == ChangeOutcome.Rejected)
        {
            await events.PublishAsync(new ChangeRejected(change!.Id, change.Kind, change.TargetId, reason), cancellationToken);
        }
        return result;
    }

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

    /// <summary>For the dashboard: changes waiting for their confirmation, and what became of them lately.</summary>
    public async Task<ChangeCounts> CountsAsync(Actor actor, int days, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Admin);
        var since = Now.AddDays(-days);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var recent = await db.DeferredChanges.Where(c => c.StatusAt >= since && (c.Status == ChangeStatus.Applied || c.Status == ChangeStatus.Expired))
            .GroupBy(c => c.Status).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, cancellationToken);
        return new ChangeCounts(
            await db.DeferredChanges.CountAsync(c => c.Status == ChangeStatus.Pending && c.Channel != ChangeChannel.Moderator, cancellationToken),
            recent.GetValueOrDefault(ChangeStatus.Applied),
            recent.GetValueOrDefault(ChangeStatus.Expired));
    }

    /// <summary>A password change revokes the account's outstanding links and codes: whoever asked for them may not be the owner.</summary>
    public async Task HandleAsync(PasswordChanged portalEvent, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var ids = await RevokeSecretsAsync(db, portalEvent.UserId, except: null, "Cancelled because the account's password changed.", Now, cancellationToken);
        if (ids.Count > 0)
        {
            audit.Record(db, Actor.System, AuditActions.ChangeCancelled, null, $"password changed: #{string.Join(", #", ids)}");
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// Cancels the account's pending changes that wait for a link or a code, so every secret sent
    /// for them dies (an email or password change). Runs in the caller's transaction; the caller saves.
    /// </summary>
    internal static Task<IReadOnlyList<long>> RevokeSecretsAsync(
        PortalDbContext db, string userId, long? except, string reason, DateTime now, CancellationToken cancellationToken) =>
        CancelAllAsync(db, db.DeferredChanges
            .Where(c => c.TargetType == ChangeKind.UserTarget && c.TargetId == userId && c.Id != except
                && c.Status == ChangeStatus.Pending && c.Channel != ChangeChannel.Moderator), reason, now, cancellationToken);

    /// <summary>Cancels the chosen changes; their secrets and channel items die with them. Returns their ids; the caller saves.</summary>
    private static async Task<IReadOnlyList<long>> CancelAllAsync(
        PortalDbContext db, IQueryable<DeferredChange> which, string reason, DateTime now, CancellationToken cancellationToken)
    {
        var ids = await which.Select(c => c.Id).ToListAsync(cancellationToken);
        await db.DeferredChanges.Where(c => ids.Contains(c.Id))
            .ExecuteUpdateAsync(s => s
                .SetProperty(c => c.Status, ChangeStatus.Cancelled)
                .SetProperty(c => c.StatusAt, now)
                .SetProperty(c => c.Reason, reason)
                .SetProperty(c => c.Version, c => c.Version + 1), cancellationToken);
        await RetireChannelItemsAsync(db, ids, cancellationToken);
        return ids;
    }

    /// <summary>Marks pending changes past their expiry as Expired; their secrets die. Returns how many.</summary>
    public async Task<int> ExpireAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var now = Now;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await SendLimits.PruneAsync(db, now, cancellationToken);
        var ids = await db.DeferredChanges.Where(c => c.Status == ChangeStatus.Pending && c.ExpiresAt < now).Select(c => c.Id).ToListAsync(cancellationToken);
        if (ids.Count == 0)
        {
            await transaction.CommitAsync(cancellationToken);
            return 0;
        }
        await db.DeferredChanges.Where(c => ids.Contains(c.Id))
            .ExecuteUpdateAsync(s => s
                .SetProperty(c => c.Status, ChangeStatus.Expired)
                .SetProperty(c => c.StatusAt, now)
                .SetProperty(c => c.Reason, "Not confirmed in time.")
                .SetProperty(c => c.Version, c => c.Version + 1), cancellationToken);
        await RetireChannelItemsAsync(db, ids, cancellationToken);
        audit.Record(db, Actor.System, AuditActions.ChangeExpired, null, $"{ids.Count} change(s): #{string.Join(", #", ids)}");
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return ids.Count;
    }

    /// <summary>
    /// The one way a change takes effect. In one transaction: reads the change again, checks the
    /// record (gone: Failed; changed since: refused or handed to moderators, per kind), re-validates,
    /// moves the status by a conditional update (so only one caller ever wins), and applies.
    /// </summary>
    private async Task<ChangeResult> ApplyAsync(
        PortalDbContext db, long changeId, Actor actor, ChangeStatus from, int? expectedVersion, string? expectedSecret, bool byModerator,
        CancellationToken cancellationToken)
    {
        var now = Now;
        DeferredChange change;
        ChangeResult result;
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            change = await db.DeferredChanges.AsNoTracking().FirstAsync(c => c.Id == changeId, cancellationToken);
            if (change.Status != from || (expectedVersion is { } v && change.Version != v))
            {
                return change.Status == from ? VersionChanged(changeId) : new ChangeResult(ChangeOutcome.NotPending, "This change was decided already.", changeId);
            }
            if (expectedSecret is not null && change.SecretHash != expectedSecret)
            {
                // A new code or link went out after this one was checked: only the newest confirms.
                return new ChangeResult(ChangeOutcome.NotPending, "A newer code or link replaced this one: use the newest.", changeId);
            }
            var kind = Kind(change.Kind);
            var (deciderId, deciderName) = (actor.UserId, actor.Name);
            var current = await kind.ReadAsync(db, change.TargetId, cancellationToken);
            var before = Deserialize(change.BeforeJson);
            var proposed = Deserialize(change.ProposedJson);
            ChangeStatus to;
            string? reason = null;
            var flagChanged = false;
            if (current is not null && byModerator && change.TargetChanged && Snapshot(kind, current) is var seen && seen != change.SeenJson)
            {
                // The moderator decided on values the record no longer holds: show them the new ones.
                await ShowAgainAsync(db, change, seen, cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                return new ChangeResult(ChangeOutcome.VersionChanged, "The record changed again since you looked. Look at it again before deciding.", changeId);
            }
            if (current is null)
            {
                (to, reason) = (ChangeStatus.Failed, "The record no longer exists.");
            }
            else if (kind.Fields.Any(f => current.GetValueOrDefault(f.Name) != before.GetValueOrDefault(f.Name)) && !(byModerator && change.TargetChanged))
            {
                if (kind.RefusesChangedTarget)
                {
                    (to, reason) = (ChangeStatus.Failed, $"The {kind.Title.ToLowerInvariant()} changed after this request, so it was not applied. Ask for the change again.");
                }
                else
                {
                    // A moderator approving a change whose record moved since they looked gets to look again.
                    (to, reason, flagChanged) = (ChangeStatus.Confirmed, "The record changed after the request: a moderator decides.", true);
                }
            }
            else if (await kind.ValidateAsync(db, change.TargetId, proposed, cancellationToken) is { IsValid: false } validation)
            {
                (to, reason) = (ChangeStatus.Failed, $"No longer valid: {string.Join(" ", validation.Errors.Values)}");
            }
            else
            {
                to = ChangeStatus.Applied;
            }

            var addApproval = byModerator && to == ChangeStatus.Applied ? 1 : 0;
            var flaggedAt = flagChanged ? Snapshot(kind, current!) : null;
            var moved = await db.DeferredChanges.Where(c => c.Id == change.Id && c.Status == from && c.Version == change.Version)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(c => c.Status, to)
                    .SetProperty(c => c.StatusAt, now)
                    .SetProperty(c => c.Reason, reason)
                    .SetProperty(c => c.TargetChanged, c => c.TargetChanged || flagChanged)
                    .SetProperty(c => c.SeenJson, c => flagChanged ? flaggedAt : c.SeenJson)
                    .SetProperty(c => c.ApprovalsGiven, c => c.ApprovalsGiven + addApproval)
                    .SetProperty(c => c.DecidedById, c => byModerator ? deciderId : c.DecidedById)
                    .SetProperty(c => c.DecidedByName, c => byModerator ? deciderName : c.DecidedByName)
                    .SetProperty(c => c.ClaimedById, (string?)null)
                    .SetProperty(c => c.ClaimedByName, (string?)null)
                    .SetProperty(c => c.ClaimedUntil, (DateTime?)null)
                    .SetProperty(c => c.Version, c => c.Version + 1), cancellationToken);
            if (moved != 1)
            {
                await transaction.RollbackAsync(cancellationToken);
                return new ChangeResult(ChangeOutcome.NotPending, "This change was decided already.", changeId);
            }
            if (!byModerator && change.Channel != ChangeChannel.Link)
            {
                await CodeEntryLocks.ResetAsync(db, change.TargetId, cancellationToken);
            }
            // Named before it applies, so an address change names the account by the address it had.
            var target = await TargetAsync(db, change, cancellationToken);
            if (to == ChangeStatus.Applied)
            {
                await kind.ApplyAsync(db, change, proposed, now, cancellationToken);
            }
            if (to != ChangeStatus.Pending && to != ChangeStatus.Confirmed)
            {
                await RetireChannelItemsAsync(db, [change.Id], cancellationToken);
            }
            audit.Record(db, actor, to switch
            {
                ChangeStatus.Applied => AuditActions.ChangeApplied,
                ChangeStatus.Confirmed => AuditActions.ChangeNeedsReview,
                _ => AuditActions.ChangeFailed,
            }, target, reason ?? kind.Title);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            result = to switch
            {
                ChangeStatus.Applied => new ChangeResult(ChangeOutcome.Applied, $"Done: your {kind.Title.ToLowerInvariant()} is changed.", changeId),
                ChangeStatus.Confirmed => new ChangeResult(ChangeOutcome.AwaitingModerator, byModerator
                    ? "The record changed since the request. Look at then, now and proposed again before deciding."
                    : $"Your {kind.Title.ToLowerInvariant()} changed since you asked, so a moderator looks at this change before it applies.", changeId),
                _ => new ChangeResult(ChangeOutcome.Failed, reason!, changeId),
            };
        }
        LogDecided(change.Id, change.Kind, result.Outcome);
        if (!byModerator)
        {
            // Raised by the one confirmation that moved the change, never by a second press that lost.
            await events.PublishAsync(new ChangeConfirmed(change.Id, change.Kind, change.TargetId), cancellationToken);
        }
        if (result.Outcome == ChangeOutcome.Applied)
        {
            await events.PublishAsync(new ChangeApplied(change.Id, change.Kind, change.TargetId), cancellationToken);
        }
        return result;
    }

    /// <summary>Closes an open change (cancel, reject) by a conditional update, with an optional mail in the same transaction.</summary>
    private async Task<ChangeResult> CloseAsync(
        PortalDbContext db, DeferredChange change, Actor actor, ChangeStatus to, string reason, string action,
        CancellationToken cancellationToken, Func<Task>? also = null)
    {
        var now = Now;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var decided = to == ChangeStatus.Rejected;
        var (deciderId, deciderName) = (actor.UserId, actor.Name);
        var closed = await db.DeferredChanges
            .Where(c => c.Id == change.Id && (c.Status == ChangeStatus.Pending || c.Status == ChangeStatus.Confirmed))
            .ExecuteUpdateAsync(s => s
                .SetProperty(c => c.Status, to)
                .SetProperty(c => c.StatusAt, now)
                .SetProperty(c => c.Reason, reason)
                .SetProperty(c => c.DecidedById, c => decided ? deciderId : c.DecidedById)
                .SetProperty(c => c.DecidedByName, c => decided ? deciderName : c.DecidedByName)
                .SetProperty(c => c.ClaimedById, (string?)null)
                .SetProperty(c => c.ClaimedByName, (string?)null)
                .SetProperty(c => c.ClaimedUntil, (DateTime?)null)
                .SetProperty(c => c.Version, c => c.Version + 1), cancellationToken);
        if (closed != 1)
        {
            return new ChangeResult(ChangeOutcome.NotPending, "This change was decided already.", change.Id);
        }
        await RetireChannelItemsAsync(db, [change.Id], cancellationToken);
        if (also is not null)
        {
            await also();
        }
        audit.Record(db, actor, action, await TargetAsync(db, change, cancellationToken), reason);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return to == ChangeStatus.Rejected
            ? new ChangeResult(ChangeOutcome.Rejected, "Rejected; the member was told the reason.", change.Id)
            : new ChangeResult(ChangeOutcome.Cancelled, "The change is cancelled; nothing was changed.", change.Id);
    }

    private async Task<ChangeResult> CountWrongCodeAsync(PortalDbContext db, DeferredChange change, Actor actor, CancellationToken cancellationToken)
    {
        var now = Now;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.DeferredChanges.Where(c => c.Id == change.Id && c.Status == ChangeStatus.Pending)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Attempts, c => c.Attempts + 1).SetProperty(c => c.Version, c => c.Version + 1), cancellationToken);
        var killed = await db.DeferredChanges.Where(c => c.Id == change.Id && c.Status == ChangeStatus.Pending && c.Attempts >= c.MaxAttempts)
            .ExecuteUpdateAsync(s => s
                .SetProperty(c => c.Status, ChangeStatus.Failed)
                .SetProperty(c => c.StatusAt, now)
                .SetProperty(c => c.Reason, TooManyWrongCodes)
                .SetProperty(c => c.Version, c => c.Version + 1), cancellationToken);
        var attempts = await db.DeferredChanges.Where(c => c.Id == change.Id).Select(c => c.Attempts).FirstAsync(cancellationToken);
        if (killed == 1)
        {
            await RetireChannelItemsAsync(db, [change.Id], cancellationToken);
            audit.Record(db, actor, AuditActions.ChangeFailed, await TargetAsync(db, change, cancellationToken), TooManyWrongCodes);
        }
        var locked = await locks.CountWrongAsync(db, actor, change.Id, change.TargetId, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        var left = Math.Max(0, change.MaxAttempts - attempts);
        return locked ?? (killed == 1 || left == 0
            ? new ChangeResult(ChangeOutcome.CodeDead, "That code was wrong too often and no longer works. Ask for the change again.", change.Id, TriesLeft: 0)
            : new ChangeResult(ChangeOutcome.WrongCode, left == 1 ? "That code is not right. 1 try left." : $"That code is not right. {left} tries left.", change.Id, TriesLeft: left));
    }

    private const string TooManyWrongCodes = "Too many wrong codes.";

    /// <summary>Why a change cannot be confirmed now, or null; an expired one is marked Expired on the way.</summary>
    private ChangeResult? Problem(DeferredChange change)
    {
        if (change.Status == ChangeStatus.Failed && change.Reason == TooManyWrongCodes)
        {
            return new ChangeResult(ChangeOutcome.CodeDead, "That code was wrong too often and no longer works. Ask for the change again.", change.Id, TriesLeft: 0);
        }
        if (change.Status == ChangeStatus.Expired || (change.Status == ChangeStatus.Pending && Now > change.ExpiresAt))
        {
            return new ChangeResult(ChangeOutcome.Expired, "This change expired before it was confirmed. Ask for it again.", change.Id);
        }
        if (change.Status != ChangeStatus.Pending)
        {
            return new ChangeResult(ChangeOutcome.NotPending, change.Status switch
            {
                ChangeStatus.Applied => "This change is done already.",
                ChangeStatus.Cancelled when change.Reason == Replaced => "A newer request replaced this change: use the newest link or code.",
                ChangeStatus.Cancelled => "This change was cancelled.",
                ChangeStatus.Confirmed => "This change waits for a moderator.",
                ChangeStatus.Rejected => $"A moderator rejected this change: {change.Reason}",
                ChangeStatus.Reverted => "This change was undone from the old address.",
                _ => $"This change could not be applied: {change.Reason}",
            }, change.Id);
        }
        return null;
    }

    private ChangeResult? DecisionProblem(DeferredChange? change, Actor actor, int? version)
    {
        if (change is null || !(change.Status == ChangeStatus.Confirmed || (change.Status == ChangeStatus.Pending && change.Channel == ChangeChannel.Moderator)))
        {
            return new ChangeResult(ChangeOutcome.NotPending, "This change is not waiting for a moderator.", change?.Id);
        }
        if (change.RequestedById == actor.UserId || (change.TargetType == ChangeKind.UserTarget && change.TargetId == actor.UserId))
        {
            return new ChangeResult(ChangeOutcome.NotAllowed, "You cannot decide on your own change: another moderator must.", change.Id);
        }
        if (change.FirstApproverId is not null && change.FirstApproverId == actor.UserId)
        {
            return new ChangeResult(ChangeOutcome.NotAllowed, "You approved this already: a second, different moderator must approve.", change.Id);
        }
        if (change.ClaimedById is not null && change.ClaimedById != actor.UserId && change.ClaimedUntil > Now)
        {
            return new ChangeResult(ChangeOutcome.ClaimedByOther, $"{change.ClaimedByName} is looking at this change.", change.Id);
        }
        return version is { } v && v != change.Version ? VersionChanged(change.Id) : null;
    }

    private async Task<string> IssueSecretAsync(
        PortalDbContext db, ChangeKind kind, DeferredChange change, PortalUser user,
        IReadOnlyDictionary<string, string?> before, IReadOnlyDictionary<string, string?> proposed, bool isResend, CancellationToken cancellationToken)
    {
        string? secret = null;
        string? cancelToken = null;
        if (kind.Channel != ChangeChannel.Moderator)
        {
            secret = ConfirmationCodes.New(kind.Channel);
            change.SecretHash = ConfirmationCodes.Hash(kind.Channel, change.Id, secret);
        }
        if (kind.Channel == ChangeChannel.Link && !isResend)
        {
            (cancelToken, change.CancelHash) = Secrets.NewToken();
        }
        SendLimits.Record(db, change, Now);
        var profile = await db.MemberProfiles.AsNoTracking().FirstOrDefaultAsync(p => p.UserId == user.Id, cancellationToken);
        return await kind.NotifyAsync(new ChangeNotice(db, change, user, profile, before, proposed, secret, cancelToken, isResend), cancellationToken);
    }

    /// <summary>
    /// Letters not yet posted and transfers not yet sent carry a dead code: they go (posted and sent
    /// ones lost theirs then). Text messages stay in the outbox with the code blotted out; the
    /// caller saves.
    /// </summary>
    private static async Task RetireChannelItemsAsync(PortalDbContext db, IReadOnlyList<long> changeIds, CancellationToken cancellationToken)
    {
        if (changeIds.Count == 0)
        {
            return;
        }
        await db.Letters.Where(l => changeIds.Contains(l.ChangeId) && l.PostedAt == null).ExecuteDeleteAsync(cancellationToken);
        await db.BankTransfers.Where(t => changeIds.Contains(t.ChangeId) && t.SentAt == null).ExecuteDeleteAsync(cancellationToken);
        foreach (var message in await db.SmsMessages.Where(m => m.ChangeId != null && changeIds.Contains(m.ChangeId.Value)).ToListAsync(cancellationToken))
        {
            message.Body = ChannelQueues.HideCodes(message.Body);
        }
    }

    private async Task<DeferredChange?> FindByTokenAsync(PortalDbContext db, string token, bool cancel, CancellationToken cancellationToken)
    {
        if (!Secrets.IsWellFormed(token))
        {
            return null;
        }
        var hash = Secrets.Hash(token);
        return cancel
            ? await db.DeferredChanges.AsNoTracking().FirstOrDefaultAsync(c => c.CancelHash == hash, cancellationToken)
            : await db.DeferredChanges.AsNoTracking().FirstOrDefaultAsync(c => c.SecretHash == hash && c.Channel == ChangeChannel.Link, cancellationToken);
    }

    private async Task<OpenedChangeLink> OpenAsync(string token, bool cancel, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var change = await FindByTokenAsync(db, token, cancel, cancellationToken);
        if (change is null)
        {
            return new OpenedChangeLink(null, ChangeOutcome.NotFound, "This link is not known.");
        }
        var problem = Problem(change);
        return new OpenedChangeLink(Summary(change, now: null), problem?.Outcome, problem?.Message);
    }

    private async Task<bool> PasswordMatchesAsync(PortalUser user, string? password)
    {
        if (string.IsNullOrEmpty(password))
        {
            return false;
        }
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        return await users.CheckPasswordAsync(user, password);
    }

    private static IQueryable<DeferredChange> AwaitingModerator(IQueryable<DeferredChange> changes) =>
        changes.Where(c => c.Status == ChangeStatus.Confirmed || (c.Status == ChangeStatus.Pending && c.Channel == ChangeChannel.Moderator));

    private static readonly Dictionary<string, System.Linq.Expressions.Expression<Func<DeferredChange, object?>>> ReviewColumns = new()
    {
        [nameof(ReviewRow.CreatedAt)] = c => c.CreatedAt,
        [nameof(ReviewRow.Kind)] = c => c.Kind,
        [nameof(ReviewRow.RequestedByName)] = c => c.RequestedByName,
    };

    private static ReviewRow Row(DeferredChange c, IReadOnlyDictionary<string, string> titles) =>
        new(c.Id, c.Kind, titles.GetValueOrDefault(c.Kind, c.Kind), c.TargetId, c.RequestedByName, c.CreatedAt, c.Status, c.TargetChanged,
            c.ApprovalsGiven, c.ApprovalsNeeded, c.FirstApproverName, c.ClaimedByName, c.ClaimedUntil, c.Version);

    private ChangeSummary Summary(DeferredChange c, IReadOnlyDictionary<string, string?>? now)
    {
        var kind = _kinds.GetValueOrDefault(c.Kind);
        return new ChangeSummary(c.Id, c.Kind, kind?.Title ?? c.Kind, c.Status, c.Channel, c.Destination, c.CreatedAt, c.ExpiresAt, c.StatusAt, c.Reason,
            Math.Max(0, c.MaxAttempts - c.Attempts), kind is null ? [] : Diff(kind, c, now));
    }

    private static List<FieldDiff> Diff(ChangeKind kind, DeferredChange change, IReadOnlyDictionary<string, string?>? now)
    {
        var before = Deserialize(change.BeforeJson);
        var proposed = Deserialize(change.ProposedJson);
        return [.. kind.Fields.Select(f => new FieldDiff(f.Name, f.Label, before.GetValueOrDefault(f.Name), proposed.GetValueOrDefault(f.Name),
            now is null ? before.GetValueOrDefault(f.Name) : now.GetValueOrDefault(f.Name)))];
    }

    private static void RequireOwnerOrAdmin(Actor actor, string targetId)
    {
        if (!(actor.UserId is not null && actor.UserId == targetId) && !actor.IsInAnyRole(Roles.Admin))
        {
            throw new UnauthorizedAccessException($"{actor.Name} may only change their own details.");
        }
    }

    private static bool IsOwnedBy(DeferredChange change, Actor actor) =>
        actor.UserId is not null && (change.RequestedById == actor.UserId || (change.TargetType == ChangeKind.UserTarget && change.TargetId == actor.UserId));

    private static ChangeResult TooMany(DateTime next, DateTime now) =>
        new(ChangeOutcome.TooManyRequests,
            $"You asked for this too often. You can ask again at {next:HH:mm} UTC, in {Email.Mails.Duration.Describe(next - now)}.",
            RetryAfter: next - now);

    private static ChangeResult VersionChanged(long id) =>
        new(ChangeOutcome.VersionChanged, "This change was updated since you opened it. Look at it again before deciding.", id);

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    /// <summary>
    /// The change as the audit log names it: its kind and whose record, by the account's address as
    /// it is now (every kind changes an account), as entries about accounts name them.
    /// </summary>
    private Task<AuditTarget> TargetAsync(PortalDbContext db, DeferredChange change, CancellationToken cancellationToken) =>
        AuditTargetAsync(db, change, _kinds.TryGetValue(change.Kind, out var kind) ? kind.Title : change.Kind, cancellationToken);

    internal static async Task<AuditTarget> AuditTargetAsync(PortalDbContext db, DeferredChange change, string title, CancellationToken cancellationToken)
    {
        var owner = await db.Users.Where(u => u.Id == change.TargetId).Select(u => u.Email).FirstOrDefaultAsync(cancellationToken);
        return new(AuditTargetType, change.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), $"{title} of {owner ?? "a deleted account"}");
    }

    private static string Serialize(IReadOnlyDictionary<string, string?> values) => JsonSerializer.Serialize(values);

    /// <summary>
    /// Records the record's values moderators are shown now as a new version of the change, unless
    /// the change moved meanwhile; true when it was recorded.
    /// </summary>
    private static async Task<bool> ShowAgainAsync(PortalDbContext db, DeferredChange change, string seen, CancellationToken cancellationToken) =>
        await db.DeferredChanges.Where(c => c.Id == change.Id && c.Version == change.Version)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.SeenJson, seen).SetProperty(c => c.Version, c => c.Version + 1), cancellationToken) == 1;

    /// <summary>The kind's fields of a record, in the kind's order: equal text means equal values.</summary>
    private static string Snapshot(ChangeKind kind, IReadOnlyDictionary<string, string?> values) =>
        Serialize(kind.Fields.ToDictionary(f => f.Name, f => values.GetValueOrDefault(f.Name)));

    private static Dictionary<string, string?> Deserialize(string json) =>
        JsonSerializer.Deserialize<Dictionary<string, string?>>(json) ?? [];

    [LoggerMessage(Level = LogLevel.Information, Message = "Deferred change {ChangeId} ({Kind}) requested")]
    private partial void LogRequested(long changeId, string kind);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deferred change {ChangeId} ({Kind}): {Outcome}")]
    private partial void LogDecided(long changeId, string kind, ChangeOutcome outcome);
}
