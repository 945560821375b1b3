using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Email;
using Portal.Features.Audit;
using Portal.Identity;
using Portal.Templates.Account;

namespace Portal.Features.Account;

public enum EmailConfirmation
{
    Confirmed,

    /// <summary>The link is wrong, expired, or was already used.</summary>
    Invalid,

    /// <summary>Another account took the address meanwhile.</summary>
    Taken,
}

/// <summary>
/// Confirming an address by a link sent to it: a new address replaces the old one only when its
/// owner opens the link and presses the button (Identity's own pages act on the GET, which mail
/// scanners trigger, and make the address the user name: the portal's links come here instead).
/// </summary>
public sealed class AccountEmails(IServiceScopeFactory scopes, Mailer mailer, AuditLog audit, IOptions<PortalOptions> portal)
{
    public const string ConfirmPath = "account/confirm-email";

    /// <summary>Queues, in the caller's context, a link that makes <paramref name="newEmail"/> the account's address.</summary>
    public async Task QueueChangeConfirmationAsync(PortalDbContext db, UserManager<PortalUser> users, PortalUser user, string newEmail)
    {
        var code = WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(await users.GenerateChangeEmailTokenAsync(user, newEmail)));
        await mailer.QueueAsync(db, newEmail, new EmailConfirmationMail(user.UserName!, newEmail, ConfirmLink(user.Id, newEmail, code)));
    }

    /// <summary>The absolute link to the confirmation page; <paramref name="code"/> is Identity's token, base64url-encoded.</summary>
    public string ConfirmLink(string userId, string? email, string code) =>
        portal.Value.Link(QueryHelpers.AddQueryString(ConfirmPath, new Dictionary<string, string?>
        {
            ["userId"] = userId,
            ["email"] = email,
            ["code"] = code,
        }.Where(p => p.Value is not null)));

    /// <summary>Confirms the account's address (no <paramref name="email"/>) or changes it to <paramref name="email"/>.</summary>
    public async Task<EmailConfirmation> ConfirmAsync(string? userId, string? email, string? code)
    {
        if (string.IsNullOrEmpty(userId) || string.IsNullOrEmpty(code))
        {
            return EmailConfirmation.Invalid;
        }
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var user = await users.FindByIdAsync(userId);
        if (user is null || user.DeactivatedAt is not null)
        {
            return EmailConfirmation.Invalid;
        }
        string token;
        try
        {
            token = Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(code));
        }
        catch (FormatException)
        {
            return EmailConfirmation.Invalid;
        }

        var before = user.Email;
        var result = string.IsNullOrEmpty(email)
            ? await users.ConfirmEmailAsync(user, token)
            : await users.ChangeEmailAsync(user, EmailAddress.Canonicalize(email) ?? email, token);
        if (!result.Succeeded)
        {
            return result.Errors.Any(e => e.Code is "DuplicateEmail") ? EmailConfirmation.Taken : EmailConfirmation.Invalid;
        }
        if (!string.IsNullOrEmpty(email))
        {
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            audit.Record(db, new Actor(user.Id, user.UserName!, new HashSet<string>()), "user.email-changed",
                new AuditTarget(Users.UserAdmin.AuditTargetType, user.Id, user.Email), $"from {before}");
            await db.SaveChangesAsync();
        }
        return EmailConfirmation.Confirmed;
    }
}
