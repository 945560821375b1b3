using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace Portal.Localization;

/// <summary>
/// The "Localization" configuration section: the languages the portal offers, and the one it speaks
/// to a visitor whose browser asks for none of them.
/// </summary>
public sealed class LanguageOptions : IValidatableObject
{
    public const string Section = "Localization";

    /// <summary>
    /// The languages the portal has texts for: English, the texts in the code, and each language
    /// whose translations were built beside the app (a folder such as <c>de/</c> holding
    /// <c>Portal.resources.dll</c>). Adding a language is adding its files.
    /// </summary>
    public static IReadOnlyList<string> Available => AvailableLanguages.Value;

    private static readonly Lazy<string[]> AvailableLanguages = new(() =>
        ["en", .. Directory.EnumerateDirectories(AppContext.BaseDirectory)
            .Where(folder => File.Exists(Path.Combine(folder, "Portal.resources.dll")))
            .Select(folder => Path.GetFileName(folder))
            .Order(StringComparer.Ordinal)]);

    /// <summary>The site's language: a culture name such as "en" or "de", one of <see cref="Languages"/>.</summary>
    public string DefaultLanguage { get; set; } = "en";

    /// <summary>The languages offered, in the order the language switch lists them; empty: every available language.</summary>
    public List<string> Languages { get; set; } = [];

    /// <summary>The site's language as a culture.</summary>
    public CultureInfo DefaultCulture => CultureInfo.GetCultureInfo(DefaultLanguage);

    /// <summary>The offered languages' cultures, the default first.</summary>
    public IReadOnlyList<CultureInfo> Cultures =>
        [.. new[] { DefaultLanguage }.Concat(Languages.Count > 0 ? Languages : Available).Distinct(StringComparer.OrdinalIgnoreCase).Select(CultureInfo.GetCultureInfo)];

    /// <summary>
    /// The offered language <paramref name="code"/> names, itself or the language it is a variant of
    /// ("de-AT" is German, "DE" too); null when it names none of them, or nothing at all.
    /// </summary>
    public CultureInfo? Find(string? code)
    {
        if (string.IsNullOrWhiteSpace(code) || code.Length > Data.LanguageCode.MaxLength)
        {
            return null;
        }
        CultureInfo culture;
        try
        {
            culture = CultureInfo.GetCultureInfo(code.Trim());
        }
        catch (CultureNotFoundException)
        {
            return null;
        }
        var offered = Cultures;
        for (; culture.Name.Length > 0; culture = culture.Parent)
        {
            if (offered.FirstOrDefault(c => string.Equals(c.Name, culture.Name, StringComparison.OrdinalIgnoreCase)) is { } match)
            {
                return match;
            }
        }
        return null;
    }

    /// <summary>The language of the page being answered, as stored ("de"); null where there is no page (the command line, background work).</summary>
    public string? Current => Find(CultureInfo.CurrentUICulture.Name)?.Name;

    /// <summary>The language a stored code names, or the site's when it names none offered (any more).</summary>
    public CultureInfo CultureOf(string? code) => Find(code) ?? DefaultCulture;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (language, i) in Languages.Select((language, i) => (language, i)))
        {
            if (!IsAvailable(language))
            {
                yield return new ValidationResult(Problem(language), [$"{nameof(Languages)}:{i}"]);
            }
        }
        if (!IsAvailable(DefaultLanguage))
        {
            yield return new ValidationResult(Problem(DefaultLanguage), [nameof(DefaultLanguage)]);
        }
        else if (Languages.Count > 0 && !Languages.Contains(DefaultLanguage, StringComparer.OrdinalIgnoreCase))
        {
            yield return new ValidationResult($"is '{DefaultLanguage}', which is not among the offered languages ({string.Join(", ", Languages)})", [nameof(DefaultLanguage)]);
        }
    }

    private static bool IsAvailable(string language) => Available.Contains(language, StringComparer.OrdinalIgnoreCase);

    private static string Problem(string language) =>
        $"is '{language}', a language the portal has no texts for (it has: {string.Join(", ", Available)})";
}
