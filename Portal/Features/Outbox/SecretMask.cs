using System.Text.RegularExpressions;

namespace Portal.Features.Outbox;

/// <summary>
/// Links in mail carry secrets (invitation, activation and reset tokens). Shown to an admin, the
/// secret parts of every link are masked: path segments and query values of 20 or more
/// URL-safe characters. No route name of the portal is that long; every token is longer.
/// </summary>
public static partial class SecretMask
{
    public const string Mask = "••••••";

    public static string Apply(string content) =>
        Url().Replace(content, url => Secret().Replace(url.Value, Mask));

    [GeneratedRegex("""https?://[^\s"'<>]+""")]
    private static partial Regex Url();

    [GeneratedRegex("[A-Za-z0-9_%-]{20,}")]
    private static partial Regex Secret();
}
