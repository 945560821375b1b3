using System.Globalization;
using System.Xml.Linq;
using Portal.Localization;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Localization;

/// <summary>Every text exists in every language: a key in one language and not another fails here, not in front of a reader.</summary>
public sealed class ResourceParityTests
{
    private static readonly string Source = Path.Combine(Repository.Root, "Portal");

    /// <summary>Each resource file by its base (the path without ".de.resx" or ".resx") and language ("" for English).</summary>
    private static ILookup<string, (string Language, string File)> Files() =>
        Repository.SourceFiles(Source, "*.resx")
            .Select(f =>
            {
                var name = Path.GetFileNameWithoutExtension(f);
                var language = Path.GetExtension(name).TrimStart('.');
                var isLanguage = IsCulture(language);
                var baseName = Path.Combine(Path.GetDirectoryName(f)!, isLanguage ? Path.GetFileNameWithoutExtension(name) : name);
                return (Base: Path.GetRelativePath(Source, baseName), Language: isLanguage ? language : "", File: f);
            })
            .ToLookup(f => f.Base, f => (f.Language, f.File));

    private static bool IsCulture(string name)
    {
        try
        {
            return name.Length > 0 && CultureInfo.GetCultureInfo(name, predefinedOnly: true) is not null;
        }
        catch (CultureNotFoundException)
        {
            return false;
        }
    }

    private static HashSet<string> Keys(string file) =>
        [.. XDocument.Load(file).Root!.Elements("data").Select(d => (string)d.Attribute("name")!)];

    [Fact]
    public void The_portal_offers_English_and_German()
    {
        Assert.Equal(["en", "de"], LanguageOptions.Available);
    }

    [Fact]
    public void Every_resource_file_exists_in_every_language_with_the_same_keys()
    {
        var translated = LanguageOptions.Available.Where(l => l != "en").ToList();
        var files = Files();
        Assert.NotEmpty(files);
        var problems = new List<string>();
        foreach (var group in files)
        {
            var english = group.Where(f => f.Language == "").Select(f => f.File).SingleOrDefault();
            if (english is null)
            {
                problems.Add($"{group.Key}: no English file ({group.Key}.resx)");
                continue;
            }
            var keys = Keys(english);
            foreach (var language in translated)
            {
                var file = group.Where(f => f.Language == language).Select(f => f.File).SingleOrDefault();
                if (file is null)
                {
                    problems.Add($"{group.Key}: no {language} file");
                    continue;
                }
                var theirs = Keys(file);
                problems.AddRange(keys.Except(theirs).Select(k => $"{group.Key}.{language}.resx lacks {k}"));
                problems.AddRange(theirs.Except(keys).Select(k => $"{group.Key}.{language}.resx has {k}, which English does not"));
            }
            problems.AddRange(group.Where(f => f.Language != "" && !translated.Contains(f.Language))
                .Select(f => $"{f.File}: a language the portal does not build ({f.Language})"));
        }
        Assert.Empty(problems);
    }

    [Fact]
    public void No_translation_is_left_empty()
    {
        var empty = Files().SelectMany(g => g)
            .SelectMany(f => XDocument.Load(f.File).Root!.Elements("data")
                .Where(d => string.IsNullOrWhiteSpace((string?)d.Element("value")))
                .Select(d => $"{Path.GetRelativePath(Source, f.File)}: {(string)d.Attribute("name")!}"))
            .ToList();
        Assert.Empty(empty);
    }
}
