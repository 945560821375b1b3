using System.Globalization;
using System.Linq.Expressions;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Features.Audit;
using Portal.Features.OptOut;
using Portal.Features.Outbox;
using Portal.Identity;
using Portal.Localization;

namespace Portal.Features.Invitations;

/// <summary>
/// What an inviter may choose per invitation; anything left null takes the default. <paramref name="Language"/>
/// is the invitee's ("de"): the mail, the invitation's pages and the new member's preference are in it.
/// <paramref name="Name"/> is the invitee's name, as the inviter knows it.
/// </summary>
public sealed record InviteOptions(string? Role = null, string? Message = null, int? ExpiryDays = null, string? Language = null, string? Name = null);

/// <summary>Which of the options cannot be used (its property's name), and why.</summary>
public sealed record InviteOptionProblem(string Field, string Error);

/// <summary>
/// The outcome for one address. Deconstructs like django-inviter's <c>(user, sent)</c>: the account's id
/// (null when nothing was, or could be, invited) and whether an invitation went out.
/// </summary>
public sealed record InviteResult(string Address, InviteOutcome Outcome, string? UserId = null, long? InvitationId = null, string? Error = null)
{
    public bool Sent => Outcome is InviteOutcome.Sent or InviteOutcome.Resent;

    public string Description => Error ?? InviteRules.Describe(Outcome);

    public void Deconstruct(out string? userId, out bool sent)
    {
        userId = UserId;
        sent = Sent;
    }
}

public sealed record InvitationRow(
    long Id, string? Email, InvitationStatus Status, string InviterName, string? Role, DateTime CreatedAt,
    DateTime LastSentAt, int SendCount, DateTime ExpiresAt, DateTime? AcceptedAt, bool HasMessage);

public sealed record InvitationQuery(InvitationStatus? Status = null, string? Search = null, string? Inviter = null, DateTime? From = null, DateTime? To = null);

public sealed record InvitationCounts(int Pending, int Accepted, int Expired, int Revoked, int OptedOut)
{
    public int Total => Pending + Accepted + Expired + Revoked + OptedOut;
}

/// <summary>
/// What the database says about an address: its account, that account's live invitation, the opt-out
/// list, and the suppression list (its bounce, when it is on it).
/// </summary>
public sealed record AddressState(PortalUser? Account, Invitation? Live, bool OptedOut, Bounce? Bounce)
{
    public InviteFacts Facts => new(OptedOut, Bounce is not null, Account?.State, Account?.DeactivatedAt is not null, Live is not null);
}

