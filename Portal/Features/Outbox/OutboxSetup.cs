namespace Portal.Features.Outbox;

public static class OutboxSetup
{
    /// <summary>What admins do with the outbox: retry a message, lift a suppressed address.</summary>
    public static IServiceCollection AddOutboxAdmin(this IServiceCollection services)
    {
        services.AddSingleton<OutboxAdmin>();
        services.AddSingleton<SuppressionList>();
        return services;
    }
}
