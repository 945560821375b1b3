using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Portal.Data;
using Portal.Identity;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Browser;

/// <summary>Flows done with the keyboard alone: every control is reached with Tab, and the one that has focus shows it.</summary>
[Collection(BrowserCollection.Name)]
public sealed class KeyboardTests(BrowserFixture fixture)
{
    private const string Password = "keys only, no mouse at all";

    /// <summary>Presses Tab until the control with this accessible label has focus, and checks that the focus can be seen.</summary>
    private static Task TabToAsync(IPage page, string label) =>
        TabToAsync(page, page.GetByLabel(label, new() { Exact = true }), $"the field \"{label}\"");

    /// <summary>
    /// Presses Tab until <paramref name="target"/> has focus. A control the portal styles itself
    /// must show the focus with a ring; a component library's text field shows it with its own
    /// border instead (<paramref name="ownRing"/> false).
    /// </summary>
    private static async Task TabToAsync(IPage page, ILocator target, string what, bool ownRing = true)
    {
        for (var presses = 0; presses < 60; presses++)
        {
            await page.Keyboard.PressAsync("Tab");
            if (await target.EvaluateAsync<bool>("e => e === document.activeElement"))
            {
                Assert.True(!ownRing || await target.EvaluateAsync<bool>(
                    "e => { const s = getComputedStyle(e); return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none'; }"),
                    $"{what} has focus but does not show it.");
                return;
            }
        }
        Assert.Fail($"Tab never reached {what}.");
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

    [Fact]
    public async Task An_admin_invites_and_approves_a_sign_up_with_the_keyboard_alone_and_each_outcome_is_announced()
    {
        var admin = await fixture.Portal.CreateUserAsync("keys.admin@example.org", roles: Roles.Admin);
        await fixture.Portal.SeedSignUpAsync("keys.applicant@example.org");
        await using var session = await fixture.NewSessionAsync();
        var page = session.Page;
        await session.SignInAsync(admin.Email!, TestPortal.DefaultPassword);

        await page.GotoAsync("admin/invitations");
        await session.WaitForInteractiveAsync();
        await TabToAsync(page, page.GetByRole(AriaRole.Button, new() { Name = "Invite people" }), "the button \"Invite people\"");
        await page.Keyboard.PressAsync("Enter");
        var dialog = page.GetByRole(AriaRole.Dialog);
        await TabToAsync(page, dialog.GetByLabel("Addresses"), "the field \"Addresses\"", ownRing: false);
        await page.Keyboard.TypeAsync("keys.invitee@example.org");
        await TabToAsync(page, dialog.GetByRole(AriaRole.Button, new() { Name = "Send invitations" }), "the button \"Send invitations\"");
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(dialog.GetByRole(AriaRole.Status)).ToHaveTextAsync("1 of 1 sent.");
        await session.ScreenshotAsync("keyboard-invite-sent");
        await TabToAsync(page, dialog.GetByRole(AriaRole.Button, new() { Name = "Done" }), "the button \"Done\"");
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.GetByTestId("invitations").GetByText("keys.invitee@example.org", new() { Exact = true })).ToBeVisibleAsync();

        await page.GotoAsync("admin/review");
        await session.WaitForInteractiveAsync();
        var row = page.GetByRole(AriaRole.Row).Filter(new() { HasText = "keys.applicant@example.org" });
        await TabToAsync(page, row.GetByRole(AriaRole.Button, new() { Name = "Approve" }), "the row's button \"Approve\"");
        await page.Keyboard.PressAsync("Enter");
        var confirm = page.GetByRole(AriaRole.Dialog);
        await TabToAsync(page, confirm.GetByRole(AriaRole.Button, new() { Name = "Approve" }), "the dialog's button \"Approve\"");
        await page.Keyboard.PressAsync("Enter");
        // Notifications appear inside a live region that is always there: a screen reader reads each out as it comes.
        await Assertions.Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "1 item approved." })).ToBeVisibleAsync();
        await session.ScreenshotAsync("keyboard-review-approved");
        await using (var db = await fixture.Portal.DbAsync())
        {
            Assert.Equal(SignUpStatus.Active, (await db.SignUps.SingleAsync(s => s.Email == "keys.applicant@example.org")).Status);
        }
        session.AssertNoErrors();
    }
}
