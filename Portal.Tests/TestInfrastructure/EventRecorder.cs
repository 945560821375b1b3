using System.Collections.Concurrent;
using Portal.Events;

namespace Portal.Tests.TestInfrastructure;

/// <summary>Records the events of one kind that the portal raises.</summary>
public sealed class EventRecorder<TEvent> : IEventHandler<TEvent>
{
    public ConcurrentQueue<TEvent> Events { get; } = new();

    public Task HandleAsync(TEvent portalEvent, CancellationToken cancellationToken)
    {
        Events.Enqueue(portalEvent);
        return Task.CompletedTask;
    }
}
