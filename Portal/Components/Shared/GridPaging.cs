using MudBlazor;
using Portal.Data;
using Radzen;

namespace Portal.Components.Shared;

public static class GridPaging
{
    /// <summary>The Radzen grid's request for data, as the services take it.</summary>
    public static PageRequest ToPageRequest(this LoadDataArgs args)
    {
        var sort = args.Sorts?.FirstOrDefault(s => s.SortOrder is not null);
        return new PageRequest(args.Skip ?? 0, args.Top ?? 20, sort?.Property, sort?.SortOrder == SortOrder.Descending);
    }

    /// <summary>A MudDataGrid's request for data (its <c>ServerData</c>), as the services take it: the page, and the first sort.</summary>
    public static PageRequest ToPageRequest<T>(this GridState<T> state)
    {
        var sort = state.SortDefinitions.OrderBy(s => s.Index).FirstOrDefault();
        return new PageRequest(state.Page * state.PageSize, state.PageSize, sort?.SortBy, sort?.Descending == true);
    }
}
