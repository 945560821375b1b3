using Microsoft.AspNetCore.Components;

namespace Portal.Templates;

/// <summary>Base of every template: the model as a parameter, the brand as a cascading value.</summary>
public abstract class MailTemplate<TMail> : ComponentBase where TMail : IMail<TMail>
{
    [Parameter, EditorRequired]
    public TMail Mail { get; set; } = default!;

    [CascadingParameter]
    public MailBrand Brand { get; set; } = default!;
}
