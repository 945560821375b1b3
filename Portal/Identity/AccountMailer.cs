using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Email;
using Portal.Email.Mails;
using Portal.Email.Mails.Account;

namespace Portal.Identity;

/// <summary>
/// The mail Identity's pages send about an account, as the portal's own templates queued through
/// the outbox. The portal's versions of those pages build their links on the public base URL; a
/// link anywhere else is refused, not mailed: Identity's own pages build theirs from the request's
/// Host, which the client chooses.
/// </summary>
public sealed class AccountMailer(IDbContextFactory<PortalDbContext> dbFactory, Mailer mailer, IOptions<PortalOptions> portal)
    : IEmailSender<PortalUser>
{
    public static readonly TimeSpan ResetLinkLifetime = TimeSpan.FromHours(3);

    public Task SendConfirmationLinkAsync(PortalUser user, string email, string confirmationLink) =>
        QueueAsync(email, ConfirmationMail(user, email, confirmationLink), user.Language);

    /// <summary>Queues, in the caller's context, the link that confirms <paramref name="email"/> as the account's address.</summary>
    public Task QueueConfirmationAsync(PortalDbContext db, PortalUser user, string email, string confirmationLink) =>
        mailer.QueueAsync(db, email, ConfirmationMail(user, email, confirmationLink), language: user.Language);

    /// <summary>To the address as stored, whatever spelling was typed into the form.</summary>
    public Task SendPasswordResetLinkAsync(PortalUser user, string email, string resetLink) =>
        QueueAsync(user.Email!, new PasswordResetMail(user.UserName!, OnPublicBaseUrl(resetLink), ResetLinkLifetime), user.Language);

    /// <summary>Only Identity's API endpoints send reset codes; the portal maps none and has no template for one.</summary>
    public Task SendPasswordResetCodeAsync(PortalUser user, string email, string resetCode) =>
        throw new InvalidOperationException("The portal mails password reset links, not codes: it has no template for a reset code.");

    private EmailConfirmationMail ConfirmationMail(PortalUser user, string email, string link) =>
        new(user.UserName!, email, OnPublicBaseUrl(link));

    private async Task QueueAsync<TMail>(string recipient, TMail mail, string? language) where TMail : IMail<TMail>
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        await mailer.QueueAsync(db, recipient, mail, language: language);
        await db.SaveChangesAsync();
    }

    // The message names no link: it carries a secret, and the message may be logged.
    private string OnPublicBaseUrl(string link) =>
        link.StartsWith(portal.Value.BaseUri.AbsoluteUri, StringComparison.Ordinal)
            ? link
            : throw new InvalidOperationException(
                $"An account link must start with the public base URL {portal.Value.BaseUri.AbsoluteUri}; one built from the request's Host would take its secret wherever the client pointed it.");
}
