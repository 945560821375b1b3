using System.Text.Encodings.Web;
using System.Text.Unicode;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.WebEncoders;
using Microsoft.Net.Http.Headers;
using Portal.Features.Api;
using Portal.Features.Invitations;
using Portal.Identity;
using Portal.Localization;
using MudBlazor;
using MudBlazor.Services;
using Portal.Components.Layout;
using Scalar.AspNetCore;

namespace Portal.Components;

public static class WebSetup
{
    // Nothing is loaded from other origins; MudBlazor sets inline styles (positions, colours).
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
        "font-src 'self' data:; connect-src 'self'; frame-src 'self'; frame-ancestors 'none'; " +
        "base-uri 'self'; form-action 'self'; object-src 'none'";

    public static WebApplicationBuilder AddPortalWeb(this WebApplicationBuilder builder)
    {
        // The hosting layer logs each request's path, and puts it in a scope around every other log
        // line; paths carry invitation and activation tokens, which must never reach a log.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        builder.Services.AddSettings<ProxyOptions>(ProxyOptions.Section);
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddRazorPages();
        builder.Services.AddMudServices(o =>
        {
            o.SnackbarConfiguration.PositionClass = Defaults.Classes.Position.BottomRight;
            o.SnackbarConfiguration.VisibleStateDuration = 6000;
        });
        builder.Services.AddTransient<MudLocalizer, MudTexts>();
        builder.Services.AddSingleton<PortalTheme>();
        builder.Services.AddHttpContextAccessor();
        // Names and addresses in any script are written as they are, not as numeric entities;
        // the characters HTML gives meaning to are still encoded.
        builder.Services.Configure<WebEncoderOptions>(o => o.TextEncoderSettings = new TextEncoderSettings(UnicodeRanges.All));
        return builder;
    }

    public static WebApplication UsePortalWeb(this WebApplication app)
    {
        // First: everything after it (rate limits, HTTPS redirects, secure cookies) sees the real client.
        app.UseForwardedHeaders(app.Services.GetRequiredService<IOptions<ProxyOptions>>().Value.Forwarding());
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/error", createScopeForErrors: true);
            app.UseHsts();
        }
        app.UseStatusCodePagesWithReExecute("/status/{0}", createScopeForStatusCodePages: true);
        app.Use(SecurityHeaders);
        app.UsePortalLanguages();
        app.UseStaticFiles();
        app.UsePortalRateLimits();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();
        app.UsePortalApi();

        app.MapHealthChecks("/healthz");
        app.MapInvitationEndpoints();
        app.MapPortalApi();
        app.MapRazorPages();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }

    /// <summary>
    /// Headers on every response: no referrer ever leaves the site (links in pages may carry
    /// tokens), pages are never cached, the site is not framed, and only its own origin is trusted.
    /// </summary>
    private static Task SecurityHeaders(HttpContext context, RequestDelegate next)
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            // The API documentation's scripts carry a nonce fresh for each response: they run, nothing else inline does.
            headers.ContentSecurityPolicy = context.Items[ScalarOptions.NonceHttpContextItemKey] is string nonce
                ? ContentSecurityPolicy.Replace("script-src 'self'", $"script-src 'self' 'nonce-{nonce}'", StringComparison.Ordinal)
                : ContentSecurityPolicy;
            var type = context.Response.ContentType ?? "";
            if (!headers.ContainsKey(HeaderNames.CacheControl)
                && (type.StartsWith("text/html", StringComparison.Ordinal) || type.StartsWith("application/json", StringComparison.Ordinal)))
            {
                headers.CacheControl = "no-store";
            }
            return Task.CompletedTask;
        });
        return next(context);
    }
}
