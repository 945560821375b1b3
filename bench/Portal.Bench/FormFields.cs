using System.Net;
using System.Text.RegularExpressions;

namespace Portal.Bench;

/// <summary>What a bench visitor reads off a server-rendered form before posting it.</summary>
internal static partial class FormFields
{
    /// <summary>A page's hidden form fields (the antiforgery token, the form's name), by name.</summary>
    public static Dictionary<string, string> Hidden(string html) =>
        HiddenField().Matches(html).ToDictionary(m => WebUtility.HtmlDecode(m.Groups[1].Value), m => WebUtility.HtmlDecode(m.Groups[2].Value));

    [GeneratedRegex("""<input type="hidden" name="([^"]+)" value="([^"]*)"\s*/?>""")]
    private static partial Regex HiddenField();
}
