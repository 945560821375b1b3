using Portal.Features.Settings;

namespace Portal.Features.Registration;

public static class RegistrationSetup
{
    public static IServiceCollection AddRegistration(this IServiceCollection services)
    {
        services.AddOptions<RegistrationOptions>().BindConfiguration(RegistrationOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<SiteSettings>();
        services.AddSingleton<ActivationKeys>();
        services.AddSingleton<RegistrationReview>();
        return services;
    }
}
