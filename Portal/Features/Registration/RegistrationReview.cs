using System.Globalization;
using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Email;
using Portal.Features.Audit;
using Portal.Features.Webhooks;
using Portal.Identity;
using Portal.Localization;
using Portal.Email.Mails.Registration;

namespace Portal.Features.Registration;

/// <summary>One sign-up as the moderators see it.</summary>
/// <param name="RejectedBefore">Other applications from the same address that were rejected.</param>
public sealed record SignUpRow(
    long Id, string Email, string UserName, string Domain, SignUpStatus Status, DateTime CreatedAt, DateTime? ConfirmedAt,
    DateTime? DecidedAt, string? DecidedByName, string? Reason, int RejectedBefore)
{
    public bool EmailConfirmed => ConfirmedAt is not null;
}

/// <summary>Filters of the approval queue; a null status lists every sign-up.</summary>
/// <param name="CreatedBefore">Only sign-ups made at or before this moment (the inbox's age filter).</param>
public sealed record SignUpQuery(SignUpStatus? Status = SignUpStatus.AwaitingApproval, string? Domain = null, string? Search = null, DateTime? CreatedBefore = null);

/// <summary>Why a sign-up was not decided, for callers that answer by it.</summary>
public enum SignUpSkip
{
    Gone,

    /// <summary>Four eyes: the moderator's own sign-up.</summary>
    OwnSignUp,

    /// <summary>Decided already, closed, or its address not confirmed yet.</summary>
    NotAwaitingApproval,

    /// <summary>The account is no longer waiting for approval (an admin changed it).</summary>
    NoAccountWaiting,

    /// <summary>The account changed while the decision was being taken.</summary>
    ChangedMeanwhile,
}

/// <summary>A sign-up that was asked for but not decided, and why: in words (<paramref name="Why"/>) and as its <paramref name="Cause"/>.</summary>
public sealed record SkippedSignUp(long Id, string? Email, string Why, SignUpSkip Cause);

/// <summary>How many of the asked sign-ups were decided, and the others with the reason.</summary>
public sealed record ReviewResult(int Decided, IReadOnlyList<SkippedSignUp> Skipped);

