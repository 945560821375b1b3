using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.Options;
using Portal.Templates;
using Portal.Templates.Layout;

namespace Portal.Email;

/// <summary>A message as sent: a one-line subject, the HTML body and the plain-text body.</summary>
public sealed record RenderedMail(string Subject, string Html, string Text);

/// <summary>
/// Renders a template component with the framework's HtmlRenderer and cuts the output into its
/// three parts. Everything the templates print is HTML-encoded by the renderer; the subject and
/// text parts are decoded back to plain text here.
/// </summary>
public sealed partial class MailRenderer(IServiceScopeFactory scopes, ILoggerFactory loggerFactory, IOptions<PortalOptions> portal)
{
    public Task<RenderedMail> RenderAsync<TMail>(TMail mail) where TMail : IMail<TMail> =>
        RenderAsync(TMail.Template, mail);

    public async Task<RenderedMail> RenderAsync(Type template, object mail)
    {
        var brand = portal.Value.Brand;
        RenderFragment body = b =>
        {
            b.OpenComponent(0, template);
            b.AddComponentParameter(1, nameof(MailTemplate<>.Mail), mail);
            b.CloseComponent();
        };
        var parameters = ParameterView.FromDictionary(new Dictionary<string, object?>
        {
            [nameof(CascadingValue<>.Value)] = brand,
            [nameof(CascadingValue<>.IsFixed)] = true,
            [nameof(CascadingValue<>.ChildContent)] = body,
        });

        // A renderer keeps every root component it rendered, so each message gets its own (and
        // its own scope, as the renderer asks for scoped services).
        await using var scope = scopes.CreateAsyncScope();
        await using var renderer = new HtmlRenderer(scope.ServiceProvider, loggerFactory);
        var markup = await renderer.Dispatcher.InvokeAsync(async () =>
            (await renderer.RenderComponentAsync<CascadingValue<MailBrand>>(parameters)).ToHtmlString());

        return new RenderedMail(
            Subject: OneLine(WebUtility.HtmlDecode(Part(markup, MailPart.Subject))),
            Html: "<!DOCTYPE html>\n" + Part(markup, MailPart.Html),
            Text: TidyText(WebUtility.HtmlDecode(Part(markup, MailPart.Text))));
    }

    /// <summary>Collapses every run of white space, line breaks included, so no header can be injected.</summary>
    public static string OneLine(string text) => Whitespace().Replace(text, " ").Trim();

    private static string Part(string markup, string name)
    {
        var open = $"<{MailPart.Element} data-part=\"{name}\">";
        var start = markup.IndexOf(open, StringComparison.Ordinal);
        if (start < 0)
        {
            throw new InvalidOperationException($"The template renders no {name} part.");
        }
        start += open.Length;
        var end = markup.IndexOf($"</{MailPart.Element}>", start, StringComparison.Ordinal);
        return markup[start..end];
    }

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
