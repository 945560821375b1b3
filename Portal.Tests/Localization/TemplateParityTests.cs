using Portal.Localization;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Localization;

/// <summary>
/// Every message exists in every language: English at the top of the templates folder, each other
/// language in its subfolder with the same paths.
/// </summary>
public sealed class TemplateParityTests
{
    private static readonly string Root = Path.Combine(Repository.Root, "Templates");

    private static IReadOnlyList<string> Translated => [.. LanguageOptions.Available.Where(l => l != "en")];

    private static HashSet<string> Files(string folder, bool skipLanguages) =>
        [.. Directory.EnumerateFiles(folder, "*.cshtml", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(folder, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Where(f => !skipLanguages || !Translated.Any(l => f.StartsWith(l + "/", StringComparison.Ordinal)))];

    [Fact]
    public void Every_template_exists_in_every_language()
    {
        var english = Files(Root, skipLanguages: true);
        var problems = new List<string>();
        foreach (var language in Translated)
        {
            var folder = Path.Combine(Root, language);
            var theirs = Directory.Exists(folder) ? Files(folder, skipLanguages: false) : [];
            problems.AddRange(english.Except(theirs).Select(f => $"{language}/{f} is missing"));
            problems.AddRange(theirs.Except(english).Select(f => $"{language}/{f} has no English version"));
        }
        Assert.Empty(problems);
    }

    [Fact]
    public void The_shared_frame_is_translated_so_every_translated_message_has_its_layout_and_partials()
    {
        foreach (var language in Translated)
        {
            Assert.All(Files(Root, skipLanguages: true).Where(f => Path.GetFileName(f).StartsWith('_')),
                shared => Assert.True(File.Exists(Path.Combine(Root, language, shared)), $"{language}/{shared} is missing"));
        }
    }
}
