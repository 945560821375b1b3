namespace Portal.Events;

public static class EventsSetup
{
    /// <summary>The in-process events the features raise and the handlers that listen.</summary>
    public static IServiceCollection AddEvents(this IServiceCollection services)
    {
        services.AddSingleton<EventPublisher>();
        return services;
    }
}
