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
}
