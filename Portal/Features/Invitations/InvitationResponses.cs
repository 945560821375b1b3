using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Email;
using Portal.Features.Audit;
using Portal.Features.OptOut;
using Portal.Features.Webhooks;
using Portal.Identity;
using Portal.Localization;

namespace Portal.Features.Invitations;

/// <summary>Why an invitation link cannot be used; each has its own page.</summary>
public enum InvitationProblem
{
    /// <summary>The text in the link is not a token at all (cut short when copied, say).</summary>
    Malformed,

    Unknown,

    /// <summary>A newer invitation email replaced this one.</summary>
    Replaced,

    Expired,
    Used,
    Revoked,
    OptedOut,
}

/// <summary>What the invitee sees of their invitation.</summary>
public sealed record InvitationView(long Id, string Email, string InviterName, string? Message, string? Role, DateTime ExpiresAt);

/// <summary>An opened link: the invitation, or the reason it cannot be used.</summary>
public sealed record OpenedInvitation(InvitationView? Invitation, InvitationProblem? Problem);

/// <summary>The invitee's registration form.</summary>
public sealed class InviteeForm
{
    public string UserName { get; set; } = "";

    public string Email { get; set; } = "";

    public string Password { get; set; } = "";

    public string ConfirmPassword { get; set; } = "";
}

/// <summary>The outcome of a registration: the new member, or what to fix, or why the link is dead.</summary>
public sealed record AcceptResult(string? UserId, InvitationProblem? Problem, IReadOnlyDictionary<string, string> Errors, string? PendingEmail)
{
    public bool Succeeded => UserId is not null;
}

