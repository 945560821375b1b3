using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Portal.Tests.TestInfrastructure;

public sealed record MailPart(string Type, string? Charset, string? TransferEncoding, string Content);

/// <summary>A message as Python's email package (a real MIME parser) read it.</summary>
public sealed partial record ParsedMail(
    IReadOnlyList<string[]> Headers, string Subject, string ContentType, IReadOnlyList<MailPart> Parts, IReadOnlyList<string> Defects)
{
    public string? Header(string name) =>
        Headers.FirstOrDefault(h => string.Equals(h[0], name, StringComparison.OrdinalIgnoreCase))?[1];

    public string To => Header("To") ?? "";

    public string Text => Parts.Single(p => p.Type == "text/plain").Content;

    public string Html => Parts.Single(p => p.Type == "text/html").Content;

    /// <summary>Every http(s) link in the text part.</summary>
    public IReadOnlyList<string> TextLinks => [.. Link().Matches(Text).Select(m => m.Value)];

    /// <summary>The first link in the text part whose path contains <paramref name="fragment"/>.</summary>
    public string LinkContaining(string fragment) => TextLinks.First(l => l.Contains(fragment, StringComparison.Ordinal));

    [GeneratedRegex("""https?://[^\s<>"]+""")]
    private static partial Regex Link();
}

public static class MailParser
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };

    public static ParsedMail ParseEml(string path) => Run<ParsedMail>("eml", path).Single();

    public static IReadOnlyList<ParsedMail> ParseMaildir(string directory) => Run<ParsedMail>("maildir", directory);

    /// <summary>The header <paramref name="name"/> of every message in a Maildir, the rest left unread.</summary>
    public static IReadOnlyList<string> ReadHeader(string directory, string name) => Run<string>("header", directory, name);

    private static List<T> Run<T>(string mode, params string[] arguments)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "TestInfrastructure", "mail.py");
        using var process = Process.Start(new ProcessStartInfo("/usr/bin/python3", [script, mode, .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"Parsing {arguments[0]} failed: {error}");
        }
        return JsonSerializer.Deserialize<List<T>>(output, Json)!;
    }
}
