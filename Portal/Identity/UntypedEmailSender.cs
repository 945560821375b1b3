using Microsoft.AspNetCore.Identity.UI.Services;

namespace Portal.Identity;

/// <summary>
/// Identity UI's untyped sender, which gets a subject and finished HTML. Identity's own drops every
/// message without a word; in the portal nothing may call it (account mail goes through
/// <see cref="AccountMailer"/>), so whatever does fails instead of losing the message.
/// </summary>
public sealed class UntypedEmailSender : IEmailSender
{
    public Task SendEmailAsync(string email, string subject, string htmlMessage) =>
        throw new InvalidOperationException(
            $"Something asked Identity's untyped IEmailSender to send \"{subject}\": account mail goes through IEmailSender<PortalUser> ({nameof(AccountMailer)}).");
}
