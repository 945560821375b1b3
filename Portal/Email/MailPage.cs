using System.Dynamic;
using Microsoft.AspNetCore.Html;
using Portal.Email.Mails;
using RazorLight;

namespace Portal.Email;

/// <summary>
/// Base of every template file: the model, the site's brand, and the button partial. Whatever it
/// prints with <c>@value</c> is HTML-encoded; the plain-text sections print with <c>@Raw(value)</c>.
/// </summary>
public abstract class MailPage<TModel> : TemplatePage<TModel>
{
    public MailBrand Brand => Rendering.Brand;

    /// <summary>What this message has rendered so far, shared with its layout and partials.</summary>
    public MailRendering Rendering => MailRendering.Of(PageContext.ViewBag);

    /// <summary>
    /// A shared file (the layout, a partial) in the language being rendered: "_Layout.cshtml" in
    /// English, "de/_Layout.cshtml" in German. Templates name their layout and partials through it.
    /// </summary>
    public string Localized(string file) => Rendering.Folder + file;

    /// <summary>A link styled as a button (the _Button.cshtml partial).</summary>
    public async Task<IHtmlContent> ButtonAsync(string href, string label)
    {
        await IncludeAsync(Localized("_Button.cshtml"), new MailButton(href, label));
        return HtmlString.Empty;
    }
}

/// <summary>Base of the layout, which renders the HTML part and captures the plain-text ones.</summary>
public abstract class MailLayoutPage : MailPage<object>
{
    /// <summary>What <paramref name="write"/> writes (a section, a partial), as a string rather than into the page.</summary>
    public async Task<string> CaptureAsync(Func<Task> write)
    {
        await using var buffer = new StringWriter();
        PushWriter(buffer);
        try
        {
            await write();
        }
        finally
        {
            PopWriter();
        }
        return buffer.ToString();
    }
}

/// <summary>The model of the _Button.cshtml partial.</summary>
public sealed record MailButton(string Href, string Label);

/// <summary>One message being rendered: the brand it carries, its language's folder, and the parts its layout captured.</summary>
public sealed class MailRendering(MailBrand brand, string folder = "")
{
    public MailBrand Brand { get; } = brand;

    /// <summary>The templates folder's subfolder of the message's language: "" for English, "de/" for German.</summary>
    public string Folder { get; } = folder;

    public string? Subject { get; set; }

    public string? Text { get; set; }

    public ExpandoObject ToViewBag()
    {
        var bag = new ExpandoObject();
        ((IDictionary<string, object?>)bag)[nameof(MailRendering)] = this;
        return bag;
    }

    public static MailRendering Of(dynamic viewBag) => (MailRendering)((IDictionary<string, object?>)viewBag)[nameof(MailRendering)]!;
}
