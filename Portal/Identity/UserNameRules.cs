using Portal.Localization;

namespace Portal.Identity;

/// <summary>
/// What a chosen user name may be: 3 to 32 letters, digits, dots, dashes and underscores, starting
/// with a letter or digit, and not a name that would pass for the site's own staff, spelled plainly
/// or as a look-alike ("adm1n", "r00t", "s.u.p.p.0.r.t"). No "@": an address stands in as the name
/// of invited accounts, and the two must never collide. Letters from other scripts (Cyrillic "а"
/// for "a") are already refused by the ASCII-only rule.
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

    private static readonly StaticTexts Texts = new(typeof(UserNameRules));

    /// <summary>What a form says of a name another account has, in the reader's language.</summary>
    public static string Taken => Texts["Taken"];

    /// <summary>Why the name cannot be used, in the reader's language, or null when it can.</summary>
    public static string? Check(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return Texts["Missing"];
        }
        if (name.Length is < MinLength or > MaxLength)
        {
            return Texts.Format("Length", MinLength, MaxLength);
        }
        if (!char.IsAsciiLetterOrDigit(name[0]) || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_'))
        {
            return Texts["Characters"];
        }
        var bare = new string([.. name.Where(char.IsAsciiLetterOrDigit)]);
        return Reserved.Contains(name) || Reserved.Contains(bare) || Reserved.Contains(Fold(bare, 'i')) || Reserved.Contains(Fold(bare, 'l'))
            ? Texts["Reserved"]
            : null;
    }

    /// <summary>The name with digits read as the letters they pass for; "1" stands for either "i" or "l".</summary>
    private static string Fold(string bare, char one) => string.Create(bare.Length, (bare, one), static (span, state) =>
    {
        for (var i = 0; i < span.Length; i++)
        {
            span[i] = char.ToLowerInvariant(state.bare[i]) switch
            {
                '0' => 'o',
                '1' => state.one,
                '3' => 'e',
                '4' => 'a',
                '5' => 's',
                '7' => 't',
                '8' => 'b',
                var c => c,
            };
        }
    });
}
