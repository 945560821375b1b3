using System.Globalization;
using Portal.Localization;

namespace Portal.Components.Shared;

/// <summary>One day's column pair in a <see cref="DailyChart"/>.</summary>
public sealed record ChartDay(string Label, int First, int Second)
{
    private static readonly StaticTexts Texts = new(typeof(ChartDay));

    /// <summary>A day labelled as the reader writes a short date: "5 Mar", "5. März".</summary>
    public ChartDay(DateOnly day, int first, int second) : this(day.ToString(Texts["DayFormat"], CultureInfo.CurrentCulture), first, second)
    {
    }
}
