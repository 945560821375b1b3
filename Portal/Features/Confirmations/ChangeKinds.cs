using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Email;
using Portal.Identity;
using Portal.Email.Mails;
using Portal.Email.Mails.Confirmations;
using Portal.Localization;

namespace Portal.Features.Confirmations;

/// <summary>The texts of the change kinds: their titles, fields and what each tells its member.</summary>
internal static class ChangeKinds
{
    public static readonly StaticTexts Texts = new(typeof(ChangeKinds));
}

/// <summary>
/// The account's email address: confirmed by a link to the new address after the current password;
/// the old address is told and can cancel. Applying confirms the address, rotates the security
/// stamp, revokes the account's other outstanding secrets and sends the old address a link that
/// undoes the change for a while (<see cref="EmailChangeReverts"/>).
/// </summary>
public sealed class EmailChangeKind(
    IOptions<ConfirmationsOptions> options, ILookupNormalizer normalizer, Mailer mailer, IOptions<PortalOptions> portal, EmailChangeReverts reverts) : ChangeKind
{
    public const string Field = "Email";

    /// <summary>The title as the records keep it, for the undo link, which has no kind at hand.</summary>
    public const string KindTitle = "Email address";

    public override string Name => "email";

    public override string Title => ChangeKinds.Texts["EmailTitle"];

    public override string Yours => ChangeKinds.Texts["EmailYours"];

    public override IReadOnlyList<ChangeField> Fields => [new(Field, Title)];

    public override ChangeChannel Channel => ChangeChannel.Link;

    public override ChangeKindOptions Settings => options.Value.Email;

    public override bool RequiresPassword => true;

    /// <summary>A changed address means someone else changed it: the member asks again rather than a moderator guessing.</summary>
    public override bool RefusesChangedTarget => true;

    public override async Task<IReadOnlyDictionary<string, string?>?> ReadAsync(PortalDbContext db, string targetId, CancellationToken cancellationToken)
    {
        var email = await db.Users.Where(u => u.Id == targetId).Select(u => new { u.Email }).FirstOrDefaultAsync(cancellationToken);
        return email is null ? null : new Dictionary<string, string?> { [Field] = email.Email };
    }

    public override async Task<ChangeValidation> ValidateAsync(PortalDbContext db, string targetId, IReadOnlyDictionary<string, string?> proposed, CancellationToken cancellationToken)
    {
        var check = EmailAddress.Check(proposed.GetValueOrDefault(Field));
        if (!check.IsValid)
        {
            return new ChangeValidation(new Dictionary<string, string?>(), new Dictionary<string, string> { [Field] = check.Error! });
        }
        var normalized = normalizer.NormalizeEmail(check.Canonical);
        return await db.Users.AnyAsync(u => u.NormalizedEmail == normalized && u.Id != targetId, cancellationToken)
            ? new ChangeValidation(new Dictionary<string, string?>(), new Dictionary<string, string> { [Field] = ChangeKinds.Texts["EmailTaken"] })
            : new ChangeValidation(new Dictionary<string, string?> { [Field] = check.Canonical }, new Dictionary<string, string>());
    }

    public override async Task ApplyAsync(PortalDbContext db, DeferredChange change, IReadOnlyDictionary<string, string?> values, DateTime now, CancellationToken cancellationToken)
    {
        var user = await db.Users.FirstAsync(u => u.Id == change.TargetId, cancellationToken);
        var oldEmail = user.Email;
        var email = values[Field]!;
        await MoveAsync(db, normalizer, user, email, change.Id, RecordedTexts.Record("EmailChanged"), now, cancellationToken);
        if (oldEmail is not null)
        {
            await reverts.OfferAsync(db, change, user, oldEmail, email, now, cancellationToken);
        }
    }

    /// <summary>
    /// Gives the account an address, confirmed, and a new security stamp (every session of it ends);
    /// every secret sent to the address it had dies. Runs in the caller's transaction; the caller saves.
    /// </summary>
    internal static async Task MoveAsync(
        PortalDbContext db, ILookupNormalizer normalizer, PortalUser user, string email, long? exceptChange, string reason, DateTime now, CancellationToken cancellationToken)
    {
        // As Identity does: a user name that was the address follows it; a chosen name stays.
        if (string.Equals(user.UserName, user.Email, StringComparison.OrdinalIgnoreCase))
        {
            user.UserName = email;
            user.NormalizedUserName = normalizer.NormalizeName(email);
        }
        user.Email = email;
        user.NormalizedEmail = normalizer.NormalizeEmail(email);
        user.EmailConfirmed = true;
        user.SecurityStamp = Convert.ToHexString(RandomNumberGenerator.GetBytes(20));
        user.ConcurrencyStamp = Guid.NewGuid().ToString();
        await db.ActivationKeys.Where(k => k.UserId == user.Id && k.SpentAt == null && k.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(k => k.RevokedAt, now), cancellationToken);
        await ChangeLifecycle.RevokeSecretsAsync(db, user.Id, exceptChange, reason, now, cancellationToken);
    }

    public override async Task<string> NotifyAsync(ChangeNotice notice, CancellationToken cancellationToken)
    {
        var newEmail = notice.Proposed[Field]!;
        var userName = notice.User.UserName!;
        await mailer.QueueAsync(notice.Db, newEmail,
            new EmailChangeMail(userName, newEmail, portal.Value.Link($"{ChangeRequests.ConfirmLinkPath}/{notice.Secret}"), Settings.Lifetime),
            language: notice.User.Language);
        if (!notice.IsResend && notice.User.Email is { } oldEmail)
        {
            await mailer.QueueAsync(notice.Db, oldEmail,
                new EmailChangeNoticeMail(userName, EmailAddress.Mask(newEmail), portal.Value.Link($"{ChangeRequests.CancelLinkPath}/{notice.CancelToken}")),
                language: notice.User.Language);
        }
        return ChangeKinds.Texts.Format("EmailLinkSent", newEmail, Duration.Describe(Settings.Lifetime));
    }

    public override string? Destination(IReadOnlyDictionary<string, string?> proposed) => EmailAddress.Mask(proposed[Field]!);
}

