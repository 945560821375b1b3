using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Email;
using Portal.Features.Audit;
using Portal.Features.OptOut;
using Portal.Features.Settings;
using Portal.Features.Users;
using Portal.Identity;
using Portal.Email.Mails.Registration;
using Portal.Localization;

namespace Portal.Features.Registration;

/// <summary>The public sign-up form.</summary>
public sealed class SignUpForm
{
    public string UserName { get; set; } = "";

    public string Email { get; set; } = "";

    public string Password { get; set; } = "";

    public string ConfirmPassword { get; set; } = "";

    public bool AcceptTerms { get; set; }
}

/// <summary>The "send me a new activation link" form.</summary>
public sealed class ResendForm
{
    public string Email { get; set; } = "";
}

public enum SignUpOutcome
{
    /// <summary>The form was valid; the person is told to check their inbox, whatever the address.</summary>
    Accepted,

    /// <summary>The form has errors, per field.</summary>
    Invalid,

    /// <summary>The registration mode does not allow sign-up.</summary>
    Closed,
}

public sealed record SignUpResult(SignUpOutcome Outcome, IReadOnlyDictionary<string, string> Errors);

/// <summary>Why an activation link cannot be used; each has its own page.</summary>
public enum ActivationProblem
{
    /// <summary>The text in the link is not a key at all (cut short when copied, say).</summary>
    Malformed,

    /// <summary>No such key (or its account was deleted).</summary>
    Invalid,

    /// <summary>A newer activation email replaced this one.</summary>
    Replaced,

    Expired,
    AlreadyActivated,

    /// <summary>An admin deactivated the account, or a moderator rejected it.</summary>
    AccountClosed,
}

/// <summary>
/// What the activation page shows: the account the link activates, or why it cannot; and, for an
/// account waiting for a moderator, since when.
/// </summary>
public sealed record ActivationView(string? UserName, ActivationProblem? Problem, DateTime? WaitingSince);

/// <summary>What pressing Activate did: the account and the outcome, or why nothing happened.</summary>
public sealed record ActivationResult(string? UserId, ActivationOutcome? Outcome, ActivationProblem? Problem, DateTime? WaitingSince);

