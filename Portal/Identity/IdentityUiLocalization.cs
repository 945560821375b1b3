using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.ModelBinding.Metadata;

namespace Portal.Identity;

/// <summary>
/// Identity's pages in the reader's language. The portal's copies of the pages take their texts from
/// the resource files beside them (<c>Login.cshtml</c>, <c>Login.resx</c>, <c>Login.de.resx</c>); what
/// Identity's page models write in English goes through <see cref="IdentityUiTexts"/>: field names and
/// validation messages (on the server and in the page's scripts) as the form's metadata is built, the
/// errors a page model adds once its handler has run, and its messages after a change in the page that
/// shows them (<c>_StatusMessage.cshtml</c>).
/// </summary>
public static class IdentityUiLocalization
{
    public static IServiceCollection AddIdentityUiLocalization(this IServiceCollection services)
    {
        var texts = new IdentityUiTexts();
        services.AddSingleton(texts);
        services.AddRazorPages()
            .AddViewLocalization()
            .AddDataAnnotationsLocalization(o => o.DataAnnotationLocalizerProvider = (_, _) => texts)
            .AddMvcOptions(o =>
            {
                o.ModelMetadataDetailsProviders.Add(new FieldTexts(texts));
                o.Filters.Add(new TranslatedErrors(texts));
            });
        return services;
    }

    /// <summary>
    /// Gives a field without a display name of its own (Identity's "Email", "Password") its name in the
    /// reader's language, and a rule without a message of its own ([Required], [EmailAddress]) its English
    /// default as its message, which the data annotations' localizer then translates like the others.
    /// </summary>
    private sealed class FieldTexts(IdentityUiTexts texts) : IDisplayMetadataProvider, IValidationMetadataProvider
    {
        public void CreateDisplayMetadata(DisplayMetadataProviderContext context)
        {
            if (context.Key.MetadataKind == ModelMetadataKind.Property && context.DisplayMetadata.DisplayName is null
                && context.Key.Name is { } name && IdentityUiTexts.Knows(name))
            {
                context.DisplayMetadata.DisplayName = () => texts[name];
            }
        }

        public void CreateValidationMetadata(ValidationMetadataProviderContext context)
        {
            foreach (var rule in context.Attributes.OfType<ValidationAttribute>())
            {
                if (rule.ErrorMessage is null && rule.ErrorMessageResourceType is null)
                {
                    // The message with its field's placeholder kept: "The {0} field is required."
                    rule.ErrorMessage = rule.FormatErrorMessage("{0}");
                }
            }
        }
    }

    /// <summary>The errors a page model added to its form ("Invalid login attempt."), in the reader's language, before the page shows them.</summary>
    private sealed class TranslatedErrors(IdentityUiTexts texts) : IAsyncResultFilter
    {
        public Task OnResultExecutionAsync(ResultExecutingContext context, ResultExecutionDelegate next)
        {
            foreach (var errors in context.ModelState.Values.Select(entry => entry.Errors))
            {
                for (var i = 0; i < errors.Count; i++)
                {
                    if (errors[i].Exception is null)
                    {
                        errors[i] = new ModelError(texts[errors[i].ErrorMessage]);
                    }
                }
            }
            return next();
        }
    }
}
