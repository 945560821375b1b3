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

    private const string Overflowing = """
        () => [document.documentElement, document.body, document.querySelector('[data-interactive]')]
            .filter(e => e && e.scrollWidth > e.clientWidth + 1)
            .map(e => `${e.tagName}.${e.className}: ${e.scrollWidth} > ${e.clientWidth}`)
        """;

    /// <summary>
    /// Fails when the page, or the admin body it scrolls in, stays wider than the window: only a grid
    /// may scroll sideways, inside itself. Waits for the layout to follow a change of the window's
    /// size first (the admin menu folds away on a phone once the page has seen the new size).
    /// </summary>
    public static async Task AssertNoSidewaysScrollingAsync(IPage page)
    {
        try
        {
            await page.WaitForFunctionAsync($"() => ({Overflowing})().length === 0");
        }
        catch (TimeoutException)
        {
            Assert.Fail($"{page.Url} is wider than the window: " + string.Join("; ", await page.EvaluateAsync<string[]>(Overflowing)));
        }
    }

    /// <summary>Shows the page at a phone's size.</summary>
    public static Task OnPhoneAsync(IPage page) => page.SetViewportSizeAsync(Phone.Width, Phone.Height);
}
