namespace Portal.Features.Settings;

public static class SettingsSetup
{
    /// <summary>The settings admins change on the settings page, and the schedule of the background jobs.</summary>
    public static IServiceCollection AddSiteSettings(this IServiceCollection services)
    {
        services.AddSingleton<SiteSettings>();
        services.AddSingleton<JobSchedule>();
        return services;
    }
}
