using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Email;
using Portal.Identity;
using Portal.Email.Mails.Registration;

namespace Portal.Features.Registration;

/// <summary>
/// Activation links: a fresh 256-bit key per email, stored as its hash, valid for
/// <see cref="RegistrationOptions.ActivationDays"/>. Issuing one revokes the account's older keys.
/// </summary>
public sealed class ActivationKeys(Mailer mailer, IOptions<RegistrationOptions> options, IOptions<PortalOptions> portal)
{
    public const string ActivatePath = "activate";

    public TimeSpan Lifetime => TimeSpan.FromDays(options.Value.ActivationDays);

    /// <summary>
    /// Revokes the account's live keys at once and adds a new key and its email to the context, to
    /// be saved with the caller's change: call it inside the caller's transaction. The email is in
    /// the language of the page that asked for it: the visitor signing up, or asking again.
    /// </summary>
    public async Task IssueAsync(PortalDbContext db, PortalUser user, DateTime now, CancellationToken cancellationToken)
    {
        await db.ActivationKeys.Where(k => k.UserId == user.Id && k.SpentAt == null && k.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(k => k.RevokedAt, now), cancellationToken);
        var (token, hash) = Secrets.NewToken();
        db.ActivationKeys.Add(new ActivationKey { UserId = user.Id, KeyHash = hash, CreatedAt = now, ExpiresAt = now + Lifetime });
        await mailer.QueueAsync(db, user.Email!, new ActivationMail(user.UserName!, user.Email!, portal.Value.Link($"{ActivatePath}/{token}"), Lifetime),
            language: user.Language);
    }
}
