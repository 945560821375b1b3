using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Portal.Tests.TestInfrastructure;

/// <summary>The checks every page passes, in every theme and size: axe-core, and no sideways scrolling on a phone.</summary>
public static class Accessibility
{
    public static readonly ViewportSize Phone = new() { Width = 390, Height = 844 };

    public static readonly ViewportSize Desktop = new() { Width = 1366, Height = 900 };

    /// <summary>
    /// Fails with each serious or critical axe-core violation on the page as it is now: rule, help
    /// and where. A sandboxed frame (a mail's preview) runs no script, so axe cannot look inside it:
    /// it is left out, else the check would wait for it forever. Transitions run to their end first.
    /// </summary>
    public static async Task AssertNoSeriousViolationsAsync(IPage page)
    {
        await Settling.WaitAsync(page);
        var result = await Patience.For(
            page.RunAxe(new AxeRunContext { Exclude = [new AxeSelector("iframe[sandbox]")] }), $"axe-core to check {page.Url}");
        var serious = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(serious.Count == 0, $"axe-core on {page.Url}:\n" + string.Join("\n", serious.Select(v =>
            $"{v.Impact} {v.Id}: {v.Help} at {string.Join("; ", v.Nodes.Take(5).Select(n => $"{n.Html} ({string.Join(" ", n.Any.Select(c => c.Message))})"))}")));
    }

    private const string Overflowing = """
        () => [document.documentElement, document.body, document.querySelector('[data-interactive]')]
            .filter(e => e && e.scrollWidth > e.clientWidth + 1)
            .map(e => `${e.tagName}.${e.className}: ${e.scrollWidth} > ${e.clientWidth}`)
        """;

    // The innermost elements reaching past the window's right edge, or with text running out of
    // them, that nothing clips: what to make narrower.
    private const string PastTheEdge = """
        () => {
            const past = e => e.getBoundingClientRect().right > window.innerWidth + 1
                || (e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX === 'visible');
            const clipped = e => {
                for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
                    if (getComputedStyle(a).overflowX !== 'visible') return true;
                }
                return false;
            };
            return [...document.body.querySelectorAll('*')]
                .filter(e => past(e) && !clipped(e) && ![...e.children].some(past))
                .slice(0, 5)
                .map(e => `<${e.tagName.toLowerCase()} class="${e.getAttribute('class') ?? ''}"> to ${Math.round(e.getBoundingClientRect().right)}px`);
        }
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
            Assert.Fail($"{page.Url} is wider than the window: " + string.Join("; ", await page.EvaluateAsync<string[]>(Overflowing))
                + "\nReaching past its edge: " + string.Join("; ", await page.EvaluateAsync<string[]>(PastTheEdge)));
        }
    }

    /// <summary>Shows the page at a phone's size.</summary>
    public static Task OnPhoneAsync(IPage page) => page.SetViewportSizeAsync(Phone.Width, Phone.Height);

    /// <summary>Shows the page at a laptop's size, the size every browser session starts at.</summary>
    public static Task OnDesktopAsync(IPage page) => page.SetViewportSizeAsync(Desktop.Width, Desktop.Height);
}
