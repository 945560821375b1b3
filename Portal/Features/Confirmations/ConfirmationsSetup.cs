using Portal.Identity;

namespace Portal.Features.Confirmations;

public static class ConfirmationsSetup
{
    /// <summary>Deferred changes, the shipped kinds, the development SMS and letter channels, and the expiry job.</summary>
    public static IServiceCollection AddConfirmations(this IServiceCollection services)
    {
        services.AddSettings<ConfirmationsOptions>(ConfirmationsOptions.Section);
        services.AddSingleton<ISmsSender, OutboxSmsSender>();
        services.AddSingleton<ILetterSender, PrintQueueLetterSender>();
        services.AddSingleton<ChangeKind, EmailChangeKind>();
        services.AddSingleton<ChangeKind, PhoneChangeKind>();
        services.AddSingleton<ChangeKind, PostalAddressChangeKind>();
        services.AddSingleton<ChangeKind, BankAccountChangeKind>();
        services.AddSingleton<ChangeKind, DisplayNameChangeKind>();
        services.AddSingleton<SendLimits>();
        services.AddSingleton<CodeEntryLocks>();
        services.AddSingleton<EmailChangeReverts>();
        services.AddSingleton<ChangeLifecycle>();
        services.AddSingleton<ChangeRequests>();
        services.AddSingleton<ChangeModeration>();
        services.AddSingleton<ChannelQueues>();
        services.AddSingleton<ReviewInbox>();
        services.AddHostedService<ChangeExpiryJob>();
        return services;
    }
}
