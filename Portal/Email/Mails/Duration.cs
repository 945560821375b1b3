using Portal.Localization;

namespace Portal.Email.Mails;

/// <summary>
/// Spans of time as people say them, in the reader's language (the current UI culture): "14 days",
/// "24 hours", "10 minutes", "40 seconds"; "14 Tage", "24 Stunden".
/// </summary>
public static class Duration
{
    private static readonly StaticTexts Texts = new(typeof(Duration));

    public static string Describe(TimeSpan span) => span switch
    {
        { TotalDays: >= 2 } => Texts.Format("Days", Math.Round(span.TotalDays)),
        { TotalHours: >= 2 } => Texts.Format("Hours", Math.Round(span.TotalHours)),
        { TotalMinutes: >= 60 } when span.TotalMinutes < 61 => Texts["Hour"],
        { TotalSeconds: >= 90 } => Texts.Format("Minutes", Math.Round(span.TotalMinutes)),
        { TotalSeconds: >= 1.5 } => Texts.Format("Seconds", Math.Round(span.TotalSeconds)),
        _ => Texts["Second"],
    };
}