/// <summary>The account's phone number: a six-digit code by text message to the new number.</summary>
public sealed class PhoneChangeKind(IOptions<ConfirmationsOptions> options, ISmsSender sms, IOptions<PortalOptions> portal) : ChangeKind
{
    public const string Field = "PhoneNumber";

    public override string Name => "phone";

    public override string Title => ChangeKinds.Texts["PhoneTitle"];

    public override string Yours => ChangeKinds.Texts["PhoneYours"];

    public override IReadOnlyList<ChangeField> Fields => [new(Field, Title)];

    public override ChangeChannel Channel => ChangeChannel.Sms;

    public override ChangeKindOptions Settings => options.Value.Phone;

    public override async Task<IReadOnlyDictionary<string, string?>?> ReadAsync(PortalDbContext db, string targetId, CancellationToken cancellationToken)
    {
        var user = await db.Users.Where(u => u.Id == targetId).Select(u => new { u.PhoneNumber }).FirstOrDefaultAsync(cancellationToken);
        return user is null ? null : new Dictionary<string, string?> { [Field] = user.PhoneNumber };
    }

    public override Task<ChangeValidation> ValidateAsync(PortalDbContext db, string targetId, IReadOnlyDictionary<string, string?> proposed, CancellationToken cancellationToken) =>
        Task.FromResult(Check(proposed, (Field, MemberDetailsRules.Phone)));