/// <summary>
/// Self-registration: signing up, opening and using the activation link, and asking for a new one.
/// Nothing here tells a visitor whether an address has an account (SECURITY.md rule 10): the
/// answer to a valid form is the same for every address, and what differs goes by mail to the
/// address's owner.
/// </summary>
public sealed class Registrations(
    IDbContextFactory<PortalDbContext> dbFactory,
    IServiceScopeFactory scopes,
    ILookupNormalizer normalizer,
    SiteSettings settings,
    ActivationKeys keys,
    ActivationStep activationStep,
    OptOutList optOuts,
    Mailer mailer,
    AuditLog audit,
    IOptions<RegistrationOptions> options,
    IOptions<LanguageOptions> languages,
    IOptions<PortalOptions> portal,
    TimeProvider clock,
    ILogger<Registrations> logger)
{
    private static readonly StaticTexts Texts = new(typeof(Registrations));

    /// <summary>Whether the terms have to be accepted, and where they are.</summary>
    public string? TermsUrl => string.IsNullOrWhiteSpace(options.Value.TermsUrl) ? null : options.Value.TermsUrl;

    /// <summary>
    /// Signs a visitor up. A new address gets an account awaiting activation and an activation
    /// email. An address that has an account gets no new one: its owner is told by mail that
    /// someone tried (an account still awaiting activation gets a fresh activation link instead,
    /// which is what its owner most likely wants). An invited address gets nothing new, since its
    /// invitation email is the way in and a visitor must not reissue what an admin sent. An
    /// opted-out address gets nothing at all. Each branch hashes the password, so none answers
    /// noticeably faster.
    /// </summary>
    public async Task<SignUpResult> RegisterAsync(SignUpForm input, string? clientIp, CancellationToken cancellationToken = default)
    {
        if (!(await settings.RegistrationModeAsync(cancellationToken)).AllowsSignUp())
        {
            return new SignUpResult(SignUpOutcome.Closed, new Dictionary<string, string>());
        }
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);

        var errors = new Dictionary<string, string>();
        var userName = input.UserName.Trim();
        if (UserNameRules.Check(userName) is { } nameError)
        {
            errors[nameof(SignUpForm.UserName)] = nameError;
        }
        else if (await NameTakenAsync(db, userName, cancellationToken))
        {
            errors[nameof(SignUpForm.UserName)] = UserNameRules.Taken;
        }
        var check = EmailAddress.Check(input.Email);
        if (!check.IsValid)
        {
            errors[nameof(SignUpForm.Email)] = check.Error!;
        }
        var candidate = new PortalUser { UserName = userName, Email = check.Canonical ?? input.Email };
        await PasswordRules.CheckChoiceAsync(users, candidate, input.Password, input.ConfirmPassword, errors);
        if (TermsUrl is not null && !input.AcceptTerms)
        {
            errors[nameof(SignUpForm.AcceptTerms)] = Texts["AcceptTerms"];
        }
        if (errors.Count > 0)
        {
            return new SignUpResult(SignUpOutcome.Invalid, errors);
        }

        // Hashing takes a while: do it before the write transaction, and in every branch alike.
        var passwordHash = users.PasswordHasher.HashPassword(candidate, input.Password);
        var canonical = check.Canonical!;
        var now = clock.GetUtcNow().UtcDateTime;
        var normalizedEmail = normalizer.NormalizeEmail(canonical);
        var existing = await db.Users.FirstOrDefaultAsync(u => u.NormalizedEmail == normalizedEmail, cancellationToken);
        if (existing is not null)
        {
            await TellOwnerAsync(db, existing, now, cancellationToken);
        }
        else if (await optOuts.IsListedAsync(db, canonical, cancellationToken))
        {
            logger.LogInformation("Sign-up with an opted-out address from {ClientIp}: nothing sent", clientIp);
        }
        else if (!await CreateAsync(db, candidate, canonical, userName, passwordHash, clientIp, now, cancellationToken))
        {
            return new SignUpResult(SignUpOutcome.Invalid, new Dictionary<string, string> { [nameof(SignUpForm.UserName)] = UserNameRules.Taken });
        }
        return new SignUpResult(SignUpOutcome.Accepted, errors);
    }

    /// <summary>What the activation page shows for the key; changes nothing.</summary>
    public async Task<ActivationView> OpenActivationAsync(string key, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var (user, problem, waitingSince) = await FindAsync(db, key, cancellationToken);
        return new ActivationView(problem is null ? user!.UserName : null, problem, waitingSince);
    }

    /// <summary>
    /// Uses the key, once: the key is spent by one conditional update that only a live key of a
    /// live, still inactive account passes, so of two parallel presses exactly one wins and an
    /// account an admin deactivated is never activated by an old link. The activation step then
    /// decides what activation means.
    /// </summary>
    public async Task<ActivationResult> ActivateAsync(string key, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var (found, problem, waitingSince) = await FindAsync(db, key, cancellationToken);
        if (problem is not null)
        {
            return new ActivationResult(null, null, problem, waitingSince);
        }
        var hash = Secrets.Hash(key);
        var now = clock.GetUtcNow().UtcDateTime;
        ActivationOutcome outcome;
        SignUp? signUp;
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            var spent = await db.ActivationKeys
                .Where(k => k.KeyHash == hash && k.SpentAt == null && k.RevokedAt == null && k.ExpiresAt > now
                    && db.Users.Any(u => u.Id == k.UserId && u.DeactivatedAt == null && u.State == AccountState.AwaitingActivation))
                .ExecuteUpdateAsync(s => s.SetProperty(k => k.SpentAt, now), cancellationToken);
            if (spent != 1)
            {
                await transaction.RollbackAsync(cancellationToken);
                var (_, lost, since) = await FindAsync(db, key, cancellationToken);
                return new ActivationResult(null, null, lost ?? ActivationProblem.AlreadyActivated, since);
            }
            var user = await db.Users.FirstAsync(u => u.Id == found!.Id, cancellationToken);
            signUp = await LatestSignUpAsync(db, user.Id, cancellationToken);
            outcome = await activationStep.ApplyAsync(db, user, signUp, now, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        return new ActivationResult(found!.Id, outcome, null, outcome == ActivationOutcome.AwaitingApproval ? signUp?.CreatedAt ?? found.CreatedAt : null);
    }

    /// <summary>
    /// Sends a new activation link (revoking the old one) when the address has an account awaiting
    /// activation; otherwise does nothing, and the caller says the same thing either way. Returns
    /// why the text is not an address, or null.
    /// </summary>
    public async Task<string?> ResendAsync(string email, CancellationToken cancellationToken = default)
    {
        var check = EmailAddress.Check(email);
        if (!check.IsValid)
        {
            return check.Error;
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var normalizedEmail = normalizer.NormalizeEmail(check.Canonical);
        var user = await db.Users.FirstOrDefaultAsync(
            u => u.NormalizedEmail == normalizedEmail && u.State == AccountState.AwaitingActivation && u.DeactivatedAt == null, cancellationToken);
        if (user is not null)
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await ReissueAsync(db, user, clock.GetUtcNow().UtcDateTime, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        return null;
    }

    private async Task TellOwnerAsync(PortalDbContext db, PortalUser owner, DateTime now, CancellationToken cancellationToken)
    {
        if (owner.Status == AccountStatus.Invited)
        {
            return;
        }
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (owner.Status == AccountStatus.AwaitingActivation)
        {
            await ReissueAsync(db, owner, now, cancellationToken);
        }
        else
        {
            await mailer.QueueAsync(db, owner.Email!, new AlreadyRegisteredMail(
                owner.UserName!, owner.Email!, portal.Value.Link("Identity/Account/Login"), portal.Value.Link("Identity/Account/ForgotPassword")),
                language: owner.Language);
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private async Task ReissueAsync(PortalDbContext db, PortalUser user, DateTime now, CancellationToken cancellationToken)
    {
        await keys.IssueAsync(db, user, now, cancellationToken);
        if (await LatestSignUpAsync(db, user.Id, cancellationToken) is { } signUp)
        {
            signUp.Resends++;
        }
    }

    /// <summary>Creates the account, its application and its first key; false when another sign-up took the name meanwhile.</summary>
    private async Task<bool> CreateAsync(
        PortalDbContext db, PortalUser user, string canonical, string userName, string passwordHash, string? clientIp, DateTime now,
        CancellationToken cancellationToken)
    {
        user.Email = canonical;
        user.NormalizedEmail = normalizer.NormalizeEmail(canonical);
        user.NormalizedUserName = normalizer.NormalizeName(userName);
        user.PasswordHash = passwordHash;
        user.State = AccountState.AwaitingActivation;
        // The language the visitor signed up in is the one their mail, and their pages once signed in, are in.
        user.Language = languages.Value.Current;
        user.CreatedAt = now;
        user.SecurityStamp = Convert.ToHexString(RandomNumberGenerator.GetBytes(20));
        user.ConcurrencyStamp = Guid.NewGuid().ToString();
        user.LockoutEnabled = true;
        var signUp = new SignUp
        {
            UserId = user.Id,
            Email = canonical,
            Domain = EmailAddress.Domain(canonical),
            UserName = userName,
            Status = SignUpStatus.AwaitingActivation,
            CreatedAt = now,
        };
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        db.Users.Add(user);
        db.SignUps.Add(signUp);
        await keys.IssueAsync(db, user, now, cancellationToken);
        audit.Record(db, Actor.Self(user), AuditActions.RegistrationSignedUp,
            new AuditTarget(UserAdmin.AuditTargetType, user.Id, userName), $"signed up with an address at {signUp.Domain}");
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e))
        {
            // Another sign-up took the name, or the address, between the checks and now. The
            // address says nothing (same answer as for any address that has an account).
            await transaction.RollbackAsync(cancellationToken);
            db.ChangeTracker.Clear();
            return !await NameTakenAsync(db, userName, cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        logger.LogInformation("Sign-up {SignUpId} from {ClientIp}", signUp.Id, clientIp);
        return true;
    }

    private async Task<bool> NameTakenAsync(PortalDbContext db, string userName, CancellationToken cancellationToken)
    {
        var normalizedName = normalizer.NormalizeName(userName);
        return await db.Users.AnyAsync(u => u.NormalizedUserName == normalizedName, cancellationToken);
    }

    private static Task<SignUp?> LatestSignUpAsync(PortalDbContext db, string userId, CancellationToken cancellationToken) =>
        db.SignUps.Where(s => s.UserId == userId).OrderByDescending(s => s.Id).FirstOrDefaultAsync(cancellationToken);

    /// <summary>The key's account, or why the key cannot be used; and since when the account waits for approval.</summary>
    private async Task<(PortalUser? User, ActivationProblem? Problem, DateTime? WaitingSince)> FindAsync(
        PortalDbContext db, string key, CancellationToken cancellationToken)
    {
        if (!Secrets.IsWellFormed(key))
        {
            return (null, ActivationProblem.Malformed, null);
        }
        var hash = Secrets.Hash(key);
        var found = await db.ActivationKeys.AsNoTracking().Where(k => k.KeyHash == hash)
            .Join(db.Users, k => k.UserId, u => u.Id, (k, u) => new { Key = k, User = u })
            .FirstOrDefaultAsync(cancellationToken);
        if (found is null)
        {
            return (null, ActivationProblem.Invalid, null);
        }
        var (activationKey, user) = (found.Key, found.User);
        var problem = user.Status switch
        {
            AccountStatus.Deactivated => ActivationProblem.AccountClosed,
            AccountStatus.Active or AccountStatus.AwaitingApproval => ActivationProblem.AlreadyActivated,
            _ when activationKey.SpentAt is not null => ActivationProblem.AlreadyActivated,
            _ when activationKey.RevokedAt is not null => ActivationProblem.Replaced,
            _ when activationKey.ExpiresAt <= clock.GetUtcNow().UtcDateTime => ActivationProblem.Expired,
            AccountStatus.AwaitingActivation => (ActivationProblem?)null,
            _ => ActivationProblem.Invalid,
        };
        DateTime? waitingSince = user.Status == AccountStatus.AwaitingApproval
            ? (await LatestSignUpAsync(db, user.Id, cancellationToken))?.CreatedAt ?? user.CreatedAt
            : null;
        return (user, problem, waitingSince);
    }
}
