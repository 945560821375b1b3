using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Query;
using Portal.Data;
using Portal.Features.Audit;
using Portal.Features.Webhooks;
using Portal.Identity;
using Portal.Localization;

namespace Portal.Features.Confirmations;

/// <summary>
/// What members' requests (<see cref="ChangeRequests"/>) and moderators' decisions
/// (<see cref="ChangeModeration"/>) share: the declared kinds, the one way a change takes effect
/// (<see cref="ApplyAsync"/>), closing, cancelling and expiring changes, and how a change reads.
/// Every status move is a conditional update, so a change is decided at most once.
/// </summary>
public sealed partial class ChangeLifecycle(
    IDbContextFactory<PortalDbContext> dbFactory,
    IEnumerable<ChangeKind> kinds,
    AuditLog audit,
    WebhookEvents webhooks,
    TimeProvider clock,
    ILogger<ChangeLifecycle> logger)
{
    public const string AuditTargetType = "deferred-change";

    private static readonly StaticTexts Texts = new(typeof(ChangeLifecycle));

    private readonly Dictionary<string, ChangeKind> _kinds = kinds.ToDictionary(k => k.Name);

    /// <summary>The declared kinds, for pages and filters.</summary>
    public IReadOnlyCollection<ChangeKind> Kinds => _kinds.Values;

    public ChangeKind Kind(string name) =>
        _kinds.TryGetValue(name, out var kind) ? kind : throw new ArgumentException($"There is no change kind '{name}'.", nameof(name));

    /// <summary>The kind of a stored change, or null when the kind is no longer declared.</summary>
    public ChangeKind? KindOf(DeferredChange change) => _kinds.GetValueOrDefault(change.Kind);

    /// <summary>The kinds' titles by name, for rows.</summary>
    public IReadOnlyDictionary<string, string> Titles() => _kinds.ToDictionary(k => k.Key, k => k.Value.Title);

    public DateTime Now => clock.GetUtcNow().UtcDateTime;

    /// <summary>
    /// The one way a change takes effect. In one transaction: reads the change again, checks the
    /// record (gone: Failed; changed since: refused or handed to moderators, per kind), re-validates,
    /// moves the status by a conditional update (so only one caller ever wins), and applies.
    /// </summary>
    public async Task<ChangeResult> ApplyAsync(
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
                return change.Status == from ? VersionChanged(changeId) : DecidedAlready(changeId);
            }
            if (expectedSecret is not null && change.SecretHash != expectedSecret)
            {
                // A new code or link went out after this one was checked: only the newest confirms.
                return new ChangeResult(ChangeOutcome.NotPending, Texts["NewerSecret"], changeId);
            }
            var kind = Kind(change.Kind);
            var (deciderId, deciderName) = (actor.UserId, actor.Name);
            var current = await kind.ReadAsync(db, change.TargetId, cancellationToken);
            var before = Deserialize(change.BeforeJson);
            var proposed = Deserialize(change.ProposedJson);
            ChangeStatus to;
            // The reason is stored and audited as written; the failure is what the person is told.
            string? reason = null;
            string? failure = null;
            var flagChanged = false;
            if (current is not null && byModerator && change.TargetChanged && Snapshot(kind, current) is var seen && seen != change.SeenJson)
            {
                // The moderator decided on values the record no longer holds: show them the new ones.
                await ShowAgainAsync(db, change, seen, cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                return new ChangeResult(ChangeOutcome.VersionChanged, Texts["ChangedAgain"], changeId);
            }
            if (current is null)
            {
                (to, reason, failure) = (ChangeStatus.Failed, RecordedTexts.Record("RecordGone"), Texts["RecordGone"]);
            }
            else if (kind.Fields.Any(f => current.GetValueOrDefault(f.Name) != before.GetValueOrDefault(f.Name)) && !(byModerator && change.TargetChanged))
            {
                if (kind.RefusesChangedTarget)
                {
                    (to, reason, failure) = (ChangeStatus.Failed,
                        $"The {kind.RecordTitle.ToLowerInvariant()} changed after this request, so it was not applied. Ask for the change again.",
                        Texts.Format("ChangedAfterRequest", kind.Title, kind.Title.ToLowerInvariant()));
                }
                else
                {
                    // A moderator approving a change whose record moved since they looked gets to look again.
                    (to, reason, flagChanged) = (ChangeStatus.Confirmed, RecordedTexts.Record("RecordChanged"), true);
                }
            }
            else if (await kind.ValidateAsync(db, change.TargetId, proposed, cancellationToken) is { IsValid: false } validation)
            {
                (to, reason, failure) = (ChangeStatus.Failed, $"No longer valid: {string.Join(" ", validation.Errors.Values)}",
                    Texts.Format("NoLongerValid", string.Join(" ", validation.Errors.Values)));
            }
            else
            {
                to = ChangeStatus.Applied;
            }

            var addApproval = byModerator && to == ChangeStatus.Applied ? 1 : 0;
            var flaggedAt = flagChanged ? Snapshot(kind, current!) : null;
            var moved = await db.DeferredChanges.Where(c => c.Id == change.Id && c.Status == from && c.Version == change.Version)
                .ExecuteUpdateAsync(s => Unclaimed(MovedTo(s, to, now, reason))
                    .SetProperty(c => c.TargetChanged, c => c.TargetChanged || flagChanged)
                    .SetProperty(c => c.SeenJson, c => flagChanged ? flaggedAt : c.SeenJson)
                    .SetProperty(c => c.ApprovalsGiven, c => c.ApprovalsGiven + addApproval)
                    .SetProperty(c => c.DecidedById, c => byModerator ? deciderId : c.DecidedById)
                    .SetProperty(c => c.DecidedByName, c => byModerator ? deciderName : c.DecidedByName), cancellationToken);
            if (moved != 1)
            {
                await transaction.RollbackAsync(cancellationToken);
                return DecidedAlready(changeId);
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
            }, target, reason ?? kind.RecordTitle);
            if ((to, byModerator) switch
                {
                    (ChangeStatus.Applied or ChangeStatus.Confirmed, false) => WebhookEventTypes.ChangeConfirmed,
                    (ChangeStatus.Applied, true) => WebhookEventTypes.ChangeApproved,
                    _ => null,
                } is { } type)
            {
                await RaiseAsync(db, type, change, to, cancellationToken);
            }
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            result = to switch
            {
                ChangeStatus.Applied => new ChangeResult(ChangeOutcome.Applied, Texts.Format("Applied", kind.Yours), changeId),
                ChangeStatus.Confirmed => new ChangeResult(ChangeOutcome.AwaitingModerator, byModerator
                    ? Texts["ChangedForModerator"]
                    : Texts.Format("ChangedSinceAsked", string.Concat(kind.Yours[..1].ToUpper(CultureInfo.CurrentCulture), kind.Yours[1..])), changeId),
                _ => new ChangeResult(ChangeOutcome.Failed, failure!, changeId),
            };
        }
        LogDecided(change.Id, change.Kind, result.Outcome);
        return result;
    }

    /// <summary>
    /// Tells the webhooks what became of a change: which, of what kind, whose, and its status now;
    /// never the values, which may be an address or a bank account.
    /// </summary>
    private Task RaiseAsync(PortalDbContext db, string type, DeferredChange change, ChangeStatus status, CancellationToken cancellationToken) =>
        webhooks.RaiseAsync(db, type, new { ChangeId = change.Id, change.Kind, UserId = change.TargetId, Status = JsonNamingPolicy.SnakeCaseLower.ConvertName(status.ToString()) }, cancellationToken);

    /// <summary>Closes an open change (cancel, reject) by a conditional update, with an optional mail in the same transaction.</summary>
    public async Task<ChangeResult> CloseAsync(
        PortalDbContext db, DeferredChange change, Actor actor, ChangeStatus to, string reason, string action,
        CancellationToken cancellationToken, Func<Task>? also = null)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var decided = to == ChangeStatus.Rejected;
        var (deciderId, deciderName) = (actor.UserId, actor.Name);
        var closed = await db.DeferredChanges
            .Where(c => c.Id == change.Id && (c.Status == ChangeStatus.Pending || c.Status == ChangeStatus.Confirmed))
            .ExecuteUpdateAsync(s => Unclaimed(MovedTo(s, to, Now, reason))
                .SetProperty(c => c.DecidedById, c => decided ? deciderId : c.DecidedById)
                .SetProperty(c => c.DecidedByName, c => decided ? deciderName : c.DecidedByName), cancellationToken);
        if (closed != 1)
        {
            return DecidedAlready(change.Id);
        }
        await RetireChannelItemsAsync(db, [change.Id], cancellationToken);
        if (also is not null)
        {
            await also();
        }
        audit.Record(db, actor, action, await TargetAsync(db, change, cancellationToken), reason);
        if (decided)
        {
            await RaiseAsync(db, WebhookEventTypes.ChangeRejected, change, to, cancellationToken);
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return decided
            ? new ChangeResult(ChangeOutcome.Rejected, Texts["Rejected"], change.Id)
            : new ChangeResult(ChangeOutcome.Cancelled, Texts["Cancelled"], change.Id);
    }

    /// <summary>A password change revokes the account's outstanding links and codes: whoever asked for them may not be the owner.</summary>
    public async Task RevokeAfterPasswordChangeAsync(string userId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var ids = await RevokeSecretsAsync(db, userId, except: null, RecordedTexts.Record("PasswordChanged"), Now, cancellationToken);
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
        MoveAllAsync(db, db.DeferredChanges
            .Where(c => c.TargetType == ChangeKind.UserTarget && c.TargetId == userId && c.Id != except
                && c.Status == ChangeStatus.Pending && c.Channel != ChangeChannel.Moderator), ChangeStatus.Cancelled, reason, now, cancellationToken);

    /// <summary>Marks pending changes past their expiry as Expired; their secrets die. Returns how many.</summary>
    public async Task<int> ExpireAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var now = Now;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await SendLimits.PruneAsync(db, now, cancellationToken);
        var ids = await MoveAllAsync(db, db.DeferredChanges.Where(c => c.Status == ChangeStatus.Pending && c.ExpiresAt < now),
            ChangeStatus.Expired, RecordedTexts.Record("NotConfirmedInTime"), now, cancellationToken);
        if (ids.Count > 0)
        {
            audit.Record(db, Actor.System, AuditActions.ChangeExpired, null, $"{ids.Count} change(s): #{string.Join(", #", ids)}");
            await db.SaveChangesAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return ids.Count;
    }

    /// <summary>Moves the chosen changes to a final status; their secrets and channel items die with them. The caller saves.</summary>
    internal static async Task<IReadOnlyList<long>> MoveAllAsync(
        PortalDbContext db, IQueryable<DeferredChange> which, ChangeStatus to, string reason, DateTime now, CancellationToken cancellationToken)
    {
        var ids = await which.Select(c => c.Id).ToListAsync(cancellationToken);
        if (ids.Count > 0)
        {
            await db.DeferredChanges.Where(c => ids.Contains(c.Id)).ExecuteUpdateAsync(s => MovedTo(s, to, now, reason), cancellationToken);
            await RetireChannelItemsAsync(db, ids, cancellationToken);
        }
        return ids;
    }

    /// <summary>The setters of every status move: the status, when, why, and a new version.</summary>
    internal static UpdateSettersBuilder<DeferredChange> MovedTo(UpdateSettersBuilder<DeferredChange> s, ChangeStatus to, DateTime now, string? reason) =>
        s.SetProperty(c => c.Status, to)
            .SetProperty(c => c.StatusAt, now)
            .SetProperty(c => c.Reason, reason)
            .SetProperty(c => c.Version, c => c.Version + 1);

    /// <summary>The setters that release a moderator's claim, with every decision.</summary>
    internal static UpdateSettersBuilder<DeferredChange> Unclaimed(UpdateSettersBuilder<DeferredChange> s) =>
        s.SetProperty(c => c.ClaimedById, (string?)null)
            .SetProperty(c => c.ClaimedByName, (string?)null)
            .SetProperty(c => c.ClaimedUntil, (DateTime?)null);

    /// <summary>
    /// Letters not yet posted and transfers not yet sent carry a dead code: they go (posted and sent
    /// ones lost theirs then). Text messages stay in the outbox with the code blotted out; the
    /// caller saves.
    /// </summary>
    internal static async Task RetireChannelItemsAsync(PortalDbContext db, IReadOnlyList<long> changeIds, CancellationToken cancellationToken)
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

    /// <summary>A change as its requester sees it: status, expiry, reason, and the fields then, proposed and <paramref name="now"/>.</summary>
    public ChangeSummary Summary(DeferredChange c, IReadOnlyDictionary<string, string?>? now)
    {
        var kind = KindOf(c);
        return new ChangeSummary(c.Id, c.Kind, kind?.Title ?? c.Kind, c.Status, c.Channel, c.Destination, c.CreatedAt, c.ExpiresAt, c.StatusAt, c.Reason,
            Math.Max(0, c.MaxAttempts - c.Attempts), kind is null ? [] : Diff(kind, c, now));
    }

    public static List<FieldDiff> Diff(ChangeKind kind, DeferredChange change, IReadOnlyDictionary<string, string?>? now)
    {
        var before = Deserialize(change.BeforeJson);
        var proposed = Deserialize(change.ProposedJson);
        return [.. kind.Fields.Select(f => new FieldDiff(f.Name, f.Label, before.GetValueOrDefault(f.Name), proposed.GetValueOrDefault(f.Name),
            now is null ? before.GetValueOrDefault(f.Name) : now.GetValueOrDefault(f.Name)))];
    }

    /// <summary>Changes waiting for a moderator: confirmed ones, and those only a moderator confirms.</summary>
    public static IQueryable<DeferredChange> AwaitingModerator(IQueryable<DeferredChange> changes) =>
        changes.Where(c => c.Status == ChangeStatus.Confirmed || (c.Status == ChangeStatus.Pending && c.Channel == ChangeChannel.Moderator));

    public static ChangeResult VersionChanged(long id) =>
        new(ChangeOutcome.VersionChanged, Texts["VersionChanged"], id);

    private static ChangeResult DecidedAlready(long id) => new(ChangeOutcome.NotPending, Texts["DecidedAlready"], id);

    /// <summary>
    /// The change as the audit log names it: its kind and whose record, by the account's address as
    /// it is now (every kind changes an account), as entries about accounts name them.
    /// </summary>
    public Task<AuditTarget> TargetAsync(PortalDbContext db, DeferredChange change, CancellationToken cancellationToken) =>
        AuditTargetAsync(db, change, KindOf(change)?.RecordTitle ?? change.Kind, cancellationToken);

    internal static async Task<AuditTarget> AuditTargetAsync(PortalDbContext db, DeferredChange change, string title, CancellationToken cancellationToken)
    {
        var owner = await db.Users.Where(u => u.Id == change.TargetId).Select(u => u.Email).FirstOrDefaultAsync(cancellationToken);
        return new(AuditTargetType, change.Id.ToString(CultureInfo.InvariantCulture), $"{title} of {owner ?? "a deleted account"}");
    }

    /// <summary>
    /// Records the record's values moderators are shown now as a new version of the change, unless
    /// the change moved meanwhile; true when it was recorded.
    /// </summary>
    public static async Task<bool> ShowAgainAsync(PortalDbContext db, DeferredChange change, string seen, CancellationToken cancellationToken) =>
        await db.DeferredChanges.Where(c => c.Id == change.Id && c.Version == change.Version)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.SeenJson, seen).SetProperty(c => c.Version, c => c.Version + 1), cancellationToken) == 1;

    /// <summary>The kind's fields of a record, in the kind's order: equal text means equal values.</summary>
    public static string Snapshot(ChangeKind kind, IReadOnlyDictionary<string, string?> values) =>
        Serialize(kind.Fields.ToDictionary(f => f.Name, f => values.GetValueOrDefault(f.Name)));

    public static string Serialize(IReadOnlyDictionary<string, string?> values) => JsonSerializer.Serialize(values);

    public static Dictionary<string, string?> Deserialize(string json) =>
        JsonSerializer.Deserialize<Dictionary<string, string?>>(json) ?? [];

    [LoggerMessage(Level = LogLevel.Information, Message = "Deferred change {ChangeId} ({Kind}): {Outcome}")]
    private partial void LogDecided(long changeId, string kind, ChangeOutcome outcome);
}
