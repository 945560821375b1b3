namespace Portal.Identity;

/// <summary>
/// What a chosen user name may be: 3 to 32 letters, digits, dots, dashes and underscores, starting
/// with a letter or digit, and not a name that would pass for the site's own staff. No "@": an
/// address stands in as the name of invited accounts, and the two must never collide.
/// </summary>
public static class UserNameRules
{
    public const int MinLength = 3;
    public const int MaxLength = 32;

    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "abuse", "admin", "administrator", "anonymous", "api", "contact", "help", "hostmaster", "info",
        "mail", "moderator", "mod", "noreply", "null", "official", "owner", "portal", "postmaster", "root",
        "security", "staff", "support", "sysadmin", "system", "team", "undefined", "webmaster", "www",
    };

    /// <summary>Why the name cannot be used, or null when it can.</summary>
    public static string? Check(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return "Choose a user name.";
        }
        if (name.Length is < MinLength or > MaxLength)
        {
            return $"A user name has {MinLength} to {MaxLength} characters.";
        }
        if (!char.IsAsciiLetterOrDigit(name[0]) || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_'))
        {
            return "A user name uses letters a-z, digits, dots, dashes and underscores, and starts with a letter or digit.";
        }
        var bare = new string([.. name.Where(char.IsAsciiLetterOrDigit)]);
        return Reserved.Contains(name) || Reserved.Contains(bare) ? "That user name is reserved: choose another." : null;
    }
}
