using System.Collections.Frozen;
using System.Globalization;
using Microsoft.Extensions.Localization;
using Portal.Localization;

namespace Portal.Identity;

/// <summary>
/// The English that Identity UI's page models write themselves, in the reader's language: their forms'
/// field names and validation messages, the errors they add to a form and the messages they show after
/// a change. Each known English text has a key in <c>IdentityUiTexts.resx</c> and its translations; any
/// other text (one the portal wrote in the reader's language already) is shown as it is.
/// </summary>
public sealed class IdentityUiTexts : IStringLocalizer
{
    private static readonly StaticTexts Texts = new(typeof(IdentityUiTexts));

    private static readonly FrozenDictionary<string, string> Keys = new Dictionary<string, string>
    {
        // Field names: their [Display] names, or the property's name where they have none.
        ["Email"] = "Email",
        ["Password"] = "Password",
        ["Confirm password"] = "ConfirmPassword",
        ["Current password"] = "CurrentPassword",
        ["New password"] = "NewPassword",
        ["Confirm new password"] = "ConfirmNewPassword",
        ["Authenticator code"] = "AuthenticatorCode",
        ["Remember this machine"] = "RememberMachine",
        ["Recovery Code"] = "RecoveryCode",
        ["Verification Code"] = "VerificationCode",
        // Validation messages, {0} the field's name.
        ["The {0} field is required."] = "Required",
        ["The {0} field is not a valid e-mail address."] = "NotAnAddress",
        ["The {0} must be at least {2} and at max {1} characters long."] = "Length",
        ["The password and confirmation password do not match."] = "PasswordsDiffer",
        ["The new password and confirmation password do not match."] = "NewPasswordsDiffer",
        // Errors added to a form.
        ["Invalid login attempt."] = "InvalidLogin",
        ["Incorrect password."] = "IncorrectPassword",
        ["Invalid token."] = "InvalidToken",
        ["Invalid authenticator code."] = "InvalidAuthenticatorCode",
        ["Invalid recovery code entered."] = "InvalidRecoveryCode",
        ["Verification code is invalid."] = "InvalidVerificationCode",
        ["Verification email sent. Please check your email."] = "VerificationSent",
        // Messages after a change.
        ["Your password has been changed."] = "PasswordChanged",
        ["Your authenticator app has been verified."] = "AuthenticatorVerified",
        ["You have generated new recovery codes."] = "RecoveryCodesGenerated",
        ["Your authenticator app key has been reset, you will need to configure your authenticator app using the new key."] = "AuthenticatorReset",
        ["2fa has been disabled. You can reenable 2fa when you setup an authenticator app"] = "TwoFactorDisabled",
        ["The current browser has been forgotten. When you login again from this browser you will be prompted for your 2fa code."] = "BrowserForgotten",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Whether <paramref name="english"/> is one of Identity's texts the portal translates.</summary>
    public static bool Knows(string english) => Keys.ContainsKey(english);

    public LocalizedString this[string name] =>
        Keys.TryGetValue(name, out var key) ? new(name, Texts[key]) : new(name, name, resourceNotFound: true);

    public LocalizedString this[string name, params object[] arguments]
    {
        get
        {
            var text = this[name];
            return new(name, string.Format(CultureInfo.CurrentCulture, text.Value, arguments), text.ResourceNotFound);
        }
    }

    public IEnumerable<LocalizedString> GetAllStrings(bool includeParentCultures) =>
        Keys.Keys.Select(english => this[english]);
}
