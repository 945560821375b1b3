using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Portal.Data;
using Portal.Features.Confirmations;
using Portal.Identity;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed partial class DeferredChangeFlowTests(BrowserFixture fixture)
{
    private const string Password = TestPortal.DefaultPassword;

    private async Task<(BrowserSession Session, PortalUser User)> SignedInMemberAsync(string email)
    {
        var user = await fixture.Portal.CreateUserAsync(email);
        var session = await fixture.NewSessionAsync();
        await session.SignInAsync(email, Password);
        return (session, user);
    }

    /// <summary>Opens the kind's edit section on the profile, fills it and saves.</summary>
    private static async Task SaveAsync(IPage page, string kind, IReadOnlyDictionary<string, string> fields, BrowserSession? screenshotOf = null, string? screenshot = null)
    {
        var section = page.Locator($"section[data-kind={kind}]");
        await section.Locator("summary").ClickAsync();
        foreach (var (label, value) in fields)
        {
            await section.GetByLabel(label, new() { Exact = true }).FillAsync(value);
        }
        if (screenshotOf is not null)
        {
            await screenshotOf.ScreenshotAsync(screenshot!);
        }
        await section.GetByRole(AriaRole.Button).ClickAsync();
    }

    [Fact]
    public async Task A_member_changes_email_confirms_by_the_mailed_link_and_signs_in_with_the_new_address()
    {
        var (session, user) = await SignedInMemberAsync("mover@example.org");
        await using var _ = session;
        var page = session.Page;

        await page.GotoAsync("");
        await page.Locator("main").GetByRole(AriaRole.Link, new() { Name = "My profile" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "My profile" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("dd[data-field=Email]")).ToHaveTextAsync("mover@example.org");
        await session.ScreenshotAsync("profile");
        await SaveAsync(page, "email", new Dictionary<string, string> { ["Email address"] = "moved@example.org", ["Current password"] = Password }, session, "profile-email-form");

        await Assertions.Expect(page.Locator(".portal-profile-result")).ToContainTextAsync("We sent a link to moved@example.org");
        await Assertions.Expect(page.Locator("dd[data-field=Email]")).ToHaveTextAsync("mover@example.org");
        await session.ScreenshotAsync("profile-email-requested");
        await page.Locator(".portal-profile-result").GetByRole(AriaRole.Link).ClickAsync();
        await Assertions.Expect(page.Locator("article.portal-change").First).ToContainTextAsync("Link mailed to");
        await session.ScreenshotAsync("pending-changes");

        var link = (await fixture.Portal.Mail.DeliveredAsync("moved@example.org", "Confirm your new address for Portal")).LinkContaining($"/{ChangeRequests.ConfirmLinkPath}/");
        Assert.StartsWith(fixture.Portal.PublicBaseUrl + ChangeRequests.ConfirmLinkPath + "/", link);
        await page.GotoAsync(link);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Confirm your change" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-field=Email]")).ToContainTextAsync("moved@example.org");
        await session.ScreenshotAsync("change-confirm-link");
        Assert.Equal("mover@example.org", (await UserAsync(user.Id)).Email);
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm the change" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your new address is in effect" })).ToBeVisibleAsync();
        await session.ScreenshotAsync("change-confirmed");
        Assert.Equal("moved@example.org", (await UserAsync(user.Id)).Email);

        var notice = await fixture.Portal.Mail.DeliveredAsync("mover@example.org", "Your Portal address is about to change");
        Assert.Contains($"/{ChangeRequests.CancelLinkPath}/", notice.LinkContaining($"/{ChangeRequests.CancelLinkPath}/"));

        await using var fresh = await fixture.NewSessionAsync();
        await fresh.SignInAsync("moved@example.org", Password);
        await fresh.Page.GotoAsync(ChangeRequests.ProfilePath);
        await Assertions.Expect(fresh.Page.Locator("dd[data-field=Email]")).ToHaveTextAsync("moved@example.org");

        // "This wasn't me": the old address undoes the change from the notice it got once the change took effect.
        var changed = await fixture.Portal.Mail.DeliveredAsync("mover@example.org", "Your Portal address was changed");
        await using var owner = await fixture.NewSessionAsync();
        await owner.Page.GotoAsync(changed.LinkContaining($"/{EmailChangeReverts.LinkPath}/"));
        await Assertions.Expect(owner.Page.GetByRole(AriaRole.Heading, new() { Name = "Undo the change of address" })).ToBeVisibleAsync();
        await Assertions.Expect(owner.Page.Locator("main")).ToContainTextAsync("from mover@example.org to m•••@example.org");
        await owner.ScreenshotAsync("change-revert-link");
        await owner.Page.GetByRole(AriaRole.Button, new() { Name = "This wasn't me: undo the change" }).ClickAsync();
        await Assertions.Expect(owner.Page.GetByRole(AriaRole.Heading, new() { Name = "The change is undone" })).ToBeVisibleAsync();
        await owner.ScreenshotAsync("change-reverted");
        Assert.Equal("mover@example.org", (await UserAsync(user.Id)).Email);
        session.AssertNoErrors();
        fresh.AssertNoErrors();
        owner.AssertNoErrors();
    }

    [Fact]
    public async Task A_member_changes_phone_enters_a_wrong_code_then_the_texted_one_and_sees_it_applied()
    {
        var (session, user) = await SignedInMemberAsync("caller@example.org");
        await using var _ = session;
        var page = session.Page;

        await page.GotoAsync(ChangeRequests.ProfilePath);
        await SaveAsync(page, "phone", new Dictionary<string, string> { ["Phone number"] = "+49 151 2345 6789" });
        await Assertions.Expect(page.Locator(".portal-profile-result")).ToContainTextAsync("We sent a code to +49 *** **89");

        await page.GotoAsync("account/changes");
        await page.GetByRole(AriaRole.Link, new() { Name = "Enter the code" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Enter your code" })).ToBeVisibleAsync();
        await session.ScreenshotAsync("change-enter-code");
        var code = await TextedCodeAsync("+4915123456789");

        await page.GetByLabel("Code").FillAsync(code == "000000" ? "111111" : "000000");
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm" }).ClickAsync();
        await Assertions.Expect(page.Locator("#code-error")).ToHaveTextAsync("That code is not right. 4 tries left.");
        await session.ScreenshotAsync("change-wrong-code");
        Assert.Null((await UserAsync(user.Id)).PhoneNumber);

        await page.GetByLabel("Code").FillAsync(code);
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Change confirmed" })).ToBeVisibleAsync();
        await session.ScreenshotAsync("change-code-confirmed");
        await page.GetByRole(AriaRole.Link, new() { Name = "My profile" }).First.ClickAsync();
        await Assertions.Expect(page.Locator("dd[data-field=PhoneNumber]")).ToHaveTextAsync("+4915123456789");
        await session.ScreenshotAsync("profile-phone-applied");
        session.AssertNoErrors();
    }

    [Fact]
    public async Task The_old_address_says_this_wasnt_me_and_the_change_is_cancelled()
    {
        var user = await fixture.Portal.CreateUserAsync("victim@example.org");
        var result = await fixture.Portal.Get<ChangeRequests>().RequestAsync(Actor.Self(user), "email", user.Id,
            new Dictionary<string, string?> { ["Email"] = "thief@example.org" }, Password);
        Assert.Equal(ChangeOutcome.Requested, result.Outcome);
        await using var session = await fixture.NewSessionAsync();
        var page = session.Page;

        var link = (await fixture.Portal.Mail.DeliveredAsync("victim@example.org", "Your Portal address is about to change")).LinkContaining($"/{ChangeRequests.CancelLinkPath}/");
        await page.GotoAsync(link);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Cancel the change of address" })).ToBeVisibleAsync();
        await session.ScreenshotAsync("change-cancel-link");
        await page.GetByRole(AriaRole.Button, new() { Name = "This wasn't me: cancel the change" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "The change is cancelled" })).ToBeVisibleAsync();
        await session.ScreenshotAsync("change-cancelled");

        var confirm = (await fixture.Portal.Mail.DeliveredAsync("thief@example.org", "Confirm your new address for Portal")).LinkContaining($"/{ChangeRequests.ConfirmLinkPath}/");
        await page.GotoAsync(confirm);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "This change was cancelled" })).ToBeVisibleAsync();
        await session.ScreenshotAsync("change-link-cancelled");
        Assert.Equal("victim@example.org", (await UserAsync(user.Id)).Email);
        session.AssertNoErrors();
    }

    [Fact]
    public async Task The_fifth_wrong_code_kills_it_and_a_new_one_is_sent_from_the_page()
    {
        var (session, user) = await SignedInMemberAsync("fumbler@example.org");
        await using var _ = session;
        var page = session.Page;
        var requests = fixture.Portal.Get<ChangeRequests>();
        var requested = await requests.RequestAsync(Actor.Self(user), "phone", user.Id, new Dictionary<string, string?> { ["PhoneNumber"] = "+33 6 12 34 56 78" });
        var wrong = await TextedCodeAsync("+33612345678") == "000000" ? "111111" : "000000";
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(ChangeOutcome.WrongCode, (await requests.ConfirmWithCodeAsync(Actor.Self(user), requested.ChangeId!.Value, wrong)).Outcome);
        }

        await page.GotoAsync($"account/changes/{requested.ChangeId}/code");
        await Assertions.Expect(page.Locator(".portal-field-hint")).ToContainTextAsync("1 try left");
        await page.GetByLabel("Code").FillAsync(wrong);
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "This code no longer works" })).ToBeVisibleAsync();
        await session.ScreenshotAsync("change-code-dead");

        await page.GetByRole(AriaRole.Button, new() { Name = "Send me a new code" }).ClickAsync();
        await Assertions.Expect(page.Locator("[role=status]")).ToContainTextAsync("We sent a new code");
        Assert.DoesNotContain($"/changes/{requested.ChangeId}/", page.Url);
        await session.ScreenshotAsync("change-new-code-sent");
        await page.GetByLabel("Code").FillAsync(await TextedCodeAsync("+33612345678"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Change confirmed" })).ToBeVisibleAsync();
        Assert.Equal("+33612345678", (await UserAsync(user.Id)).PhoneNumber);
        session.AssertNoErrors();
    }

    private async Task<PortalUser> UserAsync(string id)
    {
        await using var db = await fixture.Portal.DbAsync();
        return await db.Users.AsNoTracking().SingleAsync(u => u.Id == id);
    }

    /// <summary>The code in the newest text message to the number, read from the SMS outbox.</summary>
    private async Task<string> TextedCodeAsync(string number)
    {
        await using var db = await fixture.Portal.DbAsync();
        var body = await db.SmsMessages.Where(m => m.To == number).OrderByDescending(m => m.Id).Select(m => m.Body).FirstAsync();
        return SixDigits().Match(body).Value;
    }

    [GeneratedRegex(@"\b\d{6}\b")]
    private static partial Regex SixDigits();
}
