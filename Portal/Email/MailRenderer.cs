using System.Collections.Concurrent;
using System.Net;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
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
public sealed partial class MailRenderer(
    IServiceScopeFactory scopes, IServiceProvider services, ILoggerFactory loggerFactory, IOptions<PortalOptions> portal)
{
    // The encoder the framework's renderer uses, so a filled-in value reads as a rendered one.
    private readonly HtmlEncoder _encoder = services.GetService<HtmlEncoder>() ?? HtmlEncoder.Default;
    private const int MaxShapes = 64;
    private readonly ConcurrentDictionary<object, Shape?> _shapes = new();
    private readonly ILogger _logger = loggerFactory.CreateLogger<MailRenderer>();

    /// <summary>
    /// Renders a message. A model with <see cref="MailSlotAttribute"/> properties is rendered once
    /// per shape (the message with those values left out) and each recipient's values are filled
    /// in; the first message of a shape is also rendered in full and compared, and a shape whose
    /// fill would differ is always rendered in full.
    /// </summary>
    public async Task<RenderedMail> RenderAsync<TMail>(TMail mail) where TMail : IMail<TMail>
    {
        if (Slots<TMail>.Properties.Length == 0)
        {
            return Finish(await RenderPartsAsync(TMail.Template, mail));
        }
        var values = Slots<TMail>.Values(mail);
        var key = Slots<TMail>.Shape(mail, values);
        if (_shapes.TryGetValue(key, out var known))
        {
            return known is null ? Finish(await RenderPartsAsync(TMail.Template, mail)) : Finish(known.Fill(values));
        }

        var shape = new Shape(await RenderPartsAsync(TMail.Template, key), Slots<TMail>.Markers, _encoder);
        var full = Finish(await RenderPartsAsync(TMail.Template, mail));
        var fits = Finish(shape.Fill(values)) == full;
        if (!fits)
        {
            _logger.LogWarning("The {Template} template does not only print its slot properties; its messages are rendered one by one.", TMail.Template.Name);
        }
        if (_shapes.Count >= MaxShapes)
        {
            _shapes.Clear();
        }
        _shapes[key] = fits ? shape : null;
        return full;
    }

    public async Task<RenderedMail> RenderAsync(Type template, object mail) => Finish(await RenderPartsAsync(template, mail));

    private async Task<Parts> RenderPartsAsync(Type template, object mail)
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

        return new Parts(
            WebUtility.HtmlDecode(Part(markup, MailPart.Subject)),
            "<!DOCTYPE html>\n" + Part(markup, MailPart.Html),
            WebUtility.HtmlDecode(Part(markup, MailPart.Text)));
    }

    /// <summary>Blank values stay in the shape: a template may print something else for them.</summary>
    private static bool Stamped(string? value) => !string.IsNullOrWhiteSpace(value);

    private static RenderedMail Finish(Parts parts) => new(OneLine(parts.Subject), parts.Html, TidyText(parts.Text));

    /// <summary>The three parts as rendered: subject and text decoded, not yet tidied.</summary>
    private sealed record Parts(string Subject, string Html, string Text);

    /// <summary>A message rendered with markers where the slot values go, cut at the markers.</summary>
    private sealed class Shape(Parts parts, string[] markers, HtmlEncoder encoder)
    {
        private readonly Stencil _subject = new(parts.Subject, markers);
        private readonly Stencil _html = new(parts.Html, markers);
        private readonly Stencil _text = new(parts.Text, markers);

        public Parts Fill(string?[] values)
        {
            var encoded = values.Select(v => Stamped(v) ? encoder.Encode(v!) : v).ToArray();
            return new Parts(_subject.Fill(values), _html.Fill(encoded), _text.Fill(values));
        }
    }

    /// <summary>A text cut at its markers: the pieces between them, and which slot each marker stands for.</summary>
    private sealed class Stencil
    {
        private readonly List<string> _pieces = [];
        private readonly List<int> _slots = [];

        public Stencil(string text, string[] markers)
        {
            var start = 0;
            while (true)
            {
                var (at, slot) = (-1, -1);
                for (var i = 0; i < markers.Length; i++)
                {
                    var found = text.IndexOf(markers[i], start, StringComparison.Ordinal);
                    if (found >= 0 && (at < 0 || found < at))
                    {
                        (at, slot) = (found, i);
                    }
                }
                if (at < 0)
                {
                    break;
                }
                _pieces.Add(text[start..at]);
                _slots.Add(slot);
                start = at + markers[slot].Length;
            }
            _pieces.Add(text[start..]);
        }

        public string Fill(string?[] values)
        {
            var builder = new StringBuilder(_pieces.Sum(p => p.Length) + (_slots.Count * 64));
            for (var i = 0; i < _slots.Count; i++)
            {
                builder.Append(_pieces[i]).Append(values[_slots[i]]);
            }
            return builder.Append(_pieces[^1]).ToString();
        }
    }

    /// <summary>A model's slot properties and the markers that stand for them in a shape.</summary>
    private static class Slots<TMail>
    {
        private static readonly Func<TMail, TMail> Clone = typeof(TMail).GetMethod("<Clone>$") is { } clone
            ? m => (TMail)clone.Invoke(m, null)!
            : _ => throw new InvalidOperationException($"{typeof(TMail).Name} has slot properties but is not a record.");

        public static readonly PropertyInfo[] Properties = [.. typeof(TMail).GetProperties()
            .Where(p => p.IsDefined(typeof(MailSlotAttribute)) && p.PropertyType == typeof(string) && p.CanWrite)];

        public static readonly string[] Markers = [.. Properties.Select((_, i) =>
            $"slot{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12))}n{i}x")];

        public static string?[] Values(TMail mail) => [.. Properties.Select(p => (string?)p.GetValue(mail))];

        /// <summary>The message with each non-blank slot value replaced by its marker.</summary>
        public static TMail Shape(TMail mail, string?[] values)
        {
            var shape = Clone(mail);
            for (var i = 0; i < Properties.Length; i++)
            {
                if (Stamped(values[i]))
                {
                    Properties[i].SetValue(shape, Markers[i]);
                }
            }
            return shape;
        }
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