/// <summary>
/// What invitees do with their link: open it (which changes nothing), register through it, or opt
/// out for good. The link's token is looked up by its hash and used once.
/// </summary>
public sealed class InvitationResponses(
    IDbContextFactory<PortalDbContext> dbFactory,
    IServiceScopeFactory scopes,
    ILookupNormalizer normalizer,
    OptOutList optOuts,
    AccountEmails accountEmails,
    AuditLog audit,
    IOptions<LanguageOptions> languages,
    WebhookEvents webhooks,
    TimeProvider clock)
{
    private static readonly StaticTexts Texts = new(typeof(InvitationResponses));

    public async Task<OpenedInvitation> OpenAsync(string token, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var (invitation, problem) = await FindAsync(db, token, cancellationToken);
        return invitation is null || problem is not null
            ? new OpenedInvitation(null, problem)
            : new OpenedInvitation(new InvitationView(invitation.Id, invitation.Email!, invitation.InviterName, invitation.Message, invitation.Role, invitation.ExpiresAt), null);
    }

    /// <summary>
    /// Registers the invitee: checks everything first, then in one transaction claims the invitation
    /// (only one claim of a link can ever succeed) and activates the account with the chosen name and
    /// password and the invited role. A changed address waits for its own confirmation link.
    /// </summary>
    public async Task<AcceptResult> AcceptAsync(string token, InviteeForm input, CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var (invitation, problem) = await FindAsync(db, token, cancellationToken);
        if (invitation is null || problem is not null)
        {
            return Failed(problem ?? InvitationProblem.Unknown);
        }
        var user = await db.Users.FirstAsync(u => u.Id == invitation.UserId, cancellationToken);

        var errors = new Dictionary<string, string>();
        var userName = input.UserName.Trim();
        var newEmail = await CheckAsync(db, users, user, userName, input, errors, cancellationToken);
        if (errors.Count > 0)
        {
            return new AcceptResult(null, null, errors, null);
        }

        // Hashing takes a while: do it before the write transaction, not inside it.
        var passwordHash = users.PasswordHasher.HashPassword(user, input.Password);
        var now = clock.GetUtcNow().UtcDateTime;
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            var claimed = await db.Invitations
                .Where(i => i.Id == invitation.Id && i.TokenHash == invitation.TokenHash && i.Status == InvitationStatus.Pending && i.ExpiresAt > now)
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.Status, InvitationStatus.Accepted).SetProperty(i => i.AcceptedAt, now), cancellationToken);
            if (claimed != 1)
            {
                await transaction.RollbackAsync(cancellationToken);
                db.ChangeTracker.Clear();
                return Failed((await FindAsync(db, token, cancellationToken)).Problem ?? InvitationProblem.Used);
            }

            user.UserName = userName;
            user.NormalizedUserName = normalizer.NormalizeName(userName);
            user.PasswordHash = passwordHash;
            user.State = AccountState.Active;
            user.ActivatedAt = now;
            user.EmailConfirmed = true;
            // The language the invitee read the invitation in: the invitation's, unless they switched.
            user.Language = languages.Value.Current ?? invitation.Language;
            user.SecurityStamp = Convert.ToHexString(RandomNumberGenerator.GetBytes(20));
            user.ConcurrencyStamp = Guid.NewGuid().ToString();
            if (invitation.Role is not null && !await db.UserRoles.AnyAsync(r => r.UserId == user.Id && r.RoleId == invitation.Role.ToLowerInvariant(), cancellationToken))
            {
                db.UserRoles.Add(new IdentityUserRole<string> { UserId = user.Id, RoleId = invitation.Role.ToLowerInvariant() });
            }
            if (newEmail is not null)
            {
                await accountEmails.QueueChangeConfirmationAsync(db, users, user, newEmail);
            }
            audit.Record(db, Actor.Self(user), AuditActions.InvitationAccepted, InvitationService.Target(invitation),
                newEmail is null ? $"registered as {userName}" : $"registered as {userName}; asked to change the address to {newEmail}");
            await webhooks.RaiseAsync(db, WebhookEventTypes.InvitationAccepted,
                new { InvitationId = invitation.Id, UserId = user.Id, UserName = userName, user.Email, invitation.Role }, cancellationToken);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e))
            {
                // Another registration took the name between the check and now.
                await transaction.RollbackAsync(cancellationToken);
                return new AcceptResult(null, null, new Dictionary<string, string> { [nameof(InviteeForm.UserName)] = UserNameRules.Taken }, null);
            }
            await transaction.CommitAsync(cancellationToken);
        }
        return new AcceptResult(user.Id, null, errors, newEmail);
    }

    /// <summary>
    /// Opts the invited address out for good: the keyed hash goes on the list, the never-used
    /// account is deleted, its entry on the suppression list too, and every trace of the address in
    /// invitations, queued mail and the audit log is blanked. Works again on a link already used for
    /// opting out (and says it is done).
    /// </summary>
    public async Task<InvitationProblem?> OptOutAsync(string token, OptOutSource source, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var (invitation, problem) = await FindAsync(db, token, cancellationToken);
        if (problem == InvitationProblem.OptedOut)
        {
            return null;
        }
        // Any invitation of the address will do (an expired, revoked or replaced one too), except
        // one that was used: that address belongs to a member now.
        if (invitation is null || problem is InvitationProblem.Used)
        {
            return problem ?? InvitationProblem.Unknown;
        }

        var address = invitation.Email!;
        var key = invitation.EmailKey!;
        var now = clock.GetUtcNow().UtcDateTime;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await optOuts.AddAsync(db, address, source, cancellationToken);

        var invitationIds = await db.Invitations.Where(i => i.EmailKey == key).Select(i => i.Id).ToListAsync(cancellationToken);
        var account = await db.Users.FirstOrDefaultAsync(u => u.Id == invitation.UserId, cancellationToken);
        if (account is { State: AccountState.Invited, ActivatedAt: null })
        {
            db.Users.Remove(account);
        }
        audit.Record(db, Actor.Visitor, AuditActions.OptOutRecorded,
            new AuditTarget(OptOutList.AuditTargetType, "", "(address removed)"),
            $"{(source == OptOutSource.OneClick ? "one-click unsubscribe" : "opt-out page")}; {invitationIds.Count} invitation(s) closed");
        // The address is erased everywhere: the event names the invitations only.
        await webhooks.RaiseAsync(db, WebhookEventTypes.InvitationOptedOut, new { InvitationIds = invitationIds }, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);

        await db.Invitations.Where(i => i.EmailKey == key && i.Status == InvitationStatus.Pending)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.Status, InvitationStatus.OptedOut).SetProperty(i => i.OptedOutAt, now), cancellationToken);
        // The address as it was written anywhere: each invitation and bulk row may spell it differently,
        // and the suppression list (and so its audit entries) keeps the match form.
        var spellings = new HashSet<string>(StringComparer.Ordinal) { address, key };
        spellings.UnionWith(await db.Invitations.Where(i => i.EmailKey == key && i.Email != null).Select(i => i.Email!).ToListAsync(cancellationToken));
        var rowIds = new List<long>();
        var domainSuffix = "@" + EmailAddress.Domain(key);
        await foreach (var row in db.BulkJobRows.AsNoTracking()
            .Where(r => r.Canonical != null && r.Canonical.EndsWith(domainSuffix))
            .Select(r => new { r.Id, r.Email, r.Canonical })
            .AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            if (EmailAddress.Key(row.Canonical!) == key)
            {
                rowIds.Add(row.Id);
                spellings.UnionWith([row.Email, row.Canonical!]);
            }
        }

        // Names and personal messages go too: they were written to this person.
        await db.Invitations.Where(i => i.EmailKey == key)
            .ExecuteUpdateAsync(s => s
                .SetProperty(i => i.Email, (string?)null).SetProperty(i => i.EmailKey, (string?)null)
                .SetProperty(i => i.Name, (string?)null).SetProperty(i => i.Message, (string?)null), cancellationToken);
        foreach (var chunk in rowIds.Chunk(1000))
        {
            await db.BulkJobRows.Where(r => chunk.Contains(r.Id))
                .ExecuteUpdateAsync(s => s
                    .SetProperty(r => r.Email, OptedOutPlaceholder).SetProperty(r => r.Canonical, (string?)null)
                    .SetProperty(r => r.Name, (string?)null).SetProperty(r => r.Message, (string?)null), cancellationToken);
        }
        await db.MailSuppressions.Where(s => s.Address == key).ExecuteDeleteAsync(cancellationToken);
        var recipients = spellings.ToList();
        await db.OutboxMessages.Where(m => recipients.Contains(m.Recipient) && m.Status == OutboxStatus.Queued)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, OutboxStatus.Cancelled).SetProperty(m => m.LastError, RecordedTexts.Record("RecipientOptedOut")), cancellationToken);
        await db.OutboxMessages.Where(m => recipients.Contains(m.Recipient))
            .ExecuteUpdateAsync(s => s
                .SetProperty(m => m.Recipient, OptedOutPlaceholder)
                .SetProperty(m => m.HtmlBody, "")
                .SetProperty(m => m.TextBody, "(removed: the recipient opted out)")
                .SetProperty(m => m.Headers, (string?)null), cancellationToken);
        var ids = invitationIds.Select(id => id.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        await db.AuditEntries.Where(e => (e.TargetType == InvitationService.AuditTargetType && ids.Contains(e.TargetId!)) || recipients.Contains(e.TargetName!))
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.TargetName, OptedOutPlaceholder), cancellationToken);
        foreach (var spelling in recipients)
        {
            await db.AuditEntries.Where(e => e.Details != null && e.Details.Contains(spelling))
                .ExecuteUpdateAsync(s => s.SetProperty(e => e.Details, e => e.Details!.Replace(spelling, OptedOutPlaceholder)), cancellationToken);
            // A mail server's reply to a bounce names the address too.
            await db.OutboxMessages.Where(m => m.LastError != null && m.LastError.Contains(spelling))
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.LastError, m => m.LastError!.Replace(spelling, OptedOutPlaceholder)), cancellationToken);
            // An answer the API keeps for a retry names it as JSON writes it: that promise ends, and a
            // retry is answered anew.
            var inJson = JsonEncodedText.Encode(spelling).ToString().ToLowerInvariant();
            var lower = spelling.ToLowerInvariant();
            await db.ApiIdempotencyKeys.Where(k => k.Body != null && (k.Body.ToLower().Contains(inJson) || k.Body.ToLower().Contains(lower)))
                .ExecuteDeleteAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return null;
    }

    /// <summary>What stands where an opted-out address was.</summary>
    public const string OptedOutPlaceholder = "(opted out)";

    private async Task<string?> CheckAsync(
        PortalDbContext db, UserManager<PortalUser> users, PortalUser user, string userName, InviteeForm input,
        Dictionary<string, string> errors, CancellationToken cancellationToken)
    {
        if (UserNameRules.Check(userName) is { } nameError)
        {
            errors[nameof(InviteeForm.UserName)] = nameError;
        }
        else
        {
            var normalizedName = normalizer.NormalizeName(userName);
            if (await db.Users.AnyAsync(u => u.NormalizedUserName == normalizedName && u.Id != user.Id, cancellationToken))
            {
                errors[nameof(InviteeForm.UserName)] = UserNameRules.Taken;
            }
        }

        await PasswordRules.CheckChoiceAsync(users, new PortalUser { UserName = userName, Email = user.Email }, input.Password, input.ConfirmPassword, errors);

        var check = EmailAddress.Check(input.Email);
        if (!check.IsValid)
        {
            errors[nameof(InviteeForm.Email)] = check.Error!;
            return null;
        }
        if (EmailAddress.Key(check.Canonical!) == EmailAddress.Key(user.Email!))
        {
            return null;
        }
        var normalized = normalizer.NormalizeEmail(check.Canonical);
        if (await db.Users.AnyAsync(u => u.NormalizedEmail == normalized, cancellationToken))
        {
            errors[nameof(InviteeForm.Email)] = Texts["EmailTaken"];
        }
        return check.Canonical;
    }

    /// <summary>The language of the invitation a link belongs to, a replaced link's too; null for a link that names none.</summary>
    public async Task<string?> LanguageAsync(string token, CancellationToken cancellationToken = default)
    {
        if (!Secrets.IsWellFormed(token))
        {
            return null;
        }
        var hash = Secrets.Hash(token);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Invitations.Where(i => i.TokenHash == hash).Select(i => i.Language)
            .Concat(db.RetiredInvitationTokens.Where(t => t.TokenHash == hash).Join(db.Invitations, t => t.InvitationId, i => i.Id, (t, i) => i.Language))
            .FirstOrDefaultAsync(cancellationToken);
    }

    private async Task<(Invitation? Invitation, InvitationProblem? Problem)> FindAsync(PortalDbContext db, string token, CancellationToken cancellationToken)
    {
        if (!Secrets.IsWellFormed(token))
        {
            return (null, InvitationProblem.Malformed);
        }
        var hash = Secrets.Hash(token);
        var invitation = await db.Invitations.AsNoTracking().FirstOrDefaultAsync(i => i.TokenHash == hash, cancellationToken);
        if (invitation is null)
        {
            var replaced = await db.RetiredInvitationTokens.Where(t => t.TokenHash == hash)
                .Join(db.Invitations, t => t.InvitationId, i => i.Id, (t, i) => i).AsNoTracking().FirstOrDefaultAsync(cancellationToken);
            var replacedProblem = replaced?.EffectiveStatus(clock.GetUtcNow().UtcDateTime) is InvitationStatus.Pending or InvitationStatus.Expired
                ? InvitationProblem.Replaced
                : ProblemOf(replaced);
            return (replaced, replaced is null ? InvitationProblem.Unknown : replacedProblem);
        }
        return (invitation, ProblemOf(invitation));
    }

    private InvitationProblem? ProblemOf(Invitation? invitation) => invitation?.EffectiveStatus(clock.GetUtcNow().UtcDateTime) switch
    {
        InvitationStatus.Pending => null,
        InvitationStatus.Accepted => InvitationProblem.Used,
        InvitationStatus.Expired => InvitationProblem.Expired,
        InvitationStatus.Revoked => InvitationProblem.Revoked,
        InvitationStatus.OptedOut => InvitationProblem.OptedOut,
        _ => InvitationProblem.Unknown,
    };

    private static AcceptResult Failed(InvitationProblem problem) => new(null, problem, new Dictionary<string, string>(), null);
}
