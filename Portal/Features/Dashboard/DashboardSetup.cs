namespace Portal.Features.Dashboard;

public static class DashboardSetup
{
    /// <summary>The figures only the dashboard shows.</summary>
    public static IServiceCollection AddDashboard(this IServiceCollection services) => services.AddSingleton<DashboardFigures>();
}
