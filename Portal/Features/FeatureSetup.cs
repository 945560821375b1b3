using Portal.Events;
using Portal.Features.Audit;
using Portal.Features.Confirmations;
using Portal.Features.Invitations;
using Portal.Features.Outbox;
using Portal.Features.Registration;
using Portal.Features.Users;

namespace Portal.Features;

public static class FeatureSetup
{
    public static WebApplicationBuilder AddPortalFeatures(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<AuditLog>();
        services.AddSingleton<UserAdmin>();
        services.AddSingleton<OutboxAdmin>();
        services.AddSingleton<SuppressionList>();
        services.AddSingleton<EventPublisher>();
        services.AddInvitations();
        services.AddRegistration();
        services.AddConfirmations();
        return builder;
    }
}
