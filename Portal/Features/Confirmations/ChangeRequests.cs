using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Features.Audit;
using Portal.Identity;
using Portal.Localization;

namespace Portal.Features.Confirmations;

/// <summary>
/// A member's side of edits that wait for a link, a code or a moderator: asking, confirming with
/// the link or code, resending, withdrawing, and the list of their own changes. A request validates
/// now and stores the values before and proposed; <see cref="ChangeLifecycle.ApplyAsync"/> applies
/// the confirmed change.
/// </summary>
public sealed partial class ChangeRequests(
    IDbContextFactory<PortalDbContext> dbFactory,
    IServiceScopeFactory scopes,
    ChangeLifecycle lifecycle,
    AuditLog audit,
    SendLimits limits,
    CodeEntryLocks locks,
    ILogger<ChangeRequests> logger)
{
    /// <summary>Where the link mailed to a new address points: GET shows the change, POST confirms it.</summary>
    public const string ConfirmLinkPath = "account/changes/confirm";

    /// <summary>Where the "this wasn't me" link to the old address points: GET shows, POST cancels.</summary>
    public const string CancelLinkPath = "account/changes/cancel";

    /// <summary>The member's own profile page, linked from the rejection mail.</summary>
    public const string ProfilePath = "account/profile";

    private static readonly StaticTexts Texts = new(typeof(ChangeRequests));

    // Stored reasons, in the records' language whoever acts; the second is also how a change is recognised.
    private static readonly string Replaced = RecordedTexts.Record("Replaced");
    private static readonly string TooManyWrongCodes = RecordedTexts.Record("TooManyWrongCodes");

    /// <summary>The kinds a member can ask to change.</summary>
    public IReadOnlyCollection<ChangeKind> Kinds => lifecycle.Kinds;

    /// <summary>The current values of a kind's fields for the member's own record (or any, for an admin); null when it is gone.</summary>
    public async Task<IReadOnlyDictionary<string, string?>?> CurrentAsync(Actor actor, string kind, string targetId, CancellationToken cancellationToken = default)
    {
        RequireOwnerOrAdmin(actor, targetId);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await lifecycle.Kind(kind).ReadAsync(db, targetId, cancellationToken);
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
        var changeKind = lifecycle.Kind(kind);
        RequireOwnerOrAdmin(actor, targetId);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == targetId, cancellationToken);
        var before = await changeKind.ReadAsync(db, targetId, cancellationToken);
        if (user is null || before is null)
        {
            return new ChangeResult(ChangeOutcome.NotFound, Texts["NoAccount"]);
        }
        if (changeKind.RequiresPassword && actor.UserId == targetId && !await PasswordMatchesAsync(user, currentPassword))
        {
            return new ChangeResult(ChangeOutcome.Invalid, Texts["CheckFields"],
                Errors: new Dictionary<string, string> { ["CurrentPassword"] = Texts["WrongPassword"] });
        }
        var validation = await changeKind.ValidateAsync(db, targetId, proposed, cancellationToken);
        if (!validation.IsValid)
        {
            return new ChangeResult(ChangeOutcome.Invalid, Texts["CheckFields"], Errors: validation.Errors);
        }
        if (changeKind.Fields.All(f => validation.Values.GetValueOrDefault(f.Name) == before.GetValueOrDefault(f.Name)))
        {
            return new ChangeResult(ChangeOutcome.Unchanged, Texts["Unchanged"]);
        }
        var now = lifecycle.Now;
        DeferredChange change;
        string message;
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            if (await limits.NextAllowedAsync(db, changeKind.Name, targetId, changeId: null, now, cancellationToken) is { } next)
            {
                return TooMany(next, now);
            }
            var replaced = await ChangeLifecycle.MoveAllAsync(db, db.DeferredChanges
                .Where(c => c.TargetType == changeKind.TargetType && c.TargetId == targetId && c.Kind == changeKind.Name
                    && (c.Status == ChangeStatus.Pending || c.Status == ChangeStatus.Confirmed)), ChangeStatus.Cancelled, Replaced, now, cancellationToken);

            change = new DeferredChange
            {
                Kind = changeKind.Name,
                TargetType = changeKind.TargetType,
                TargetId = targetId,
                ProposedJson = ChangeLifecycle.Serialize(validation.Values),
                BeforeJson = ChangeLifecycle.Serialize(before),
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
            audit.Record(db, actor, AuditActions.ChangeRequested, await lifecycle.TargetAsync(db, change, cancellationToken),
                replaced.Count > 0 ? $"{changeKind.RecordTitle}; replaces #{string.Join(", #", replaced)}" : changeKind.RecordTitle);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        LogRequested(change.Id, change.Kind);
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
            return new ChangeResult(ChangeOutcome.NotFound, Texts["NoCodeChange"]);
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
        return await lifecycle.ApplyAsync(db, change.Id, actor, ChangeStatus.Pending, expectedVersion: null, change.SecretHash, byModerator: false, cancellationToken);
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
            return new ChangeResult(ChangeOutcome.NotFound, Texts["LinkUnknownAskAgain"]);
        }
        if (Problem(change) is { } problem)
        {
            return problem;
        }
        var actor = new Actor(change.TargetId, change.RequestedByName, new HashSet<string>());
        return await lifecycle.ApplyAsync(db, change.Id, actor, ChangeStatus.Pending, expectedVersion: null, change.SecretHash, byModerator: false, cancellationToken);
    }

    /// <summary>"This wasn't me": the old address cancels a pending change with its own link.</summary>
    public async Task<ChangeResult> CancelByLinkAsync(string token, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var change = await FindByTokenAsync(db, token, cancel: true, cancellationToken);
        return change is null
            ? new ChangeResult(ChangeOutcome.NotFound, Texts["LinkUnknown"])
            : await lifecycle.CloseAsync(db, change, Actor.Visitor, ChangeStatus.Cancelled, RecordedTexts.Record("CancelledFromOldAddress"), AuditActions.ChangeCancelled, cancellationToken);
    }

    /// <summary>The requester (or an admin) withdraws a pending change; its secret dies.</summary>
    public async Task<ChangeResult> CancelAsync(Actor actor, long changeId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var change = await db.DeferredChanges.AsNoTracking().FirstOrDefaultAsync(c => c.Id == changeId, cancellationToken);
        if (change is null || !(IsOwnedBy(change, actor) || actor.IsInAnyRole(Roles.Admin)))
        {
            return new ChangeResult(ChangeOutcome.NotFound, Texts["NoSuchChange"]);
        }
        return await lifecycle.CloseAsync(db, change, actor, ChangeStatus.Cancelled, RecordedTexts.Record("Withdrawn"), AuditActions.ChangeCancelled, cancellationToken);
    }

    /// <summary>Sends a new secret for a pending change; the old one dies and the lifetime starts again. Rate limited with requests.</summary>
    public async Task<ChangeResult> ResendAsync(Actor actor, long changeId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var change = await db.DeferredChanges.FirstOrDefaultAsync(c => c.Id == changeId, cancellationToken);
        if (change is null || !IsOwnedBy(change, actor))
        {
            return new ChangeResult(ChangeOutcome.NotFound, Texts["NoSuchChange"]);
        }
        if (change.Channel == ChangeChannel.Moderator)
        {
            return new ChangeResult(ChangeOutcome.NotPending, Texts["ModeratorDecides"]);
        }
        if (Problem(change) is { } problem)
        {
            return problem;
        }
        var now = lifecycle.Now;
        var kind = lifecycle.Kind(change.Kind);
        var user = await db.Users.AsNoTracking().FirstAsync(u => u.Id == change.TargetId, cancellationToken);
        string message;
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            if (await limits.NextAllowedAsync(db, change.Kind, change.TargetId, change.Id, now, cancellationToken) is { } next)
            {
                return TooMany(next, now);
            }
            await ChangeLifecycle.RetireChannelItemsAsync(db, [change.Id], cancellationToken);
            change.Resends++;
            change.Attempts = 0;
            change.ExpiresAt = now + kind.Settings.Lifetime;
            change.Version++;
            message = await IssueSecretAsync(db, kind, change, user, ChangeLifecycle.Deserialize(change.BeforeJson),
                ChangeLifecycle.Deserialize(change.ProposedJson), isResend: true, cancellationToken);
            audit.Record(db, actor, AuditActions.ChangeResent, await lifecycle.TargetAsync(db, change, cancellationToken), kind.RecordTitle);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateConcurrencyException)
            {
                return new ChangeResult(ChangeOutcome.NotPending, Texts["DecidedMeanwhile"]);
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
        return [.. rows.Select(c => lifecycle.Summary(c, now: null))];
    }

    private async Task<ChangeResult> CountWrongCodeAsync(PortalDbContext db, DeferredChange change, Actor actor, CancellationToken cancellationToken)
    {
        var now = lifecycle.Now;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.DeferredChanges.Where(c => c.Id == change.Id && c.Status == ChangeStatus.Pending)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Attempts, c => c.Attempts + 1).SetProperty(c => c.Version, c => c.Version + 1), cancellationToken);
        var killed = await db.DeferredChanges.Where(c => c.Id == change.Id && c.Status == ChangeStatus.Pending && c.Attempts >= c.MaxAttempts)
            .ExecuteUpdateAsync(s => ChangeLifecycle.MovedTo(s, ChangeStatus.Failed, now, TooManyWrongCodes), cancellationToken);
        var attempts = await db.DeferredChanges.Where(c => c.Id == change.Id).Select(c => c.Attempts).FirstAsync(cancellationToken);
        if (killed == 1)
        {
            await ChangeLifecycle.RetireChannelItemsAsync(db, [change.Id], cancellationToken);
            audit.Record(db, actor, AuditActions.ChangeFailed, await lifecycle.TargetAsync(db, change, cancellationToken), TooManyWrongCodes);
        }
        var locked = await locks.CountWrongAsync(db, actor, change.Id, change.TargetId, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        var left = Math.Max(0, change.MaxAttempts - attempts);
        return locked ?? (killed == 1 || left == 0
            ? CodeDead(change.Id)
            : new ChangeResult(ChangeOutcome.WrongCode, left == 1 ? Texts["WrongCodeOne"] : Texts.Format("WrongCodeMany", left), change.Id, TriesLeft: left));
    }

    private static ChangeResult CodeDead(long id) =>
        new(ChangeOutcome.CodeDead, Texts["CodeDead"], id, TriesLeft: 0);

    /// <summary>Why a change cannot be confirmed now, or null.</summary>
    private ChangeResult? Problem(DeferredChange change)
    {
        if (change.Status == ChangeStatus.Failed && change.Reason == TooManyWrongCodes)
        {
            return CodeDead(change.Id);
        }
        if (change.Status == ChangeStatus.Expired || (change.Status == ChangeStatus.Pending && lifecycle.Now > change.ExpiresAt))
        {
            return new ChangeResult(ChangeOutcome.Expired, Texts["Expired"], change.Id);
        }
        if (change.Status != ChangeStatus.Pending)
        {
            return new ChangeResult(ChangeOutcome.NotPending, change.Status switch
            {
                ChangeStatus.Applied => Texts["Done"],
                ChangeStatus.Cancelled when change.Reason == Replaced => Texts["Replaced"],
                ChangeStatus.Cancelled => Texts["Cancelled"],
                ChangeStatus.Confirmed => Texts["WaitsForModerator"],
                ChangeStatus.Rejected => Texts.Format("RejectedBecause", change.Reason),
                ChangeStatus.Reverted => Texts["Reverted"],
                _ => Texts.Format("NotApplied", change.Reason),
            }, change.Id);
        }
        return null;
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
        SendLimits.Record(db, change, lifecycle.Now);
        var profile = await db.MemberProfiles.AsNoTracking().FirstOrDefaultAsync(p => p.UserId == user.Id, cancellationToken);
        return await kind.NotifyAsync(new ChangeNotice(db, change, user, profile, before, proposed, secret, cancelToken, isResend), cancellationToken);
    }

    private static async Task<DeferredChange?> FindByTokenAsync(PortalDbContext db, string token, bool cancel, CancellationToken cancellationToken)
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
            return new OpenedChangeLink(null, ChangeOutcome.NotFound, Texts["LinkUnknown"]);
        }
        var problem = Problem(change);
        return new OpenedChangeLink(lifecycle.Summary(change, now: null), problem?.Outcome, problem?.Message);
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
            Texts.Format("TooMany", next, Email.Mails.Duration.Describe(next - now)),
            RetryAfter: next - now);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deferred change {ChangeId} ({Kind}) requested")]
    private partial void LogRequested(long changeId, string kind);
}
