using Microsoft.Playwright;

namespace Portal.Tests.Browser;

/// <summary>A page seen at 390 by 844 pixels, a phone's screen.</summary>
public static class PhoneScreen
{
    /// <summary>
    /// Nothing makes the page, or the admin body it scrolls in, wider than the screen: only a grid may
    /// scroll sideways, inside itself.
    /// </summary>
    public static async Task AssertFitsAsync(IPage page)
    {
        var overflowing = await page.EvaluateAsync<string[]>("""
            () => [document.documentElement, document.body, document.querySelector('[data-interactive]')]
                .filter(e => e && e.scrollWidth > e.clientWidth + 1)
                .map(e => `${e.tagName}.${e.className}: ${e.scrollWidth} > ${e.clientWidth}`)
            """);
        Assert.True(overflowing.Length == 0, "Wider than the screen: " + string.Join("; ", overflowing));
    }
}
