namespace Portal.Templates;

/// <summary>Lifetimes as people say them: "14 days", "24 hours", "10 minutes".</summary>
public static class Duration
{
    public static string Describe(TimeSpan span)
    {
        if (span.TotalDays >= 2 && span.TotalDays % 1 == 0)
        {
            return $"{span.TotalDays:0} days";
        }
        if (span.TotalHours >= 1 && span.TotalHours % 1 == 0)
        {
            return span.TotalHours == 1 ? "1 hour" : $"{span.TotalHours:0} hours";
        }
        var minutes = Math.Max(1, (int)Math.Round(span.TotalMinutes));
        return minutes == 1 ? "1 minute" : $"{minutes} minutes";
    }
}
