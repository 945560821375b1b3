using Microsoft.AspNetCore.Localization;
using Portal.Data;
using Portal.Features.Invitations.Bulk;
using Portal.Features.OptOut;

namespace Portal.Features.Invitations;

public static class InvitationsSetup
{
    public static IServiceCollection AddInvitations(this IServiceCollection services)
    {
        services.AddSettings<InvitationOptions>(InvitationOptions.Section);
        services.AddSingleton<IInvitationSender, OutboxInvitationSender>();
        services.AddSingleton<InvitationService>();
        services.AddSingleton<InvitationResponses>();
        // After the reader's own choice (the switch's cookie), before the browser's languages.
        services.PostConfigure<RequestLocalizationOptions>(o => o.RequestCultureProviders.Insert(1, new InvitationLanguageProvider()));
        services.AddSettings<BulkInviteOptions>(BulkInviteOptions.Section);
        services.AddSingleton<BulkAnalysis>();
        services.AddSingleton<BulkRuns>();
        services.AddSingleton<BulkQueries>();
        services.AddSingleton<BulkJobRunner>();
        services.AddHostedService(sp => sp.GetRequiredService<BulkJobRunner>());
        return services;
    }

    /// <summary>
    /// The one-click unsubscribe address of RFC 8058: mail clients POST "List-Unsubscribe=One-Click"
    /// to it, without a page, a cookie or an antiforgery token (the token in the path is the proof).
    /// A GET (a person, or a scanner) only leads to the opt-out page.
    /// </summary>
    public static IEndpointRouteBuilder MapInvitationEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/invite/{token}/one-click", async (string token, HttpRequest request, InvitationResponses responses) =>
        {
            var form = request.HasFormContentType ? await request.ReadFormAsync() : null;
            if (form?["List-Unsubscribe"].ToString() != "One-Click")
            {
                return Results.BadRequest("Expected List-Unsubscribe=One-Click.");
            }
            var problem = await responses.OptOutAsync(token, OptOutSource.OneClick);
            return problem is null ? Results.Text("You are opted out of invitations.") : Results.NotFound();
        }).DisableAntiforgery();
        endpoints.MapGet("/invite/{token}/one-click", (string token) => Results.Redirect($"/invite/{Uri.EscapeDataString(token)}/opt-out"));
        endpoints.MapBulkInviteEndpoints();
        return endpoints;
    }
}
