using Microsoft.AspNetCore.Localization;

namespace Portal.Features.Invitations;

/// <summary>
/// The pages of an invitation's link (<c>invite/{token}</c>, its opt-out page) are in the
/// invitation's language, unless the reader chose one with the language switch.
/// </summary>
public sealed class InvitationLanguageProvider : RequestCultureProvider
{
    public override async Task<ProviderCultureResult?> DetermineProviderCultureResult(HttpContext httpContext)
    {
        if (!httpContext.Request.Path.StartsWithSegments("/invite", out var rest) || !rest.HasValue)
        {
            return null;
        }
        var segments = rest.Value.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length is not (1 or 2) || segments is [_, not "opt-out"])
        {
            return null;
        }
        var language = await httpContext.RequestServices.GetRequiredService<InvitationResponses>().LanguageAsync(segments[0], httpContext.RequestAborted);
        return language is null ? null : new ProviderCultureResult(language);
    }
}
