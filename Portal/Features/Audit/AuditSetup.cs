namespace Portal.Features.Audit;

public static class AuditSetup
{
    /// <summary>The audit log every feature writes to.</summary>
    public static IServiceCollection AddAudit(this IServiceCollection services)
    {
        services.AddSingleton<AuditLog>();
        return services;
    }
}
