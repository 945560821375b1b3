using Microsoft.AspNetCore.Identity;
using Portal.Data;
using Portal.Localization;

namespace Portal.Identity;

/// <summary>
/// The password policy of NIST SP 800-63B: length over composition, and no password that is
/// common or made of the account's own name or address.
/// </summary>
public sealed class PasswordRules : IPasswordValidator<PortalUser>
{
    public const int MinimumLength = 10;

    private static readonly StaticTexts Texts = new(typeof(PasswordRules));

    private static readonly HashSet<string> Common = new(StringComparer.OrdinalIgnoreCase)
    {
        "1234567890", "12345678910", "123456789012", "0123456789", "0987654321", "1111111111",
        "1q2w3e4r5t", "1qaz2wsx3edc", "abcdefghij", "aaaaaaaaaa", "iloveyou123", "password12",
        "password123", "password1234", "password!1", "passw0rd12", "p@ssw0rd12", "qwertyuiop",
        "qwerty12345", "qwerty123456", "qwertyuiop1", "asdfghjkl1", "zxcvbnm123", "letmein123",
        "welcome123", "welcome1234", "changeme123", "administrator", "admin12345", "admin123456",
        "football123", "baseball123", "superman123", "sunshine123", "princess123", "dragon1234",
        "monkey12345", "trustno1234", "starwars123", "whatever123", "computer123", "internet123",
    };

    /// <summary>
    /// Checks a chosen password and its confirmation against every password validator Identity has,
    /// and adds what is wrong to <paramref name="errors"/> under the fields "Password" and
    /// "ConfirmPassword" (the names every form that sets a password uses).
    /// </summary>
    public static async Task CheckChoiceAsync(
        UserManager<PortalUser> users, PortalUser candidate, string password, string confirmPassword, IDictionary<string, string> errors)
    {
        if (password != confirmPassword)
        {
            errors["ConfirmPassword"] = Texts["Differ"];
        }
        var problems = new List<string>();
        foreach (var validator in users.PasswordValidators)
        {
            var result = await validator.ValidateAsync(users, candidate, password);
            problems.AddRange(result.Errors.Select(e => e.Description));
        }
        if (problems.Count > 0)
        {
            errors["Password"] = string.Join(" ", problems);
        }
    }

    public Task<IdentityResult> ValidateAsync(UserManager<PortalUser> manager, PortalUser user, string? password)
    {
        if (string.IsNullOrEmpty(password))
        {
            return Task.FromResult(IdentityResult.Success);
        }
        var errors = new List<IdentityError>();
        if (Common.Contains(password))
        {
            errors.Add(new IdentityError { Code = "PasswordTooCommon", Description = Texts["TooCommon"] });
        }
        if (ContainsPersonal(password, user.UserName) || ContainsPersonal(password, user.Email?.Split('@')[0]))
        {
            errors.Add(new IdentityError { Code = "PasswordContainsUserName", Description = Texts["ContainsUserName"] });
        }
        return Task.FromResult(errors.Count == 0 ? IdentityResult.Success : IdentityResult.Failed([.. errors]));
    }

    private static bool ContainsPersonal(string password, string? personal) =>
        personal is { Length: >= 4 } && password.Contains(personal, StringComparison.OrdinalIgnoreCase);
}
