using Portal.Localization;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Localization;

/// <summary>
/// Every message exists in every language: English at the top of the templates folder, each other
/// language in its subfolder with the same paths. A template missing in a language is sent in
/// English, so the messages not translated yet are listed by name; the list only shrinks.
/// </summary>
public sealed class TemplateParityTests
{
    private static readonly HashSet<string> NotYetTranslated =
    [
        "Account/EmailConfirmation.cshtml",
        "Account/PasswordReset.cshtml",
        "Confirmations/ChangeRejected.cshtml",
        "Confirmations/CodeEntryLocked.cshtml",
        "Confirmations/EmailChange.cshtml",
        "Confirmations/EmailChangeNotice.cshtml",
        "Confirmations/EmailChanged.cshtml",
        "Invitations/Invitation.cshtml",
        "Registration/AlreadyRegistered.cshtml",
        "Registration/RegistrationDecision.cshtml",
    ];

    private static readonly string Root = Path.Combine(Repository.Root, "Templates");

    private static IReadOnlyList<string> Translated => [.. LanguageOptions.Available.Where(l => l != "en")];

    private static HashSet<string> Files(string folder, bool skipLanguages) =>
        [.. Directory.EnumerateFiles(folder, "*.cshtml", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(folder, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Where(f => !skipLanguages || !Translated.Any(l => f.StartsWith(l + "/", StringComparison.Ordinal)))];

    [Fact]
    public void Every_template_exists_in_every_language_but_the_listed_ones()
    {
        var english = Files(Root, skipLanguages: true);
        var problems = new List<string>();
        foreach (var language in Translated)
        {
            var folder = Path.Combine(Root, language);
            var theirs = Directory.Exists(folder) ? Files(folder, skipLanguages: false) : [];
            problems.AddRange(english.Except(theirs).Where(f => !NotYetTranslated.Contains(f)).Select(f => $"{language}/{f} is missing"));
            problems.AddRange(theirs.Except(english).Select(f => $"{language}/{f} has no English version"));
            problems.AddRange(NotYetTranslated.Intersect(theirs).Select(f => $"{language}/{f} is translated: take it off the list"));
        }
        Assert.Empty(problems);
        Assert.All(NotYetTranslated, f => Assert.Contains(f, english));
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
