using Microsoft.Extensions.Localization;
using MudBlazor;

namespace Portal.Localization;

/// <summary>
/// MudBlazor's own texts (a grid's "Rows per page", a dialog's close button) in the reader's
/// language, from the resource files beside this class. MudBlazor asks only for a language other
/// than English, and keeps its own English for a text not found.
/// </summary>
public sealed class MudTexts(IStringLocalizer<MudTexts> texts) : MudLocalizer
{
    public override LocalizedString this[string key] => texts[key];

    public override LocalizedString this[string key, params object[] arguments] => texts[key, arguments];
}
