using Microsoft.AspNetCore.Http.HttpResults;
using Portal.Data;
using Portal.Localization;

namespace Portal.Features.Api;

/// <summary>What the list endpoints share: pages counted from 1 of a bounded size, and a status filter by name.</summary>
public static class ApiLists
{
    public const int MaxPageSize = 200;
    public const int DefaultPageSize = 50;

    private static readonly StaticTexts Texts = new(typeof(ApiProblems));

    /// <summary>The 400 for a page or page size out of bounds (a list may allow fewer than <see cref="MaxPageSize"/>); null when both are fine.</summary>
    public static ProblemHttpResult? PagingProblem(int page, int pageSize, int maxPageSize = MaxPageSize) =>
        page < 1 ? ApiProblems.Invalid(nameof(page), Texts["Page"])
        : pageSize < 1 || pageSize > maxPageSize ? ApiProblems.Invalid(nameof(pageSize), Texts.Format("PageSize", maxPageSize))
        : null;

    public static PageRequest Paging(int page, int pageSize) => new((page - 1) * pageSize, pageSize);

    /// <summary>
    /// A status by its name, in any case; a number is not a name. Null status: no filter. The 400 names
    /// the <c>status</c> field and the statuses there are.
    /// </summary>
    public static ProblemHttpResult? StatusProblem<TStatus>(string? status, out TStatus? wanted) where TStatus : struct, Enum
    {
        wanted = null;
        if (status is null)
        {
            return null;
        }
        if (!TryName<TStatus>(status, out var parsed))
        {
            return ApiProblems.Invalid(nameof(status), Texts.Format("NotAStatus", status, string.Join(", ", Enum.GetNames<TStatus>())));
        }
        wanted = parsed;
        return null;
    }

    /// <summary>An enum value by its name in any case; a number is not a name.</summary>
    public static bool TryName<TEnum>(string text, out TEnum value) where TEnum : struct, Enum =>
        Enum.TryParse(text, ignoreCase: true, out value) && Enum.IsDefined(value) && !int.TryParse(text, out _);
}
