using System.Globalization;
using System.Resources;

namespace Portal.Localization;

/// <summary>
/// The texts of a class that has no localizer injected (rules, formats), from the resource files
/// beside it (<c>UserNameRules.resx</c>, <c>UserNameRules.de.resx</c>), in the current UI culture:
/// the request's language, on the command line the shell's; English where the portal has no texts for it.
/// </summary>
public sealed class StaticTexts(Type owner)
{
    private readonly ResourceManager _resources = new(owner.FullName!, owner.Assembly);

    public string this[string name] =>
        _resources.GetString(name, CultureInfo.CurrentUICulture) ?? throw new InvalidOperationException($"{owner.Name} has no text called {name}.");

    /// <summary>The text with its placeholders filled, numbers written as the reader writes them.</summary>
    public string Format(string name, params object?[] values) => string.Format(CultureInfo.CurrentCulture, this[name], values);
}
