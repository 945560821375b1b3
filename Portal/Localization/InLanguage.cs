using System.Globalization;

namespace Portal.Localization;

/// <summary>
/// Reads texts in a language other than the page's: those of a message or a letter, which are in
/// their recipient's language whoever's page makes them; or those kept in records, in the base one.
/// </summary>
public static class InLanguage
{
    /// <summary>Runs <paramref name="read"/> with <paramref name="culture"/> as the language and the format of numbers and dates.</summary>
    public static T Read<T>(CultureInfo culture, Func<T> read)
    {
        var (language, format) = (CultureInfo.CurrentUICulture, CultureInfo.CurrentCulture);
        CultureInfo.CurrentUICulture = CultureInfo.CurrentCulture = culture;
        try
        {
            return read();
        }
        finally
        {
            (CultureInfo.CurrentUICulture, CultureInfo.CurrentCulture) = (language, format);
        }
    }
}
