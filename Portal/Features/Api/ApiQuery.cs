using Microsoft.AspNetCore.Http.HttpResults;
using Portal.Data;
using Portal.Localization;

namespace Portal.Features.Api;

/// <summary>What every list of the API reads from its query string the same way: the page asked for, and names of enum values.</summary>
public static class ApiQuery
{
    public const int MaxPageSize = 200;
    public const int DefaultPageSize = 50;

    private static readonly StaticTexts Texts = new(typeof(ApiProblems));

    /// <summary>A 400 naming <c>page</c> or <c>pageSize</c> when one is out of range; null when the page can be read.</summary>
    public static ProblemHttpResult? PageProblem(int page, int pageSize) =>
        page < 1 ? ApiProblems.Invalid(nameof(page), Texts["Page"])
        : pageSize is < 1 or > MaxPageSize ? ApiProblems.Invalid(nameof(pageSize), Texts.Format("PageSize", MaxPageSize))
        : null;

    public static PageRequest Page(int page, int pageSize) => new((page - 1) * pageSize, pageSize);

    /// <summary>An enum value by its name in any case; a number is not a name.</summary>
    public static bool TryName<TEnum>(string text, out TEnum value) where TEnum : struct, Enum =>
        Enum.TryParse(text, ignoreCase: true, out value) && Enum.IsDefined(value) && !int.TryParse(text, out _);
}
