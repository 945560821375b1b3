namespace Portal.Background;

/// <summary>How long work that failed waits before its next attempt.</summary>
public static class Backoff
{
    /// <summary>
    /// Exponential backoff with "equal jitter": the delay doubles with each attempt up to
    /// <paramref name="max"/>; half of it is fixed, half random, so failures do not come back in step.
    /// </summary>
    public static TimeSpan Delay(int attempts, TimeSpan first, TimeSpan max)
    {
        var exponential = first * Math.Pow(2, Math.Min(attempts - 1, 30));
        var capped = exponential < max ? exponential : max;
        return capped / 2 + capped / 2 * Random.Shared.NextDouble();
    }
}