    public override async Task ApplyAsync(PortalDbContext db, DeferredChange change, IReadOnlyDictionary<string, string?> values, DateTime now, CancellationToken cancellationToken)
    {
        var user = await db.Users.FirstAsync(u => u.Id == change.TargetId, cancellationToken);
        user.PhoneNumber = values[Field];
        user.PhoneNumberConfirmed = true;
        user.ConcurrencyStamp = Guid.NewGuid().ToString();
    }

    public override async Task<string> NotifyAsync(ChangeNotice notice, CancellationToken cancellationToken)
    {
        var phone = notice.Proposed[Field]!;
        await sms.SendAsync(notice.Db, phone,
            ChangeKinds.Texts.Format("SmsText", notice.Secret, portal.Value.SiteName, Duration.Describe(Settings.Lifetime)),
            notice.Change.Id, cancellationToken);
        return ChangeKinds.Texts.Format("PhoneCodeSent", MemberDetailsRules.MaskPhone(phone), Duration.Describe(Settings.Lifetime));
    }

    public override string? Destination(IReadOnlyDictionary<string, string?> proposed) => MemberDetailsRules.MaskPhone(proposed[Field]!);
}

/// <summary>The postal address: a code in a printed letter posted to the new address.</summary>
public sealed class PostalAddressChangeKind(IOptions<ConfirmationsOptions> options, ILetterSender letters) : ProfileChangeKind
{
    public override string Name => "postal-address";

    public override string Title => ChangeKinds.Texts["PostalTitle"];

    public override string Yours => ChangeKinds.Texts["PostalYours"];

    public override IReadOnlyList<ChangeField> Fields =>
    [
        new(nameof(MemberProfile.Street), ChangeKinds.Texts["Street"]),
        new(nameof(MemberProfile.PostalCode), ChangeKinds.Texts["PostalCode"]),
        new(nameof(MemberProfile.City), ChangeKinds.Texts["City"]),
        new(nameof(MemberProfile.Country), ChangeKinds.Texts["Country"]),
    ];

    public override ChangeChannel Channel => ChangeChannel.Letter;

    public override ChangeKindOptions Settings => options.Value.PostalAddress;

    public override Task<ChangeValidation> ValidateAsync(PortalDbContext db, string targetId, IReadOnlyDictionary<string, string?> proposed, CancellationToken cancellationToken) =>
        Task.FromResult(Check(proposed,
            (nameof(MemberProfile.Street), MemberDetailsRules.Street),
            (nameof(MemberProfile.PostalCode), MemberDetailsRules.PostalCode),
            (nameof(MemberProfile.City), MemberDetailsRules.City),
            (nameof(MemberProfile.Country), MemberDetailsRules.Country)));

    public override async Task<string> NotifyAsync(ChangeNotice notice, CancellationToken cancellationToken)
    {
        var name = notice.Profile?.DisplayName ?? notice.User.UserName!;
        await letters.SendAsync(notice.Db, new LetterRequest(notice.Change.Id, notice.User.Id, name, AddressBlock(name, notice.Proposed), notice.Secret!), cancellationToken);
        return ChangeKinds.Texts.Format("LetterComing", notice.Proposed[nameof(MemberProfile.City)], Duration.Describe(Settings.Lifetime));
    }

    public override string? Destination(IReadOnlyDictionary<string, string?> proposed) =>
        $"{proposed[nameof(MemberProfile.PostalCode)]} {proposed[nameof(MemberProfile.City)]}, {proposed[nameof(MemberProfile.Country)]}";

    private static string AddressBlock(string name, IReadOnlyDictionary<string, string?> address) =>
        string.Join('\n', name, address[nameof(MemberProfile.Street)],
            $"{address[nameof(MemberProfile.PostalCode)]} {address[nameof(MemberProfile.City)]}", address[nameof(MemberProfile.Country)]);
}

/// <summary>The bank account: a small transfer to the new IBAN whose reference the member enters.</summary>
public sealed class BankAccountChangeKind(IOptions<ConfirmationsOptions> options, TimeProvider clock) : ProfileChangeKind
{
    public override string Name => "bank-account";

