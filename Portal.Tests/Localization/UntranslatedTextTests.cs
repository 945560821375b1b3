using System.Text.RegularExpressions;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Localization;

/// <summary>
/// No text a reader sees is written into a page: it comes from the page's resources, so every
/// language has it. A scan of the components' markup (text between tags, and the attributes people
/// read: labels, hints, titles) and of Identity's pages the portal serves (Areas/**/*.cshtml).
/// </summary>
public sealed partial class UntranslatedTextTests
{
    private static readonly string Source = Path.Combine(Repository.Root, "Portal");

    [Fact]
    public void No_page_writes_text_a_reader_sees()
    {
        var found = Components()
            .SelectMany(c => Literals(c.Markup).Select(text => $"{c.Name}: {text}"))
            .ToList();

        Assert.Empty(found);
    }

    [Theory]
    [InlineData("<h1>Hello there</h1>", "Hello there")]
    [InlineData("<FormField Label=\"User name\" />", "User name")]
    [InlineData("<button title=\"Close it\">@L[\"Close\"]</button>", "Close it")]
    [InlineData("@model LoginModel\n<input asp-for=\"Input.Email\" placeholder=\"name@example.org\" />", "name@example.org")]
    public void The_scan_finds_text_in_markup_and_in_the_attributes_people_read(string markup, string text)
    {
        Assert.Equal([text], Literals(markup));
    }

    [Theory]
    [InlineData("<h1>@L[\"Title\"]</h1>")]
    [InlineData("@inject IStringLocalizer<HomePage> L\n<p>@L[\"Intro\"]</p>")]
    [InlineData("@if (open)\n{\n    <p>@L[\"Open\"]</p>\n}\nelse\n{\n    <p>@L[\"Shut\"]</p>\n}")]
    [InlineData("@* A comment with words *@<p>@Model.Name</p>")]
    [InlineData("@page\n@model LoginModel\n@{\n    ViewData[\"Title\"] = L[\"Title\"].Value;\n}\n<h1>@ViewData[\"Title\"]</h1>")]
    [InlineData("@page\n@functions {\n    public IActionResult OnGet() => LocalRedirect(\"~/\");\n}")]
    public void The_scan_passes_localized_markup_code_and_comments(string markup)
    {
        Assert.Empty(Literals(markup));
    }

    private static IEnumerable<(string Name, string Markup)> Components() =>
        Repository.SourceFiles(Source, "*.razor").Concat(Repository.SourceFiles(Path.Combine(Source, "Areas"), "*.cshtml"))
            .Select(f => (Path.GetRelativePath(Source, f).Replace(Path.DirectorySeparatorChar, '/'), File.ReadAllText(f)));

    /// <summary>The texts written into markup: what is left once comments, directives, the code block and Razor code are taken out.</summary>
    private static List<string> Literals(string markup)
    {
        var text = Comment().Replace(markup, "");
        text = Directive().Replace(text, "");
        var code = CodeBlock().Match(text);
        text = code.Success ? text[..code.Index] : text;
        var found = new List<string>();
        foreach (Match between in BetweenTags().Matches(text))
        {
            found.AddRange(between.Groups[1].Value.Split('\n').Select(l => l.Trim())
                .Where(l => l.Length > 0 && !CodeLine().IsMatch(l) && !l.EndsWith(';') && !l.EndsWith('{') && !l.EndsWith('}') && Words().IsMatch(l)));
        }
        found.AddRange(ReadAttribute().Matches(text).Select(m => m.Groups[2].Value).Where(v => Words().IsMatch(v)));
        return found;
    }

    [GeneratedRegex(@"@\*.*?\*@", RegexOptions.Singleline)]
    private static partial Regex Comment();

    [GeneratedRegex(@"(?m)^@(inject|using|page|attribute|inherits|implements|typeparam|layout|rendermode|namespace|model|addTagHelper)\b.*$")]
    private static partial Regex Directive();

    /// <summary>A component's @code block, a Razor page's @functions block.</summary>
    [GeneratedRegex(@"@(code|functions)\b")]
    private static partial Regex CodeBlock();

    [GeneratedRegex(@">([^<>]*)<")]
    private static partial Regex BetweenTags();

    [GeneratedRegex(@"^(@|\}|\{|case\b|break;|else\b|default:|//|for(each)?\b|if\b|var\b)")]
    private static partial Regex CodeLine();

    [GeneratedRegex(@"\b(Label|Hint|Title|placeholder|aria-label|title|Text|HelperText|AdornmentAriaLabel)=""([^""@][^""]*)""")]
    private static partial Regex ReadAttribute();

    [GeneratedRegex("[A-Za-z]{2}")]
    private static partial Regex Words();
}
