namespace Portal.Features.Users;

public static class UsersSetup
{
    /// <summary>The admins' user management.</summary>
    public static IServiceCollection AddUsers(this IServiceCollection services)
    {
        services.AddSingleton<UserAdmin>();
        return services;
    }
}