    public override string Title => ChangeKinds.Texts["BankTitle"];

    public override string Yours => ChangeKinds.Texts["BankYours"];

    public override IReadOnlyList<ChangeField> Fields =>
    [
        new(nameof(MemberProfile.Iban), ChangeKinds.Texts["Iban"]),
        new(nameof(MemberProfile.AccountHolder), ChangeKinds.Texts["AccountHolder"]),
    ];

    public override ChangeChannel Channel => ChangeChannel.Transfer;

    public override ChangeKindOptions Settings => options.Value.BankAccount;

    public override Task<ChangeValidation> ValidateAsync(PortalDbContext db, string targetId, IReadOnlyDictionary<string, string?> proposed, CancellationToken cancellationToken) =>
        Task.FromResult(Check(proposed,
            (nameof(MemberProfile.Iban), MemberDetailsRules.Iban),
            (nameof(MemberProfile.AccountHolder), MemberDetailsRules.AccountHolder)));

    /// <summary>The transfer waits in the finance list; its reference is the code, its amount a few cents.</summary>
    public override Task<string> NotifyAsync(ChangeNotice notice, CancellationToken cancellationToken)
    {
        var iban = notice.Proposed[nameof(MemberProfile.Iban)]!;
        notice.Db.BankTransfers.Add(new BankTransfer
        {
            ChangeId = notice.Change.Id,
            Iban = iban,
            Holder = notice.Proposed[nameof(MemberProfile.AccountHolder)]!,
            AmountCents = RandomNumberGenerator.GetInt32(1, 100),
            Reference = notice.Secret,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        });
        return Task.FromResult(ChangeKinds.Texts.Format("TransferComing", MemberDetailsRules.MaskIban(iban), Duration.Describe(Settings.Lifetime)));
    }

    public override string? Destination(IReadOnlyDictionary<string, string?> proposed) => MemberDetailsRules.MaskIban(proposed[nameof(MemberProfile.Iban)]!);
}

/// <summary>
/// The display name and the site's own profile fields (<see cref="ConfirmationsOptions.ProfileFields"/>):
/// a moderator approves them; nothing is sent.
/// </summary>
public sealed class DisplayNameChangeKind(IOptions<ConfirmationsOptions> options) : ProfileChangeKind
{
    public override string Name => "profile";

    public override string Title => ChangeKinds.Texts[HasOwnFields ? "ProfileTitle" : "DisplayNameTitle"];

    public override string Yours => ChangeKinds.Texts[HasOwnFields ? "ProfileYours" : "DisplayNameYours"];

    /// <summary>The display name, then the site's own fields, labelled as the site configures them.</summary>
    public override IReadOnlyList<ChangeField> Fields =>
        [new(nameof(MemberProfile.DisplayName), ChangeKinds.Texts["DisplayNameTitle"]), .. options.Value.ProfileFields.Select(f => new ChangeField(f.Name, f.Label))];

    private bool HasOwnFields => options.Value.ProfileFields.Count > 0;

    public override ChangeChannel Channel => ChangeChannel.Moderator;

    public override ChangeKindOptions Settings => options.Value.Profile;

    public override Task<ChangeValidation> ValidateAsync(PortalDbContext db, string targetId, IReadOnlyDictionary<string, string?> proposed, CancellationToken cancellationToken) =>
        Task.FromResult(Check(proposed,
        [
            (nameof(MemberProfile.DisplayName), MemberDetailsRules.DisplayName),
            .. options.Value.ProfileFields.Select(f => (f.Name, (Func<string?, MemberDetailsRules.Checked>)(input => MemberDetailsRules.OptionalText(input, f.MaxLength)))),
        ]));

    public override Task<string> NotifyAsync(ChangeNotice notice, CancellationToken cancellationToken) =>
        Task.FromResult(ChangeKinds.Texts["ModeratorWillLook"]);
}
