using System.Globalization;
using Microsoft.AspNetCore.Localization;
using Microsoft.Extensions.Options;

namespace Portal.Localization;

/// <summary>
/// Who reads which language: the visitor's own choice (the language switch's cookie, which a
/// member's saved language sets at sign-in), else the language of the invitation a link belongs to,
/// else the first of the browser's languages the portal offers, else the site's default. Texts come
/// from the resource files beside each page and service (<c>RegisterPage.resx</c>, <c>RegisterPage.de.resx</c>).
/// </summary>
public static class LanguageSetup
{
    /// <summary>The cookie that keeps the language a visitor chose.</summary>
    public const string Cookie = "portal-language";

    /// <summary>The address of the language switch: <c>language/de?returnUrl=/register</c>.</summary>
    public const string SwitchPath = "language";

    public static WebApplicationBuilder AddPortalLanguages(this WebApplicationBuilder builder)
    {
        builder.Services.AddSettings<LanguageOptions>(LanguageOptions.Section);
        builder.Services.AddLocalization();
        builder.Services.AddSingleton<MemberLanguages>();
        builder.Services.AddOptions<RequestLocalizationOptions>().Configure<IOptions<LanguageOptions>>((request, languages) =>
        {
            var cultures = languages.Value.Cultures;
            request.DefaultRequestCulture = new RequestCulture(languages.Value.DefaultCulture);
            request.SupportedCultures = [.. cultures];
            request.SupportedUICultures = [.. cultures];
            // Features add theirs after the cookie (an invitation's link knows its language).
            request.RequestCultureProviders = [new CookieRequestCultureProvider { CookieName = Cookie }, new AcceptLanguageHeaderRequestCultureProvider()];
        });
        return builder;
    }

    /// <summary>Sets each request's language, and maps the language switch.</summary>
    public static WebApplication UsePortalLanguages(this WebApplication app)
    {
        app.UseRequestLocalization();
        app.MapGet($"/{SwitchPath}/{{language}}", Switch).DisableAntiforgery();
        return app;
    }

    /// <summary>The link that switches to <paramref name="culture"/> and comes back to <paramref name="returnPath"/>.</summary>
    public static string SwitchLink(string culture, string returnPath) => $"{SwitchPath}/{culture}?returnUrl={Uri.EscapeDataString(returnPath)}";

    /// <summary>Keeps the chosen language in a cookie for a year and goes back to the page, never to another site.</summary>
    private static IResult Switch(string language, string? returnUrl, HttpContext context, IOptions<LanguageOptions> languages, TimeProvider clock)
    {
        var culture = languages.Value.Cultures.FirstOrDefault(c => string.Equals(c.Name, language, StringComparison.OrdinalIgnoreCase));
        if (culture is null)
        {
            return Results.NotFound();
        }
        Remember(context, culture, clock);
        return Results.Redirect(IsLocal(returnUrl) ? returnUrl! : "/");
    }

    /// <summary>Keeps <paramref name="culture"/> as the browser's language for a year: the answer to this request sets the cookie.</summary>
    public static void Remember(HttpContext context, CultureInfo culture, TimeProvider clock) =>
        context.Response.Cookies.Append(Cookie, CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(culture)), new CookieOptions
        {
            Expires = clock.GetUtcNow().AddYears(1),
            HttpOnly = true,
            Secure = context.Request.IsHttps,
            SameSite = SameSiteMode.Lax,
            IsEssential = true,
        });

    /// <summary>A path on this site: "/register", not "//evil.example" nor "/\evil.example" nor "https://...".</summary>
    internal static bool IsLocal(string? url) =>
        url is { Length: > 0 } && url[0] == '/' && !url.StartsWith("//", StringComparison.Ordinal)
        && !url.Contains('\\', StringComparison.Ordinal) && !url.Any(char.IsControl);
}
