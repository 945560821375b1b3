using System.Globalization;
using System.Resources;

namespace Portal.Email.Mails;

/// <summary>
/// Spans of time as people say them, in the reader's language (the current UI culture): "14 days",
/// "24 hours", "10 minutes", "40 seconds"; "14 Tage", "24 Stunden".
/// </summary>
public static class Duration
{
    private static readonly ResourceManager Texts = new(typeof(Duration).FullName!, typeof(Duration).Assembly);

    public static string Describe(TimeSpan span) => span switch
    {
        { TotalDays: >= 2 } => Count("Days", span.TotalDays),
        { TotalHours: >= 2 } => Count("Hours", span.TotalHours),
        { TotalMinutes: >= 60 } when span.TotalMinutes < 61 => Text("Hour"),
        { TotalSeconds: >= 90 } => Count("Minutes", span.TotalMinutes),
        { TotalSeconds: >= 1.5 } => Count("Seconds", span.TotalSeconds),
        _ => Text("Second"),
    };

    private static string Count(string unit, double amount) =>
        string.Format(CultureInfo.CurrentCulture, Text(unit), Math.Round(amount).ToString("0", CultureInfo.CurrentCulture));

    private static string Text(string name) => Texts.GetString(name, CultureInfo.CurrentUICulture)!;
}
