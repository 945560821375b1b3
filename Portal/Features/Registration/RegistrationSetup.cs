namespace Portal.Features.Registration;

public static class RegistrationSetup
{
    public static IServiceCollection AddRegistration(this IServiceCollection services)
    {
        services.AddSettings<RegistrationOptions>(RegistrationOptions.Section);
        services.AddSingleton<ActivationKeys>();
        services.AddSingleton<ActivationStep>();
        services.AddSingleton<Registrations>();
        services.AddSingleton<PendingActivations>();
        services.AddSingleton<RegistrationCleanup>();
        services.AddHostedService<RegistrationCleanupJob>();
        services.AddSingleton<RegistrationReview>();
        return services;
    }
}
