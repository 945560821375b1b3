using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Portal.Data;
using Portal.Features.Confirmations;
using Portal.Features.Users;
using Portal.Identity;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class ReviewQueueTests(BrowserFixture fixture)
{
    private ChangeRequests Requests => fixture.Portal.Get<ChangeRequests>();

    [Fact]
    public async Task A_moderator_approves_a_change_seen_in_its_diff_rejects_another_with_a_reason_and_approves_a_sign_up_in_one_inbox()
    {
        var portal = fixture.Portal;
        var (ann, annActor) = await MemberAsync("ann@inbox.example");
        var (ben, benActor) = await MemberAsync("ben@inbox.example");
        var (applicant, signUp) = await portal.SeedSignUpAsync("waiting@inbox.example");
        var annChange = await RequestAsync(annActor, "profile", 0);
        await RequestAsync(benActor, "profile", 1);
        var moderator = await portal.CreateUserAsync("mod@inbox.example", roles: Roles.Moderator);
        await using var session = await fixture.NewSessionAsync();
        var page = session.Page;
        await session.SignInAsync(moderator.Email!, TestPortal.DefaultPassword);

        await page.GotoAsync("admin/review");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Review queue", Level = 1 })).ToBeVisibleAsync();
        await session.WaitForInteractiveAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Administration" }).GetByText("Review queue", new() { Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Administration" }).Locator("[data-count=review-queue]")).Not.ToHaveTextAsync("0");
        var rows = page.GetByTestId("review-inbox").Locator("tbody tr");
        await Assertions.Expect(rows.Filter(new() { HasText = ann.UserName! })).ToContainTextAsync("Display name");
        await Assertions.Expect(rows.Filter(new() { HasText = ben.UserName! })).ToContainTextAsync("Display name");
        await Assertions.Expect(rows.Filter(new() { HasText = "waiting@inbox.example" })).ToContainTextAsync("Sign-up");
        await Assertions.Expect(page.Locator("[data-kind=sign-up]")).ToBeVisibleAsync();
        await session.ScreenshotAsync("admin-review-queue");
        await AtPhoneWidthAsync(session, "admin-review-queue-phone");

        // The change opens on its own page, claimed, with what it was and what is asked.
        await rows.Filter(new() { HasText = ann.UserName! }).GetByRole(AriaRole.Button, new() { Name = "Open" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Display name", Level = 1 })).ToBeVisibleAsync();
        await session.WaitForInteractiveAsync();
        var diff = page.Locator("tr[data-field=DisplayName]");
        await Assertions.Expect(diff.Locator("[data-value=before]")).ToHaveTextAsync("(empty)");
        await Assertions.Expect(diff.Locator("[data-value=proposed]")).ToHaveTextAsync("Ada L.");
        await Assertions.Expect(page.Locator("[data-notice=claim]")).ToContainTextAsync("You have this change until");
        await Assertions.Expect(page.Locator("[data-field=requester]")).ToHaveTextAsync(ann.UserName!);
        await session.ScreenshotAsync("admin-review-detail");
        await page.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-notice=review]")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Approve" })).ToHaveCountAsync(0);
        Assert.Equal("Ada L.", (await Requests.CurrentAsync(Actor.System, "profile", ann.Id))!["DisplayName"]);
        Assert.Equal(ChangeStatus.Applied, (await Requests.MineAsync(annActor)).Single(c => c.Id == annChange).Status);

        // Back in the inbox: Ben's change is rejected with a reason, the sign-up approved.
        await page.GetByRole(AriaRole.Link, new() { Name = "Review queue" }).First.ClickAsync();
        await session.WaitForInteractiveAsync();
        await Assertions.Expect(rows.Filter(new() { HasText = ann.UserName! })).ToHaveCountAsync(0);
        await rows.Filter(new() { HasText = ben.UserName! }).GetByRole(AriaRole.Button, new() { Name = "Reject" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Reject" }).ClickAsync();
        await Assertions.Expect(dialog.GetByText("Give a reason: it is sent to the applicant.")).ToBeVisibleAsync();
        const string reason = "Please use the name you are known by here.";
        await dialog.GetByLabel("Reason sent to each requester").FillAsync(reason);
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Reject" }).ClickAsync();
        await Assertions.Expect(page.GetByText("1 item rejected.")).ToBeVisibleAsync();
        await Assertions.Expect(rows.Filter(new() { HasText = ben.UserName! })).ToHaveCountAsync(0);

        var mail = await portal.Mail.DeliveredAsync(ben.Email!, "was not approved");
        Assert.Contains(reason, mail.Text);
        Assert.Empty(mail.Defects);
        var rejected = Assert.Single(await Requests.MineAsync(benActor));
        Assert.Equal((ChangeStatus.Rejected, reason), (rejected.Status, rejected.Reason));

        await rows.Filter(new() { HasText = "waiting@inbox.example" }).GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        await Assertions.Expect(page.GetByText("1 item approved.")).ToBeVisibleAsync();
        await Assertions.Expect(rows.Filter(new() { HasText = "waiting@inbox.example" })).ToHaveCountAsync(0);
        await using (var db = await portal.DbAsync())
        {
            Assert.Equal(SignUpStatus.Active, (await db.SignUps.SingleAsync(s => s.Id == signUp.Id)).Status);
            Assert.Equal(AccountState.Active, (await db.Users.SingleAsync(u => u.Id == applicant.Id)).State);
        }
        session.AssertNoErrors();

        // Ben sees the decision and its reason among his changes.
        await using var member = await fixture.NewSessionAsync();
        await member.SignInAsync(ben.Email!, TestPortal.DefaultPassword);
        await member.Page.GotoAsync("account/changes");
        var card = member.Page.Locator($"[data-change='{rejected.Id}']");
        await Assertions.Expect(card).ToHaveAttributeAsync("data-status", nameof(ChangeStatus.Rejected));
        await Assertions.Expect(card.Locator(".portal-change-reason")).ToHaveTextAsync(reason);
        await member.ScreenshotAsync("pending-changes-rejected");
        member.AssertNoErrors();
    }

    [Fact]
    public async Task A_second_moderator_sees_who_holds_the_change_and_nobody_decides_their_own_request()
    {
        var (_, member) = await MemberAsync("dora@claims.example");
        var change = await RequestAsync(member, "profile", 0);
        var first = await fixture.Portal.CreateUserAsync("first@claims.example", roles: Roles.Moderator);
        var second = await fixture.Portal.CreateUserAsync("second@claims.example", roles: Roles.Moderator);
        var own = await RequestAsync(new Actor(second.Id, second.UserName!, new HashSet<string> { Roles.Moderator }), "profile", 1);

        await using var firstSession = await fixture.NewSessionAsync();
        await firstSession.SignInAsync(first.Email!, TestPortal.DefaultPassword);
        await firstSession.Page.GotoAsync($"admin/review/{change}");
        await Assertions.Expect(firstSession.Page.Locator("[data-notice=claim]")).ToContainTextAsync("You have this change until");

        await using var secondSession = await fixture.NewSessionAsync();
        var page = secondSession.Page;
        await secondSession.SignInAsync(second.Email!, TestPortal.DefaultPassword);
        await page.GotoAsync($"admin/review/{change}");
        await secondSession.WaitForInteractiveAsync();
        await Assertions.Expect(page.Locator("[data-notice=claimed]")).ToContainTextAsync($"{first.UserName} is looking at this change until");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Approve" })).ToHaveCountAsync(0);

        await page.GotoAsync($"admin/review/{own}");
        await secondSession.WaitForInteractiveAsync();
        await Assertions.Expect(page.Locator("[data-notice=own]")).ToHaveTextAsync("You cannot decide on your own request: another moderator must.");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Approve" })).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("[data-notice=claim]")).ToHaveCountAsync(0);
        // Looking at one's own request claims nothing: the first moderator can take it at once.
        await firstSession.Page.GotoAsync($"admin/review/{own}");
        await Assertions.Expect(firstSession.Page.Locator("[data-notice=claim]")).ToContainTextAsync("You have this change until");
        Assert.Equal(ChangeStatus.Pending, (await Requests.MineAsync(member)).Single(c => c.Id == change).Status);
        secondSession.AssertNoErrors();
    }

    [Fact]
    public async Task A_moderator_whose_role_was_removed_while_the_change_was_open_is_refused_and_the_refusal_is_audited()
    {
        var (_, member) = await MemberAsync("erin@revoked.example");
        var change = await RequestAsync(member, "profile", 0);
        var moderator = await fixture.Portal.CreateUserAsync("revoked@claims.example", roles: Roles.Moderator);
        await using var session = await fixture.NewSessionAsync();
        var page = session.Page;
        await session.SignInAsync(moderator.Email!, TestPortal.DefaultPassword);
        await page.GotoAsync($"admin/review/{change}");
        await session.WaitForInteractiveAsync();
        await Assertions.Expect(page.Locator("[data-notice=claim]")).ToContainTextAsync("You have this change until");

        var removed = await fixture.Portal.Get<UserAdmin>().RemoveRoleAsync(Actor.System, moderator.Id, Roles.Moderator);
        Assert.True(removed.Succeeded, removed.Message);
        await page.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();

        var refused = page.Locator("[data-notice=refused]");
        await Assertions.Expect(refused).ToContainTextAsync("You no longer have the access it needs");
        await Assertions.Expect(refused.Locator("[data-recorded]")).ToHaveTextAsync("The refusal is in the audit log.");
        await session.ScreenshotAsync("admin-action-refused");
        Assert.Equal(ChangeStatus.Pending, (await Requests.MineAsync(member)).Single(c => c.Id == change).Status);
        await using var db = await fixture.Portal.DbAsync();
        var refusal = await db.AuditEntries.SingleAsync(e => e.Action == "access.refused" && e.ActorId == moderator.Id);
        Assert.Equal($"/admin/review/{change}", refusal.TargetId);
        Assert.Contains(Roles.Moderator, refusal.Details);
        session.AssertNoErrors();
    }

    [Fact]
    public async Task A_moderator_opens_code_entry_again_for_an_account_locked_by_wrong_codes()
    {
        var (locked, _) = await MemberAsync("guesser@locked.example");
        await using (var db = await fixture.Portal.DbAsync())
        {
            await db.Users.Where(u => u.Id == locked.Id).ExecuteUpdateAsync(s => s
                .SetProperty(u => u.WrongCodes, 100).SetProperty(u => u.CodeEntryLockedUntil, DateTime.UtcNow.AddDays(1)));
        }
        var moderator = await fixture.Portal.CreateUserAsync("keys@locked.example", roles: Roles.Moderator);
        await using var session = await fixture.NewSessionAsync();
        var page = session.Page;
        await session.SignInAsync(moderator.Email!, TestPortal.DefaultPassword);
        await page.GotoAsync("admin/review");
        await session.WaitForInteractiveAsync();

        var row = page.Locator($"tr[data-locked='{locked.Id}']");
        await Assertions.Expect(row).ToContainTextAsync("guesser@locked.example");
        await Assertions.Expect(row).ToContainTextAsync("100");
        await session.ScreenshotAsync("admin-review-code-entry-locked");
        await row.GetByRole(AriaRole.Button, new() { Name = "Open code entry" }).ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Open code entry" }).ClickAsync();

        await Assertions.Expect(page.GetByText($"Code entry is open again for {locked.UserName}.")).ToBeVisibleAsync();
        await Assertions.Expect(row).ToHaveCountAsync(0);
        await using var check = await fixture.Portal.DbAsync();
        var after = await check.Users.AsNoTracking().SingleAsync(u => u.Id == locked.Id);
        Assert.Equal((0, (DateTime?)null), (after.WrongCodes, after.CodeEntryLockedUntil));
        session.AssertNoErrors();
    }

    [Fact]
    public async Task An_admin_prints_the_queued_letters_and_sees_transfers_and_text_messages()
    {
        var portal = fixture.Portal;
        var (_, member) = await MemberAsync("carla@channels.example");
        var letterChange = await RequestAsync(member, "postal-address", 0);
        var transferChange = await RequestAsync(member, "bank-account", 0);
        var smsChange = await RequestAsync(member, "phone", 0);
        string letterCode, reference, text;
        long letterId;
        await using (var db = await portal.DbAsync())
        {
            var letter = await db.Letters.SingleAsync(l => l.ChangeId == letterChange);
            (letterId, letterCode) = (letter.Id, letter.Code!);
            reference = (await db.BankTransfers.SingleAsync(t => t.ChangeId == transferChange)).Reference!;
            text = (await db.SmsMessages.SingleAsync(m => m.ChangeId == smsChange)).Body;
        }
        await using var session = await fixture.SignedInAdminAsync("channels-chief@example.org", "a sturdy admin passphrase");
        var page = session.Page;

        await page.GotoAsync("admin/letters");
        await session.WaitForInteractiveAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Print view" }).ClickAsync();
        var printed = page.Locator($"[data-letter='{letterId}']");
        await Assertions.Expect(printed.Locator("[data-code=letter]")).ToHaveTextAsync(letterCode);
        await Assertions.Expect(printed).ToContainTextAsync("Hauptstraße 5");
        await Assertions.Expect(printed).ToContainTextAsync(ChangeRequests.ProfilePath);
        await printed.ScrollIntoViewIfNeededAsync();
        await session.ScreenshotAsync("admin-letters-print");
        await page.EmulateMediaAsync(new() { Media = Media.Print });
        await Assertions.Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Administration" })).ToBeHiddenAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Mark all posted" })).ToBeHiddenAsync();
        Assert.Equal("page", await printed.EvaluateAsync<string>("e => getComputedStyle(e).breakAfter"));
        await page.EmulateMediaAsync(new() { Media = Media.Screen });

        await page.GotoAsync("admin/transfers");
        await session.WaitForInteractiveAsync();
        await Assertions.Expect(page.GetByText(reference, new() { Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("DE89 3704 0044 0532 0130 00")).ToBeVisibleAsync();
        await session.ScreenshotAsync("admin-transfers");
        await AtPhoneWidthAsync(session, "admin-transfers-phone");

        await page.GotoAsync("admin/outbox");
        await session.WaitForInteractiveAsync();
        var sms = page.Locator("[data-grid=sms]");
        await Assertions.Expect(sms).ToContainTextAsync(text);
        await sms.ScrollIntoViewIfNeededAsync();
        await session.ScreenshotAsync("admin-sms-outbox");
        session.AssertNoErrors();
    }

    /// <summary>The page at a phone's width: it fits, without scrolling sideways (a grid may scroll inside itself).</summary>
    internal static async Task AtPhoneWidthAsync(BrowserSession session, string screenshot)
    {
        var page = session.Page;
        var size = page.ViewportSize!;
        await Accessibility.OnPhoneAsync(page);
        await session.ScreenshotAsync(screenshot);
        await Accessibility.AssertNoSidewaysScrollingAsync(page);
        await page.SetViewportSizeAsync(size.Width, size.Height);
        // The layout answers a change of width through the circuit (the menu opens beside the page
        // again); a click before that can land on a button the answer replaces, and be lost.
        await Assertions.Expect(page.Locator(".mud-drawer.mud-drawer--open")).ToBeVisibleAsync();
        await Settling.WaitAsync(page);
    }

    private async Task<(PortalUser User, Actor Actor)> MemberAsync(string email)
    {
        var user = await fixture.Portal.CreateUserAsync(email);
        return (user, new Actor(user.Id, user.UserName!, new HashSet<string>()));
    }

    private async Task<long> RequestAsync(Actor member, string kind, int variant)
    {
        var result = await Requests.RequestAsync(member, kind, member.UserId!, ConfirmationsPortal.Proposal(kind, variant), TestPortal.DefaultPassword);
        Assert.True(result.Outcome == ChangeOutcome.Requested, result.Message);
        return result.ChangeId!.Value;
    }
}
