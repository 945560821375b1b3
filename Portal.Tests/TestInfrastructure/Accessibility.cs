using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Portal.Tests.TestInfrastructure;

/// <summary>The checks every page passes, in every theme and size: axe-core, and no sideways scrolling on a phone.</summary>
public static class Accessibility
{
    public static readonly ViewportSize Phone = new() { Width = 390, Height = 844 };

    /// <summary>Fails with each serious or critical axe-core violation on the page as it is now: rule, help and where.</summary>
    public static async Task AssertNoSeriousViolationsAsync(IPage page)
    {
        var result = await page.RunAxe();
        var serious = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(serious.Count == 0, $"axe-core on {page.Url}:\n" + string.Join("\n", serious.Select(v =>
            $"{v.Impact} {v.Id}: {v.Help} at {string.Join("; ", v.Nodes.Take(5).Select(n => $"{n.Html} ({string.Join(" ", n.Any.Select(c => c.Message))})"))}")));
    }

    /// <summary>Fails when the page itself is wider than the window (content may scroll inside its own box).</summary>
    public static async Task AssertNoSidewaysScrollingAsync(IPage page)
    {
        var (scroll, width) = (await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth"), await page.EvaluateAsync<int>("() => window.innerWidth"));
        Assert.True(scroll <= width, $"{page.Url} is {scroll} px wide in a {width} px window.");
    }
}
