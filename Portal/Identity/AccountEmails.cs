using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Features.Audit;
using Portal.Features.Users;

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
/// The links account mail carries, built on the public base URL (never from the request's Host),
/// and confirming an address by one: a new address replaces the old one only when its owner opens
/// the link and presses the button (Identity's own pages act on the GET, which mail scanners
/// trigger, and make the address the user name: the portal's links come here instead).
/// </summary>
public sealed class AccountEmails(IServiceScopeFactory scopes, AccountMailer mailer, AuditLog audit, IOptions<PortalOptions> portal)
{
    public const string ConfirmPath = "account/confirm-email";
    private const string ResetPasswordPath = "Identity/Account/ResetPassword";

    /// <summary>Queues, in the caller's context, a link that makes <paramref name="newEmail"/> the account's address.</summary>
    public async Task QueueChangeConfirmationAsync(PortalDbContext db, UserManager<PortalUser> users, PortalUser user, string newEmail) =>
        await mailer.QueueConfirmationAsync(db, user, newEmail, ConfirmLink(user.Id, newEmail, await users.GenerateChangeEmailTokenAsync(user, newEmail)));

    /// <summary>
    /// The absolute link to the confirmation page for Identity's <paramref name="token"/>: of the
    /// account's address, or (with <paramref name="email"/>) of a change to that address.
    /// </summary>
    public string ConfirmLink(string userId, string? email, string token) => portal.Value.Link(ConfirmPage(userId, email, Encode(token)));

    /// <summary>The confirmation page, relative to the site, for a <paramref name="code"/> (a token, base64url-encoded).</summary>
    public static string ConfirmPage(string? userId, string? email, string? code) =>
        QueryHelpers.AddQueryString(ConfirmPath, new Dictionary<string, string?>
        {
            ["userId"] = userId,
            ["email"] = email,
            ["code"] = code,
        }.Where(p => p.Value is not null));

    /// <summary>The absolute link to Identity's page that sets a new password with the reset <paramref name="token"/>.</summary>
    public string ResetPasswordLink(string token) =>
        portal.Value.Link(QueryHelpers.AddQueryString(ResetPasswordPath, "code", Encode(token)));

    /// <summary>Identity's tokens travel base64url-encoded, as its own pages expect them.</summary>
    private static string Encode(string token) => WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(token));

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
