namespace Portal.Data;

/// <summary>SQL LIKE patterns from user text, with the wildcards in it escaped.</summary>
public static class Like
{
    public const string Escape = "\\";

    public static string Contains(string text) =>
        "%" + text.Trim()
            .Replace("\\", "\\\\", StringComparison.Ordinal)
            .Replace("%", "\\%", StringComparison.Ordinal)
            .Replace("_", "\\_", StringComparison.Ordinal) + "%";
}
