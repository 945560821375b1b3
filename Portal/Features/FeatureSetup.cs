using Portal.Features.Api;
using Portal.Features.Audit;
using Portal.Features.Confirmations;
using Portal.Features.Dashboard;
using Portal.Features.Invitations;
using Portal.Features.OptOut;
using Portal.Features.Outbox;
using Portal.Features.Registration;
using Portal.Features.Settings;
using Portal.Features.Users;
using Portal.Features.Webhooks;

namespace Portal.Features;

public static class FeatureSetup
{
    public static WebApplicationBuilder AddPortalFeatures(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddAudit();
        services.AddSiteSettings();
        services.AddUsers();
        services.AddOutboxAdmin();
        services.AddOptOut();
        services.AddInvitations();
        services.AddRegistration();
        services.AddConfirmations();
        services.AddDashboard();
        services.AddWebhooks();
        services.AddPortalApi();
        return builder;
    }
}
