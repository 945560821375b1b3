using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Portal.Email.Mails;

namespace Portal.Email;

/// <summary>A message as sent: a one-line subject, the HTML body and the plain-text body.</summary>
public sealed record RenderedMail(string Subject, string Html, string Text);

/// <summary>
/// Renders a message from its template (<see cref="MailTemplateEngine"/>): the template's output,
/// in its layout, is the HTML part; the layout captures the Subject and Text sections, which the
/// templates print unencoded. Throws <see cref="MailTemplateException"/> when the template, or a
/// layout or partial it uses, does not compile and has no good version to fall back on.
/// </summary>
public sealed partial class MailRenderer(MailTemplateEngine templates, IOptions<PortalOptions> portal)
{
    private static readonly CultureInfo TemplateLanguage = CultureInfo.GetCultureInfo("en");

    public Task<RenderedMail> RenderAsync<TMail>(TMail mail) where TMail : IMail<TMail> => RenderAsync(TMail.Template, mail);

    public async Task<RenderedMail> RenderAsync(string template, object mail)
    {
        // The templates are written in English: the language of the page that sends a message (its
        // request's) must not reach into it. Set here, it holds for this rendering only.
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = TemplateLanguage;
        var rendering = new MailRendering(portal.Value.Brand);
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
    /// Renders every message with its sample data: the errors of those that fail, including a layout
    /// or partial that is missing, which compiling the files that are there cannot find.
    /// </summary>
    public async Task<IReadOnlyList<TemplateError>> RenderSamplesAsync(CancellationToken cancellationToken)
    {
        var errors = new List<TemplateError>();
        foreach (var mail in MailTemplates.All)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                await RenderAsync(mail.Template, mail.Sample(portal.Value.Brand));
            }
            catch (MailTemplateException e)
            {
                errors.AddRange(e.Errors);
            }
            catch (Exception e)
            {
                errors.Add(new TemplateError(Path.Combine(templates.Root, mail.Template), 0, $"fails with its sample data: {e.Message}"));
            }
        }
        return errors;
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
