namespace Portal.Features.Account;

public static class AccountSetup
{
    /// <summary>The mail Identity sends about an account (confirmation, reset, address change).</summary>
    public static IServiceCollection AddAccount(this IServiceCollection services)
    {
        services.AddSingleton<AccountEmails>();
        return services;
    }
}
