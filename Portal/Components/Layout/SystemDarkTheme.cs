using Microsoft.AspNetCore.Components.Rendering;
using MudBlazor;

namespace Portal.Components.Layout;

/// <summary>
/// The theme's dark colours for a page rendered without a circuit, in force only while the system
/// asks for dark (a style sheet for <c>prefers-color-scheme: dark</c>): a page no one chose a theme
/// for follows the system with no script at all. Set <see cref="MudThemeProvider.IsDarkMode"/>.
/// </summary>
public sealed class SystemDarkTheme : MudThemeProvider
{
    protected override void BuildRenderTree(RenderTreeBuilder builder)
    {
        var css = BuildTheme();
        var tag = css.IndexOf("<style", StringComparison.Ordinal);
        if (tag < 0)
        {
            throw new InvalidOperationException("The theme provider's output has no style element to restrict to a dark system.");
        }
        builder.AddMarkupContent(0, css.Insert(tag + "<style".Length, " media=\"(prefers-color-scheme: dark)\""));
    }
}
