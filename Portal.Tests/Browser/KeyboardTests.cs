using Microsoft.Playwright;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Browser;

/// <summary>Flows done with the keyboard alone: every control is reached with Tab, and the one that has focus shows it.</summary>
[Collection(BrowserCollection.Name)]
public sealed class KeyboardTests(BrowserFixture fixture)
{
    private const string Password = "keys only, no mouse at all";

    /// <summary>Presses Tab until the control with this accessible label has focus, and checks that the focus can be seen.</summary>
    private static async Task TabToAsync(IPage page, string label)
    {
        var target = page.GetByLabel(label, new() { Exact = true });
        for (var presses = 0; presses < 40; presses++)
        {
            await page.Keyboard.PressAsync("Tab");
            if (await target.EvaluateAsync<bool>("e => e === document.activeElement"))
            {
                Assert.True(await target.EvaluateAsync<bool>(
                    "e => { const s = getComputedStyle(e); return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none'; }"),
                    $"The field \"{label}\" has focus but does not show it.");
                return;
            }
        }
        Assert.Fail($"Tab never reached the field \"{label}\".");
    }

    [Fact]
    public async Task A_visitor_signs_up_and_activates_with_the_keyboard_alone()
    {
        await using var session = await fixture.NewSessionAsync();
        var page = session.Page;
        await page.GotoAsync("register");

        await TabToAsync(page, "User name");
        await page.Keyboard.TypeAsync("keyboarder");
        await TabToAsync(page, "Email address");
        await page.Keyboard.TypeAsync("keyboarder@example.org");
        await TabToAsync(page, "Password");
        await page.Keyboard.TypeAsync(Password);
        await TabToAsync(page, "Confirm password");
        await page.Keyboard.TypeAsync(Password);
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Check your inbox" })).ToBeVisibleAsync();

        var link = (await fixture.Portal.Mail.DeliveredAsync("keyboarder@example.org", "Activate your Portal account")).LinkContaining("/activate/");
        await page.GotoAsync(link);
        var activate = page.GetByRole(AriaRole.Button, new() { Name = "Activate my account" });
        for (var presses = 0; presses < 40 && !await activate.EvaluateAsync<bool>("e => e === document.activeElement"); presses++)
        {
            await page.Keyboard.PressAsync("Tab");
        }
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Welcome, keyboarder" })).ToBeVisibleAsync();
        session.AssertNoErrors();
    }
}
