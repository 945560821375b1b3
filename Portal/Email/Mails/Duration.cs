namespace Portal.Email.Mails;

/// <summary>Spans of time as people say them: "14 days", "24 hours", "10 minutes", "40 seconds".</summary>
public static class Duration
{
    public static string Describe(TimeSpan span) => span switch
    {
        { TotalDays: >= 2 } => $"{Math.Round(span.TotalDays):0} days",
        { TotalHours: >= 2 } => $"{Math.Round(span.TotalHours):0} hours",
        { TotalMinutes: >= 60 } when span.TotalMinutes < 61 => "1 hour",
        { TotalSeconds: >= 90 } => $"{Math.Round(span.TotalMinutes):0} minutes",
        { TotalSeconds: >= 1.5 } => $"{Math.Round(span.TotalSeconds):0} seconds",
        _ => "1 second",
    };
}
