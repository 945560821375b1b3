using System.Collections;
using System.Globalization;
using System.Resources;

namespace Portal.Localization;

/// <summary>
/// The texts the portal writes into its records (why a change or an application was closed): kept
/// in the base language, so a record reads the same whoever acted in whatever language, and shown in
/// the reader's (<see cref="Show"/>). Words a person wrote (a moderator's reason) are shown as written.
/// </summary>
public static class RecordedTexts
{
    private static readonly StaticTexts Texts = new(typeof(RecordedTexts));

    /// <summary>Each recorded text, as recorded, and its name.</summary>
    private static readonly Lazy<Dictionary<string, string>> Names = new(() =>
        new ResourceManager(typeof(RecordedTexts)).GetResourceSet(CultureInfo.InvariantCulture, createIfNotExists: true, tryParents: true)!
            .Cast<DictionaryEntry>().ToDictionary(e => (string)e.Value!, e => (string)e.Key, StringComparer.Ordinal));

    /// <summary>The text to record, in the base language.</summary>
    public static string Record(string name) => InLanguage.Read(CultureInfo.InvariantCulture, () => Texts[name]);

    /// <summary>A record's text as the reader reads it: one the portal recorded in their language, any other as written.</summary>
    public static string? Show(string? recorded) =>
        recorded is not null && Names.Value.TryGetValue(recorded, out var name) ? Texts[name] : recorded;
}
