namespace Portal.Events;

/// <summary>Handles one kind of in-process event; register implementations in DI.</summary>
public interface IEventHandler<in TEvent>
{
    Task HandleAsync(TEvent portalEvent, CancellationToken cancellationToken);
}

/// <summary>
/// Raises events after the change they describe is committed. A failing handler is logged and
/// does not undo or stop anything: the change has happened.
/// </summary>
public sealed partial class EventPublisher(IServiceProvider services, ILogger<EventPublisher> logger)
{
    public async Task PublishAsync<TEvent>(TEvent portalEvent, CancellationToken cancellationToken = default)
    {
        foreach (var handler in services.GetServices<IEventHandler<TEvent>>())
        {
            try
            {
                await handler.HandleAsync(portalEvent, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogHandlerFailed(ex, handler.GetType().Name, typeof(TEvent).Name);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Event handler {Handler} failed on {Event}")]
    private partial void LogHandlerFailed(Exception ex, string handler, string @event);
}
