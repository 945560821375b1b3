namespace Portal.Data;

/// <summary>A language as stored: a culture name such as "de" or "pt-BR".</summary>
public static class LanguageCode
{
    public const int MaxLength = 16;
}