/// <summary>
/// The moderators' approval queue: sign-ups whose address is confirmed wait here until a moderator
/// approves (the account becomes active) or rejects them (the account goes, the application and the
/// reason stay). Each decision is taken once, however many moderators press at the same moment.
/// </summary>
public sealed class RegistrationReview(
    IDbContextFactory<PortalDbContext> dbFactory,
    Mailer mailer,
    AuditLog audit,
    IOptions<RegistrationOptions> options,
    IOptions<PortalOptions> portal,
    WebhookEvents webhooks,
    TimeProvider clock)
{
    public const string AuditTargetType = "sign-up";
    public const string SignInPath = "Identity/Account/Login";

    private static readonly StaticTexts Texts = new(typeof(RegistrationReview));

    private static readonly Dictionary<string, Expression<Func<SignUp, object?>>> Columns = new()
    {
        [nameof(SignUpRow.CreatedAt)] = s => s.CreatedAt,
        [nameof(SignUpRow.Email)] = s => s.Email,
        [nameof(SignUpRow.Domain)] = s => s.Domain,
        [nameof(SignUpRow.UserName)] = s => s.UserName,
        [nameof(SignUpRow.DecidedAt)] = s => s.DecidedAt,
    };

    /// <summary>Raised after decisions are committed, so open queues and badges can count again.</summary>
    public event Action? Decided;

    /// <summary>The reasons a moderator can pick when rejecting: the site's, else three general ones in the moderator's language.</summary>
    public IReadOnlyList<string> RejectionReasons =>
        options.Value.RejectionReasons is { Count: > 0 } configured ? configured : [Texts["RejectUnconfirmed"], Texts["RejectNotMember"], Texts["RejectAutomated"]];

    /// <summary>Why a rejection reason cannot be sent, or null when it can.</summary>
    public static string? CheckReason(string? reason) =>
        string.IsNullOrWhiteSpace(reason) ? Texts["ReasonMissing"]
        : reason.Trim().Length > RegistrationLimits.ReasonLength ? Texts.Format("ReasonTooLong", RegistrationLimits.ReasonLength)
        : null;

    public async Task<Page<SignUpRow>> ListAsync(Actor actor, SignUpQuery query, PageRequest page, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Moderation);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var signUps = db.SignUps.AsNoTracking();
        if (query.Status is { } status)
        {
            signUps = signUps.Where(s => s.Status == status);
        }
        if (!string.IsNullOrWhiteSpace(query.Domain))
        {
            var domain = EmailAddress.DomainKey(query.Domain);
            signUps = signUps.Where(s => s.Domain == domain);
        }
        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            var pattern = Like.Contains(query.Search);
            signUps = signUps.Where(s => EF.Functions.Like(s.Email.ToLower(), pattern, Like.Escape) || EF.Functions.Like(s.UserName.ToLower(), pattern, Like.Escape));
        }
        if (query.CreatedBefore is { } before)
        {
            signUps = signUps.Where(s => s.CreatedAt <= before);
        }
        var rejected = db.SignUps.Where(o => o.Status == SignUpStatus.Rejected);
        // The longest-waiting first: the queue is worked from its head.
        return await signUps.ToPageAsync(page, Columns, q => q.OrderBy(s => s.CreatedAt).ThenBy(s => s.Id),
            s => new SignUpRow(
                s.Id, s.Email, s.UserName, s.Domain, s.Status, s.CreatedAt, s.ConfirmedAt, s.DecidedAt, s.DecidedByName, s.Reason,
                rejected.Count(o => o.Id != s.Id && o.Email.ToLower() == s.Email.ToLower())),
            cancellationToken);
    }

    /// <summary>Sign-ups waiting for a moderator, for the review inbox's count.</summary>
    public async Task<int> CountAwaitingAsync(Actor actor, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Moderation);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.SignUps.CountAsync(s => s.Status == SignUpStatus.AwaitingApproval, cancellationToken);
    }

    /// <summary>
    /// Approves each sign-up still awaiting approval: the account becomes active, the applicant is
    /// told they can sign in, and the decision is audited.
    /// </summary>
    public async Task<ReviewResult> ApproveAsync(Actor actor, IReadOnlyCollection<long> ids, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Moderation);
        return await DecideAsync(actor, ids, SignUpStatus.Active, reason: null, cancellationToken);
    }

    /// <summary>
    /// Rejects each sign-up still awaiting approval: the never-active account is deleted, the
    /// application is kept with the reason, and the reason is mailed to the applicant.
    /// </summary>
    public async Task<ReviewResult> RejectAsync(Actor actor, IReadOnlyCollection<long> ids, string reason, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Moderation);
        if (CheckReason(reason) is { } problem)
        {
            throw new ArgumentException(problem, nameof(reason));
        }
        return await DecideAsync(actor, ids, SignUpStatus.Rejected, reason.Trim(), cancellationToken);
    }

    private async Task<ReviewResult> DecideAsync(
        Actor actor, IReadOnlyCollection<long> ids, SignUpStatus decision, string? reason, CancellationToken cancellationToken)
    {
        var asked = ids.Distinct().ToList();
        var skipped = new List<SkippedSignUp>();
        foreach (var id in asked)
        {
            if (await DecideOneAsync(actor, id, decision, reason, cancellationToken) is { } skip)
            {
                skipped.Add(skip);
            }
        }
        if (skipped.Count < asked.Count)
        {
            Decided?.Invoke();
        }
        return new ReviewResult(asked.Count - skipped.Count, skipped);
    }

    /// <summary>
    /// One decision in its own short transaction; null when it was taken. The conditional update
    /// that records it is the transaction's first write, so of two moderators deciding at once only
    /// one changes the row; the other finds it decided and is told by whom.
    /// </summary>
    private async Task<SkippedSignUp?> DecideOneAsync(Actor actor, long id, SignUpStatus decision, string? reason, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var signUp = await db.SignUps.FirstOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (signUp is null)
        {
            return new SkippedSignUp(id, null, Texts["Gone"], SignUpSkip.Gone);
        }
        if (signUp.UserId is not null && signUp.UserId == actor.UserId)
        {
            return Skip(signUp, Texts["OwnSignUp"], SignUpSkip.OwnSignUp);
        }
        if (signUp.Status != SignUpStatus.AwaitingApproval)
        {
            return AlreadyDecided(signUp);
        }
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == signUp.UserId, cancellationToken);
        if (user is not { State: AccountState.AwaitingApproval, ActivatedAt: null, DeactivatedAt: null })
        {
            return Skip(signUp, Texts["NoAccountWaiting"], SignUpSkip.NoAccountWaiting);
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var claimed = await db.SignUps.Where(s => s.Id == id && s.Status == SignUpStatus.AwaitingApproval)
            .DecideAsync(decision, actor, now, reason, cancellationToken);
        if (claimed != 1)
        {
            await transaction.RollbackAsync(cancellationToken);
            return AlreadyDecided(await db.SignUps.AsNoTracking().FirstAsync(s => s.Id == id, cancellationToken));
        }

        var target = new AuditTarget(AuditTargetType, id.ToString(CultureInfo.InvariantCulture), signUp.Email);
        if (decision == SignUpStatus.Active)
        {
            AccountActivation.Activate(user, signUp, now);
            await mailer.QueueAsync(db, user.Email!, new RegistrationDecisionMail(user.UserName!, true, null, portal.Value.Link(SignInPath)), language: user.Language);
            audit.Record(db, actor, AuditActions.RegistrationApproved, target, $"account {user.UserName} activated");
            await webhooks.RaiseAsync(db, WebhookEventTypes.RegistrationApproved,
                new { SignUpId = id, UserId = user.Id, user.UserName, user.Email }, cancellationToken);
        }
        else
        {
            // The account was never active: it goes; the application keeps who applied, and why not.
            db.Users.Remove(user);
            await mailer.QueueAsync(db, signUp.Email, new RegistrationDecisionMail(signUp.UserName, false, reason, portal.Value.Link(SignInPath)), language: user.Language);
            audit.Record(db, actor, AuditActions.RegistrationRejected, target, reason);
            await webhooks.RaiseAsync(db, WebhookEventTypes.RegistrationRejected,
                new { SignUpId = id, signUp.UserName, signUp.Email }, cancellationToken);
        }
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            // An admin changed or deleted the account since it was read.
            await transaction.RollbackAsync(cancellationToken);
            return Skip(signUp, Texts["ChangedMeanwhile"], SignUpSkip.ChangedMeanwhile);
        }
        await transaction.CommitAsync(cancellationToken);
        return null;
    }

    private static SkippedSignUp Skip(SignUp signUp, string why, SignUpSkip cause) => new(signUp.Id, signUp.Email, why, cause);

    private static SkippedSignUp AlreadyDecided(SignUp signUp) => Skip(signUp, signUp.Status switch
    {
        SignUpStatus.Active when signUp.DecidedByName is { } by => Texts.Format("ApprovedBy", by),
        SignUpStatus.Active => Texts["AlreadyActive"],
        SignUpStatus.Rejected => Texts.Format("RejectedBy", signUp.DecidedByName),
        SignUpStatus.AwaitingActivation => Texts["NotConfirmed"],
        var closed => Texts[$"Closed{closed}"],
    }, SignUpSkip.NotAwaitingApproval);
}
