namespace Portal.Localization;

/// <summary>
/// Texts that count something come in two forms, as English and German count: the key's name plus
/// "One" for one ("SentOne": "Sent 1 invitation"), plus "Many" for any other number, none included
/// ("SentMany": "Sent {0} invitations").
/// </summary>
public static class Plural
{
    /// <summary>The key of the form of <paramref name="name"/> for <paramref name="count"/>: "SentOne" or "SentMany".</summary>
    public static string Key(string name, long count) => name + (count == 1 ? "One" : "Many");
}
