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

/// <summary>Python's email package, run once for many files.</summary>
public static class MailParser
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };

    /// <summary>The .eml files, in their order, read by one run of the parser.</summary>
    public static IReadOnlyList<ParsedMail> ParseEml(IReadOnlyList<string> paths)
    {
        if (paths.Count == 0)
        {
            return [];
        }
        var script = Path.Combine(AppContext.BaseDirectory, "TestInfrastructure", "mail.py");
        using var process = Process.Start(new ProcessStartInfo("/usr/bin/python3", [script, .. paths])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"Parsing {paths[0]} and {paths.Count - 1} more failed: {error.Result}");
        }
        return JsonSerializer.Deserialize<List<ParsedMail>>(output, Json)!;
    }
}