/// <summary>
/// Inviting people: the invite operation (one address, or many from the dialog), resend and
/// revoke, and the admin's lists and counts.
/// </summary>
public sealed class InvitationService(
    IDbContextFactory<PortalDbContext> dbFactory,
    IInvitationSender sender,
    OptOutList optOuts,
    ILookupNormalizer normalizer,
    AuditLog audit,
    IOptions<InvitationOptions> options,
    IOptions<PortalOptions> portal,
    IOptions<LanguageOptions> languages,
    TimeProvider clock)
{
    public const string AuditTargetType = "invitation";

    private static readonly StaticTexts Texts = new(typeof(InvitationService));

    private static readonly Dictionary<string, Expression<Func<Invitation, object?>>> Columns = new()
    {
        [nameof(InvitationRow.Email)] = i => i.EmailKey,
        [nameof(InvitationRow.InviterName)] = i => i.InviterName,
        [nameof(InvitationRow.CreatedAt)] = i => i.CreatedAt,
        [nameof(InvitationRow.LastSentAt)] = i => i.LastSentAt,
        [nameof(InvitationRow.ExpiresAt)] = i => i.ExpiresAt,
        [nameof(InvitationRow.AcceptedAt)] = i => i.AcceptedAt,
        [nameof(InvitationRow.SendCount)] = i => i.SendCount,
        [nameof(InvitationRow.Status)] = i => i.Status,
    };

    /// <summary>
    /// Invites one address, by django-inviter's contract. Opted out: nothing. Bounced: nothing, and the error
    /// says when and what the server replied. No account: an invited account
    /// without a usable password, and an invitation. Invited, not registered: a new link when
    /// <paramref name="resend"/>, else nothing. A member: nothing.
    /// </summary>
    public async Task<InviteResult> InviteAsync(
        string address, Actor inviter, bool resend = true, InviteOptions? choices = null, CancellationToken cancellationToken = default)
    {
        inviter.Require(Roles.Admin);
        choices ??= new InviteOptions();
        var check = EmailAddress.Check(address);
        if (!check.IsValid)
        {
            return new InviteResult(address, InviteOutcome.Invalid, Error: check.Error);
        }
        var optionError = CheckOptions(choices);
        if (optionError is not null)
        {
            return new InviteResult(address, InviteOutcome.Invalid, Error: optionError);
        }

        try
        {
            return await InviteCanonicalAsync(check.Canonical!, inviter, resend, choices, cancellationToken);
        }
        catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e))
        {
            // Someone invited or registered the same address at the same moment: decide again on what is stored now.
            return await InviteCanonicalAsync(check.Canonical!, inviter, resend, choices, cancellationToken);
        }
    }

    /// <summary>Invites each address in turn (the invite dialog); duplicates in the list are reported once each.</summary>
    public async Task<IReadOnlyList<InviteResult>> InviteManyAsync(
        IEnumerable<string> addresses, Actor inviter, bool resend, InviteOptions choices, CancellationToken cancellationToken = default)
    {
        var results = new List<InviteResult>();
        var seen = new HashSet<string>();
        foreach (var address in addresses.Select(a => a.Trim()).Where(a => a.Length > 0))
        {
            var canonical = EmailAddress.Canonicalize(address);
            if (canonical is not null && !seen.Add(EmailAddress.Key(canonical)))
            {
                results.Add(new InviteResult(address, InviteOutcome.Duplicate));
                continue;
            }
            results.Add(await InviteAsync(address, inviter, resend, choices, cancellationToken));
        }
        return results;
    }

    /// <summary>Splits pasted text into addresses: one per line, or separated by commas or semicolons.</summary>
    public static IReadOnlyList<string> SplitAddresses(string text) =>
        [.. text.Split(['\n', '\r', ',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    private async Task<InviteResult> InviteCanonicalAsync(
        string canonical, Actor inviter, bool resend, InviteOptions choices, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var state = (await LoadStatesAsync(db, [canonical], now, cancellationToken))[canonical];
        var (outcome, action) = InviteRules.Decide(state.Facts, resend);
        if (action == InviteAction.Nothing)
        {
            return new InviteResult(canonical, outcome, outcome == InviteOutcome.OptedOut ? null : state.Account?.Id, state.Live?.Id,
                outcome == InviteOutcome.Suppressed ? state.Bounce!.Explanation : null);
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var letter = Apply(db, canonical, state, action, inviter, choices, choices.Name, bulkJobId: null, now);
        await sender.SendAsync(db, [letter], cancellationToken);
        var invitation = letter.Invitation;
        // The audit entry names the invitation, which has its id once saved; both commit together.
        await db.SaveChangesAsync(cancellationToken);
        audit.Record(db, inviter, outcome == InviteOutcome.Resent ? AuditActions.InvitationResent : AuditActions.InvitationSent, Target(invitation), Details(invitation));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new InviteResult(canonical, outcome, invitation.UserId, invitation.Id);
    }

    /// <summary>
    /// What the rules need to know about each address, for many addresses in four queries: the
    /// account that has it, that account's live invitation, whether it opted out, and whether its mail
    /// bounced. Entities come back tracked by <paramref name="db"/> unless it does not track.
    /// </summary>
    public async Task<Dictionary<string, AddressState>> LoadStatesAsync(
        PortalDbContext db, IReadOnlyCollection<string> canonicals, DateTime now, CancellationToken cancellationToken)
    {
        var normalized = canonicals.Select(c => normalizer.NormalizeEmail(c)!).Distinct().ToList();
        var accounts = (await db.Users.Where(u => normalized.Contains(u.NormalizedEmail!)).ToListAsync(cancellationToken))
            .ToDictionary(u => u.NormalizedEmail!);
        var accountIds = accounts.Values.Select(a => a.Id).ToList();
        var live = (await db.Invitations
                .Where(i => accountIds.Contains(i.UserId!) && i.Status == InvitationStatus.Pending && i.ExpiresAt > now)
                .ToListAsync(cancellationToken))
            .GroupBy(i => i.UserId!)
            .ToDictionary(g => g.Key, g => g.MaxBy(i => i.Id)!);
        var listed = await optOuts.ListedAsync(db, canonicals, cancellationToken);
        var bounces = await SuppressionList.BouncesAsync(db, canonicals, cancellationToken);

        var states = new Dictionary<string, AddressState>();
        foreach (var canonical in canonicals)
        {
            var account = accounts.GetValueOrDefault(normalizer.NormalizeEmail(canonical)!);
            var key = EmailAddress.Key(canonical);
            states[canonical] = new AddressState(
                account, account is null ? null : live.GetValueOrDefault(account.Id), listed.Contains(key), bounces.GetValueOrDefault(key));
        }
        return states;
    }

    /// <summary>
    /// Carries out what the rules decided for one address, in the caller's context: the invited
    /// account and the invitation (or its new link) are added, nothing is saved. The letter returned
    /// is for <see cref="IInvitationSender"/>, in the same transaction.
    /// </summary>
    public InvitationLetter Apply(
        PortalDbContext db, string canonical, AddressState state, InviteAction action, Actor inviter, InviteOptions choices,
        string? name, long? bulkJobId, DateTime now)
    {
        var account = state.Account;
        if (action == InviteAction.CreateAccount)
        {
            account = NewInvitedAccount(canonical, now);
            db.Users.Add(account);
        }
        var (token, hash) = Secrets.NewToken();
        Invitation invitation;
        if (action == InviteAction.Resend)
        {
            invitation = state.Live!;
            db.RetiredInvitationTokens.Add(new RetiredInvitationToken { TokenHash = invitation.TokenHash, InvitationId = invitation.Id, RetiredAt = now });
            invitation.TokenHash = hash;
            invitation.SendCount++;
            invitation.LastSentAt = now;
            invitation.ExpiresAt = now.AddDays(choices.ExpiryDays ?? options.Value.ExpiryDays);
            invitation.Role = choices.Role ?? invitation.Role;
            invitation.Message = choices.Message ?? invitation.Message;
            invitation.Name = name ?? invitation.Name;
            invitation.Language = languages.Value.Find(choices.Language)?.Name ?? invitation.Language;
        }
        else
        {
            invitation = new Invitation
            {
                Email = canonical,
                EmailKey = EmailAddress.Key(canonical),
                Name = string.IsNullOrWhiteSpace(name) ? null : name.Trim(),
                User = account,
                UserId = account!.Id,
                InviterId = inviter.UserId,
                InviterName = inviter.Name,
                Role = choices.Role,
                Message = string.IsNullOrWhiteSpace(choices.Message) ? null : choices.Message.Trim(),
                Language = LanguageOf(choices.Language),
                TokenHash = hash,
                Status = InvitationStatus.Pending,
                CreatedAt = now,
                LastSentAt = now,
                SendCount = 1,
                ExpiresAt = now.AddDays(choices.ExpiryDays ?? options.Value.ExpiryDays),
                BulkJobId = bulkJobId,
            };
            db.Invitations.Add(invitation);
        }
        return Letter(invitation, token);
    }

    /// <summary>Sends an invitation again (a new link, or a new invitation when it expired or was revoked).</summary>
    public async Task<InviteResult?> ResendAsync(Actor actor, long id, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Admin);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var invitation = await db.Invitations.AsNoTracking().FirstOrDefaultAsync(i => i.Id == id, cancellationToken);
        if (invitation?.Email is null || invitation.Status is InvitationStatus.Accepted or InvitationStatus.OptedOut)
        {
            return null;
        }
        return await InviteAsync(invitation.Email, actor, resend: true, new InviteOptions(invitation.Role, invitation.Message, Language: invitation.Language), cancellationToken);
    }

    /// <summary>Withdraws a pending invitation: its link stops working; the record stays.</summary>
    public async Task<bool> RevokeAsync(Actor actor, long id, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Admin);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var invitation = await db.Invitations.FirstOrDefaultAsync(i => i.Id == id && i.Status == InvitationStatus.Pending, cancellationToken);
        if (invitation is null)
        {
            return false;
        }
        invitation.Status = InvitationStatus.Revoked;
        invitation.RevokedAt = clock.GetUtcNow().UtcDateTime;
        invitation.RevokedBy = actor.Name;
        audit.Record(db, actor, AuditActions.InvitationRevoked, Target(invitation));
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    public async Task<Page<InvitationRow>> SearchAsync(Actor actor, InvitationQuery query, PageRequest page, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Admin);
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var invitations = WithStatus(db.Invitations.AsNoTracking(), query.Status, now);
        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            var pattern = Like.Contains(query.Search);
            invitations = invitations.Where(i => EF.Functions.Like(i.EmailKey!, pattern, Like.Escape));
        }
        if (!string.IsNullOrWhiteSpace(query.Inviter))
        {
            var pattern = Like.Contains(query.Inviter);
            invitations = invitations.Where(i => EF.Functions.Like(i.InviterName.ToLower(), pattern, Like.Escape));
        }
        if (query.From is { } from)
        {
            invitations = invitations.Where(i => i.LastSentAt >= from);
        }
        if (query.To is { } to)
        {
            invitations = invitations.Where(i => i.LastSentAt < to);
        }
        var rows = await invitations.ToPageAsync(page, Columns, q => q.OrderByDescending(i => i.LastSentAt).ThenByDescending(i => i.Id), RowOf, cancellationToken);
        return rows with { Items = [.. rows.Items.Select(r => AsSeen(r, now))] };
    }

    /// <summary>One invitation as the list shows it; null when there is none with that id.</summary>
    public async Task<InvitationRow?> FindAsync(Actor actor, long id, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Admin);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var row = await db.Invitations.AsNoTracking().Where(i => i.Id == id).Select(RowOf).FirstOrDefaultAsync(cancellationToken);
        return row is null ? null : AsSeen(row, clock.GetUtcNow().UtcDateTime);
    }

    private static readonly Expression<Func<Invitation, InvitationRow>> RowOf = i =>
        new InvitationRow(i.Id, i.Email, i.Status, i.InviterName, i.Role, i.CreatedAt, i.LastSentAt, i.SendCount, i.ExpiresAt, i.AcceptedAt, i.Message != null);

    /// <summary>Expiry is a matter of time, not of a job: a pending invitation past its date reads as expired.</summary>
    private static InvitationRow AsSeen(InvitationRow row, DateTime now) =>
        row.Status == InvitationStatus.Pending && row.ExpiresAt <= now ? row with { Status = InvitationStatus.Expired } : row;

    public async Task<InvitationCounts> CountsAsync(Actor actor, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Admin);
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var groups = await db.Invitations
            .GroupBy(i => new { i.Status, Expired = i.Status == InvitationStatus.Pending && i.ExpiresAt <= now })
            .Select(g => new { g.Key.Status, g.Key.Expired, Count = g.Count() })
            .ToListAsync(cancellationToken);
        int Count(InvitationStatus status) => groups.Where(g => g.Status == status && !g.Expired).Sum(g => g.Count);
        return new InvitationCounts(
            Count(InvitationStatus.Pending), Count(InvitationStatus.Accepted), groups.Where(g => g.Expired).Sum(g => g.Count),
            Count(InvitationStatus.Revoked), Count(InvitationStatus.OptedOut));
    }

    /// <summary>Filters by the status an admin sees, in which a pending invitation past its date is expired.</summary>
    public static IQueryable<Invitation> WithStatus(IQueryable<Invitation> invitations, InvitationStatus? status, DateTime now) => status switch
    {
        null => invitations,
        InvitationStatus.Pending => invitations.Where(i => i.Status == InvitationStatus.Pending && i.ExpiresAt > now),
        InvitationStatus.Expired => invitations.Where(i => i.Status == InvitationStatus.Pending && i.ExpiresAt <= now),
        var stored => invitations.Where(i => i.Status == stored),
    };

    public static AuditTarget Target(Invitation invitation) =>
        new(AuditTargetType, invitation.Id.ToString(CultureInfo.InvariantCulture), invitation.Email);

    private static string Details(Invitation invitation) =>
        $"expires {invitation.ExpiresAt:yyyy-MM-dd}" + (invitation.Role is null ? "" : $", role {invitation.Role}")
        + (invitation.SendCount > 1 ? $", sent {invitation.SendCount} times" : "");

    private InvitationLetter Letter(Invitation invitation, string token) => new(
        invitation,
        portal.Value.Link($"invite/{token}"),
        portal.Value.Link($"invite/{token}/opt-out"),
        portal.Value.Link($"invite/{token}/one-click"));

    private PortalUser NewInvitedAccount(string canonical, DateTime now) => new()
    {
        // The address stands in for the user name until the invitee chooses one; chosen names
        // cannot contain "@", so the two never collide.
        UserName = canonical,
        NormalizedUserName = normalizer.NormalizeName(canonical),
        Email = canonical,
        NormalizedEmail = normalizer.NormalizeEmail(canonical),
        State = AccountState.Invited,
        CreatedAt = now,
        SecurityStamp = Convert.ToHexString(RandomNumberGenerator.GetBytes(20)),
        ConcurrencyStamp = Guid.NewGuid().ToString(),
        LockoutEnabled = true,
    };

    /// <summary>The offered language <paramref name="code"/> names, as stored ("de" for "DE" or "de-AT"); the site's when it names none.</summary>
    public string LanguageOf(string? code) => languages.Value.CultureOf(code).Name;

    /// <summary>Why the options cannot be used, or null when they can.</summary>
    public string? CheckOptions(InviteOptions choices) => FindOptionProblem(choices)?.Error;

    /// <summary>The first option that cannot be used, and why; null when all can.</summary>
    public InviteOptionProblem? FindOptionProblem(InviteOptions choices)
    {
        if (choices.Language is not null && languages.Value.Find(choices.Language) is null)
        {
            return new(nameof(InviteOptions.Language),
                Texts.Format("NoSuchLanguage", choices.Language, string.Join(", ", languages.Value.Cultures.Select(c => c.Name))));
        }
        if (choices.Role is not null && !Roles.All.Contains(choices.Role))
        {
            return new(nameof(InviteOptions.Role), Texts.Format("NoSuchRole", choices.Role));
        }
        if (choices.Message?.Length > InvitationLimits.MessageLength)
        {
            return new(nameof(InviteOptions.Message), Texts.Format("MessageTooLong", InvitationLimits.MessageLength));
        }
        if (choices.ExpiryDays is < 1 or > 365)
        {
            return new(nameof(InviteOptions.ExpiryDays), Texts["Lifetime"]);
        }
        if (choices.Name?.Length > BulkLimits.FieldLength)
        {
            return new(nameof(InviteOptions.Name), Texts.Format("NameTooLong", BulkLimits.FieldLength));
        }
        return null;
    }
}
