using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;

namespace Portal.Data;

/// <summary>One page of a server-side list: where it starts, how long, and the sort column by name.</summary>
public sealed record PageRequest(int Skip = 0, int Take = 20, string? SortBy = null, bool Descending = false)
{
    public const int MaxTake = 500;
}

public sealed record Page<T>(IReadOnlyList<T> Items, int Total);

public static class Paging
{
    /// <summary>
    /// Sorts by one of the named columns (unknown names fall back to the default order, so a
    /// client cannot sort by anything it was not offered), then counts and cuts the page.
    /// </summary>
    public static async Task<Page<TRow>> ToPageAsync<T, TRow>(
        this IQueryable<T> query,
        PageRequest page,
        IReadOnlyDictionary<string, Expression<Func<T, object?>>> columns,
        Func<IQueryable<T>, IOrderedQueryable<T>> defaultOrder,
        Expression<Func<T, TRow>> select,
        CancellationToken cancellationToken)
    {
        var total = await query.CountAsync(cancellationToken);
        var ordered = page.SortBy is not null && columns.TryGetValue(page.SortBy, out var column)
            ? (page.Descending ? query.OrderByDescending(column) : query.OrderBy(column))
            : defaultOrder(query);
        var items = await ordered
            .Skip(Math.Max(0, page.Skip))
            .Take(Math.Clamp(page.Take, 1, PageRequest.MaxTake))
            .Select(select)
            .ToListAsync(cancellationToken);
        return new Page<TRow>(items, total);
    }
}
