namespace Portal.Data;

/// <summary>
/// SQL LIKE patterns from user text, with the wildcards in it escaped. Patterns are lower case, to
/// be matched against a lower-cased column (<c>EF.Functions.Like(x.Name.ToLower(), pattern, Like.Escape)</c>):
/// SQLite's LIKE ignores case and PostgreSQL's does not, and searches should ignore it on both.
/// </summary>
public static class Like
{
    public const string Escape = "\\";

    public static string Contains(string text) =>
        "%" + text.Trim().ToLowerInvariant()
            .Replace("\\", "\\\\", StringComparison.Ordinal)
            .Replace("%", "\\%", StringComparison.Ordinal)
            .Replace("_", "\\_", StringComparison.Ordinal) + "%";
}
