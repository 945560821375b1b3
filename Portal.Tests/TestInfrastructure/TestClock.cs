namespace Portal.Tests.TestInfrastructure;

/// <summary>
/// A clock the test moves by hand. Timers still run on real time, so moving the clock does not set
/// off the portal's own scheduled jobs under a test; where a test drives a timer it uses a
/// <see cref="Microsoft.Extensions.Time.Testing.FakeTimeProvider"/>.
/// </summary>
public sealed class TestClock(DateTimeOffset start) : TimeProvider
{
    public TestClock() : this(new DateTimeOffset(2026, 11, 22, 9, 0, 0, TimeSpan.Zero))
    {
    }

    // Whole microseconds, as PostgreSQL stores them: times the test reads back equal the ones it set.
    public DateTimeOffset Now { get; set; } = start.AddTicks(-(start.Ticks % TimeSpan.TicksPerMicrosecond));

    public override DateTimeOffset GetUtcNow() => Now;

    public void Advance(TimeSpan by) => Now += by;
}
