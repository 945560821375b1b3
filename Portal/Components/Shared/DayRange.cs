namespace Portal.Components.Shared;

/// <summary>The days picked in a "from / to" filter as UTC instants; the "to" day is included.</summary>
public static class DayRange
{
    public static (DateTime? From, DateTime? To) Utc(DateTime? fromDay, DateTime? toDay) =>
        (Start(fromDay), Start(toDay)?.AddDays(1));

    private static DateTime? Start(DateTime? day) => day is { } d ? DateTime.SpecifyKind(d.Date, DateTimeKind.Utc) : null;
}
