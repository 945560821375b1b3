namespace Portal.Components.Shared;

/// <summary>One day's column pair in a <see cref="DailyChart"/>.</summary>
public sealed record ChartDay(string Label, int First, int Second)
{
    public ChartDay(DateOnly day, int first, int second) : this(day.ToString("d MMM"), first, second)
    {
    }
}
