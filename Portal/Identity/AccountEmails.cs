using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Email;
using Portal.Features.Audit;
using Portal.Features.Users;
using Portal.Email.Mails.Account;

namespace Portal.Identity;

public enum AddressConfirmation
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
    public async Task<AddressConfirmation> ConfirmAsync(string? userId, string? email, string? code)
    {
        if (string.IsNullOrEmpty(userId) || string.IsNullOrEmpty(code))
        {
            return AddressConfirmation.Invalid;
        }
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var user = await users.FindByIdAsync(userId);
        if (user is null || user.DeactivatedAt is not null)
        {
            return AddressConfirmation.Invalid;
        }
        string token;
        try
        {
            token = Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(code));
        }
        catch (FormatException)
        {
            return AddressConfirmation.Invalid;
        }

        var before = user.Email;
        // The token is bound to the address exactly as it was asked for; it is stored in canonical form.
        var result = string.IsNullOrEmpty(email)
            ? await users.ConfirmEmailAsync(user, token)
            : await users.ChangeEmailAsync(user, email, token);
        if (result.Succeeded && EmailAddress.Canonicalize(email) is { } canonical && canonical != email)
        {
            user.Email = canonical;
            result = await users.UpdateAsync(user);
        }
        if (!result.Succeeded)
        {
            return result.Errors.Any(e => e.Code is "DuplicateEmail") ? AddressConfirmation.Taken : AddressConfirmation.Invalid;
        }
        if (!string.IsNullOrEmpty(email))
        {
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            audit.Record(db, Actor.Self(user), AuditActions.UserEmailChanged,
                new AuditTarget(UserAdmin.AuditTargetType, user.Id, user.Email), $"from {before}");
            await db.SaveChangesAsync();
        }
        return AddressConfirmation.Confirmed;
    }
}
