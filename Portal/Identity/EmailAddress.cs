using System.Globalization;
using System.Text;
using Portal.Localization;

namespace Portal.Identity;

/// <summary>The result of reading an address: its canonical form, or why it is not an address.</summary>
public readonly record struct EmailCheck(string? Canonical, string? Error)
{
    public bool IsValid => Canonical is not null;
}

/// <summary>
/// One canonical form of an email address: trimmed, Unicode NFC, the domain lower-cased and in
/// punycode. It is the form used for uniqueness, opt-out and duplicate checks; mail still goes to
/// the address as stored.
/// </summary>
public static class EmailAddress
{
    public const int MaxLength = 254;
    private const int MaxLocalLength = 64;
    private const string AtomSpecials = "!#$%&'*+-/=?^_`{|}~";

    public static string? Canonicalize(string? input) => Check(input).Canonical;

    /// <summary>
    /// The form addresses are matched in (uniqueness, opt-out, duplicates): the canonical form with
    /// the local part lower-cased too. No mail service in use tells "Ada" from "ada", and an opt-out
    /// must not be dodged by a capital letter.
    /// </summary>
    public static string Key(string canonical) => canonical.ToLowerInvariant();

    /// <summary>The part after the last @ ("example.org"): what sign-ups are grouped and filtered by.</summary>
    public static string Domain(string canonical) => canonical[(canonical.LastIndexOf('@') + 1)..];

    /// <summary>
    /// A domain as someone types it into a filter (Unicode or punycode, any case, with or without a
    /// leading @) in the form <see cref="Domain"/> gives; text that is no domain comes back lower-cased.
    /// </summary>
    public static string DomainKey(string typed)
    {
        var domain = typed.Trim().TrimStart('@');
        return ToAsciiDomain(domain.Normalize(NormalizationForm.FormC)) ?? domain.ToLowerInvariant();
    }

    /// <summary>A canonical address as people read it: the domain in Unicode ("anna@bücher.example").</summary>
    public static string Readable(string canonical) =>
        $"{canonical[..(canonical.LastIndexOf('@') + 1)]}{ReadableDomain(Domain(canonical))}";

    /// <summary>A domain in the form <see cref="Domain"/> gives (punycode), as people read it ("bücher.example").</summary>
    public static string ReadableDomain(string asciiDomain)
    {
        try
        {
            return new IdnMapping().GetUnicode(asciiDomain);
        }
        catch (ArgumentException)
        {
            return asciiDomain;
        }
    }

    /// <summary>
    /// The address as logs and the audit entries of deleted accounts show it: the first character and
    /// the domain ("a•••@example.org"), enough to answer "was it mine?" without keeping the address.
    /// </summary>
    public static string Mask(string address)
    {
        var at = address.LastIndexOf('@');
        return at <= 0 ? "•••" : $"{address[..(char.IsHighSurrogate(address[0]) ? 2 : 1)]}•••{address[at..]}";
    }

    private static readonly StaticTexts Texts = new(typeof(EmailAddress));

    /// <summary>Whether the text is an address the portal accepts, and why not, in the reader's language.</summary>
    public static EmailCheck Check(string? input)
    {
        if (string.IsNullOrWhiteSpace(input))
        {
            return Fail(Texts["Missing"]);
        }
        // Length and control characters first, before any parsing looks at the text.
        if (input.Length > MaxLength)
        {
            return Fail(Texts.Format("TooLong", MaxLength));
        }
        if (input.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0)
        {
            return Fail(Texts["ControlCharacter"]);
        }

        var address = input.Trim().Normalize(NormalizationForm.FormC);
        var at = address.LastIndexOf('@');
        if (at <= 0 || at == address.Length - 1)
        {
            return Fail(Texts["Shape"]);
        }

        var local = address[..at];
        var localError = CheckLocalPart(local);
        if (localError is not null)
        {
            return Fail(localError);
        }

        var domain = ToAsciiDomain(address[(at + 1)..]);
        if (domain is null)
        {
            return Fail(Texts["BadDomain"]);
        }
        var lookAlike = MixedScriptLabel(domain);
        if (lookAlike is not null)
        {
            return Fail(lookAlike);
        }

        var canonical = $"{local}@{domain}";
        return canonical.Length > MaxLength
            ? Fail(Texts.Format("TooLong", MaxLength))
            : new EmailCheck(canonical, null);
    }

    private static string? CheckLocalPart(string local)
    {
        if (local.Length > MaxLocalLength)
        {
            return Texts.Format("LocalTooLong", MaxLocalLength);
        }
        if (local.StartsWith('.') || local.EndsWith('.') || local.Contains("..", StringComparison.Ordinal))
        {
            return Texts["LocalDots"];
        }
        foreach (var rune in local.EnumerateRunes())
        {
            var ok = rune.IsAscii
                ? char.IsAsciiLetterOrDigit((char)rune.Value) || rune.Value == '.' || AtomSpecials.Contains((char)rune.Value)
                : Rune.IsLetterOrDigit(rune) || Rune.GetUnicodeCategory(rune) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark;
            if (!ok)
            {
                return Texts.Format("LocalCharacter", rune);
            }
        }
        var scripts = Scripts.Mixed(local);
        return scripts.Count == 0
            ? null
            : Texts.Format("LocalMixedScripts", Names(scripts));
    }

    /// <summary>Why a label of the domain (punycode or not) is a look-alike, or null when none is.</summary>
    private static string? MixedScriptLabel(string asciiDomain)
    {
        foreach (var label in new IdnMapping().GetUnicode(asciiDomain).Split('.'))
        {
            var scripts = Scripts.Mixed(label);
            if (scripts.Count > 0)
            {
                return Texts.Format("DomainMixedScripts", label, Names(scripts));
            }
        }
        return null;
    }

    private static string Names(IReadOnlyList<string> scripts) => string.Join(Texts["And"], scripts);

    private static string? ToAsciiDomain(string domain)
    {
        if (domain.StartsWith('[') || !domain.Contains('.', StringComparison.Ordinal))
        {
            return null;
        }
        string ascii;
        try
        {
            ascii = new IdnMapping { UseStd3AsciiRules = true }.GetAscii(domain.TrimEnd('.')).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            return null;
        }
        var labels = ascii.Split('.');
        return labels.Length >= 2 && labels.All(IsLabel) && !labels[^1].All(char.IsAsciiDigit) ? ascii : null;
    }

    private static bool IsLabel(string label) =>
        label.Length is > 0 and <= 63 && !label.StartsWith('-') && !label.EndsWith('-')
        && label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');

    private static EmailCheck Fail(string error) => new(null, error);
}
