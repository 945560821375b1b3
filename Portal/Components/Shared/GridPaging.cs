using MudBlazor;
using Portal.Data;

namespace Portal.Components.Shared;

public static class GridPaging
{
    /// <summary>A MudDataGrid's request for data (its <c>ServerData</c>), as the services take it: the page, and the first sort.</summary>
    public static PageRequest ToPageRequest<T>(this GridState<T> state)
    {
        var sort = state.SortDefinitions.OrderBy(s => s.Index).FirstOrDefault();
        return new PageRequest(state.Page * state.PageSize, state.PageSize, sort?.SortBy, sort?.Descending == true);
    }

    /// <summary>A filter changed: the first page of what now matches (the page the grid was on may not exist any more).</summary>
    public static Task FirstPageAsync<T>(this MudDataGrid<T> grid)
    {
        if (grid.CurrentPage == 0)
        {
            return grid.ReloadServerData();
        }
        // Moving to another page loads it.
        grid.NavigateTo(Page.First);
        return Task.CompletedTask;
    }
}
