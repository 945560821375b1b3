using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Portal.Email.Mails;
using Portal.Localization;

namespace Portal.Email;

/// <summary>A message as sent: a one-line subject, the HTML body and the plain-text body.</summary>
public sealed record RenderedMail(string Subject, string Html, string Text);

/// <summary>
/// Renders a message from its template (<see cref="MailTemplateEngine"/>): the template's output,
/// in its layout, is the HTML part; the layout captures the Subject and Text sections, which the
/// templates print unencoded. Throws <see cref="MailTemplateException"/> when the template, or a
/// layout or partial it uses, does not compile and has no good version to fall back on.
/// </summary>
public sealed partial class MailRenderer(MailTemplateEngine templates, IOptions<PortalOptions> portal, IOptions<LanguageOptions> languages)
{
    /// <summary>The language of the templates at the top of the folder; each other language has a subfolder ("de/").</summary>
    private static readonly CultureInfo English = CultureInfo.GetCultureInfo("en");

    public Task<RenderedMail> RenderAsync<TMail>(TMail mail, CultureInfo? language = null) where TMail : IMail<TMail> =>
        RenderAsync(TMail.Template, mail, language);

    /// <summary>
    /// Renders the message in <paramref name="language"/> (the site's default when none is given, or
    /// one the site does not offer):
    /// its template from the language's folder, dates and durations in its words. A language whose
    /// folder lacks the template gets the English one, in English throughout.
    /// </summary>
    public async Task<RenderedMail> RenderAsync(string template, object mail, CultureInfo? language = null)
    {
        var culture = languages.Value.CultureOf(language?.Name);
        var folder = FolderOf(culture, template);
        // The page that sends a message may be in another language (its request's): set here, the
        // message's language holds for this rendering only.
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = folder.Length == 0 ? English : culture;
        var rendering = new MailRendering(portal.Value.Brand, folder);
        template = folder + template;
        var html = await templates.RenderAsync(template, mail, rendering);
        if (rendering.Subject is null || rendering.Text is null)
        {
            throw new InvalidOperationException($"The template {template} renders no subject or text part: is its layout _Layout.cshtml?");
        }
        return new RenderedMail(OneLine(rendering.Subject), html.Trim(), TidyText(rendering.Text));
    }

    /// <summary>
    /// Compiles every template and renders every message with its sample data: the errors, file and
    /// line and reason, or none.
    /// </summary>
    public async Task<IReadOnlyList<TemplateError>> CheckAsync(CancellationToken cancellationToken)
    {
        await templates.CompileAsync(cancellationToken);
        var errors = templates.Errors.ToList();
        errors.AddRange((await RenderSamplesAsync(cancellationToken)).Except(errors));
        return errors;
    }

    /// <summary>
    /// Renders every message with its sample data in every offered language: the errors of those that fail, including a layout
    /// or partial that is missing, which compiling the files that are there cannot find.
    /// </summary>
    public async Task<IReadOnlyList<TemplateError>> RenderSamplesAsync(CancellationToken cancellationToken)
    {
        var errors = new List<TemplateError>();
        foreach (var mail in MailTemplates.All)
        {
            foreach (var language in languages.Value.Cultures)
            {
                cancellationToken.ThrowIfCancellationRequested();
                try
                {
                    await RenderAsync(mail.Template, mail.Sample(portal.Value.Brand), language);
                }
                catch (MailTemplateException e)
                {
                    errors.AddRange(e.Errors);
                }
                catch (Exception e)
                {
                    errors.Add(new TemplateError(Path.Combine(templates.Root, FolderOf(language, mail.Template) + mail.Template), 0, $"fails with its sample data: {e.Message}"));
                }
            }
        }
        return [.. errors.Distinct()];
    }

    /// <summary>
    /// The folder of the language's version of the template ("de/" for de-AT too): "" for English, or
    /// when the language has no version of it.
    /// </summary>
    private string FolderOf(CultureInfo culture, string template)
    {
        for (var language = culture; language.Name.Length > 0; language = language.Parent)
        {
            if (language.TwoLetterISOLanguageName == English.TwoLetterISOLanguageName)
            {
                return "";
            }
            if (File.Exists(Path.Combine(templates.Root, language.Name, template)))
            {
                return language.Name + "/";
            }
        }
        return "";
    }

    /// <summary>Collapses every run of white space, line breaks included, so no header can be injected.</summary>
    public static string OneLine(string text) => Whitespace().Replace(text, " ").Trim();

    private static string TidyText(string text)
    {
        var lines = text.ReplaceLineEndings("\n").Split('\n').Select(l => l.TrimEnd());
        var joined = string.Join("\n", lines);
        return BlankLines().Replace(joined, "\n\n").Trim('\n') + "\n";
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"\n{3,}")]
    private static partial Regex BlankLines();
}
