using Bunit;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Features.Confirmations;
using Portal.Identity;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Components;

public sealed class ReviewInboxPageTests : ModerationPageTest
{
    private const string Grid = "review-inbox";

    [Fact]
    public async Task Changes_and_sign_ups_wait_in_one_list_with_counts_per_kind()
    {
        var member = await MemberAsync("ada@example.org");
        await RequestAsync(member, "profile");
        await Portal.SeedSignUpAsync("newcomer@example.net");
        await SignInNewAsync("mod@example.org", Roles.Moderator);

        var cut = RenderPage<ReviewInboxPage>();

        Eventually(cut, () => Assert.Equal(2, Rows(cut, Grid).Count));
        Assert.Contains("Display name", Assert.Single(Rows(cut, Grid, member.Name)).TextContent);
        Assert.Contains("Sign-up", Assert.Single(Rows(cut, Grid, "newcomer@example.net")).TextContent);
        Assert.Contains("Open", Assert.Single(Rows(cut, Grid, member.Name)).TextContent);
        Assert.Equal("All 2", Squeezed(cut.Find("[data-kind=all]").TextContent));
        Assert.Equal("Sign-up 1", Squeezed(cut.Find("[data-kind=sign-up]").TextContent));
        Assert.Equal("Display name 1", Squeezed(cut.Find("[data-kind=profile]").TextContent));
        Assert.Empty(cut.FindAll("[data-locked]"));
    }

    [Fact]
    public async Task An_empty_queue_says_nothing_is_waiting()
    {
        await SignInNewAsync("mod@example.org", Roles.Moderator);

        var cut = RenderPage<ReviewInboxPage>();

        Eventually(cut, () => Assert.Contains("Nothing is waiting for a moderator.", cut.Find("[data-testid=review-inbox]").TextContent));
        Assert.Equal("All 0", Squeezed(cut.Find("[data-kind=all]").TextContent));
    }

    [Fact]
    public async Task The_kind_chips_the_requester_search_the_age_and_the_order_filter_the_list()
    {
        var member = await MemberAsync("ada@example.org");
        await RequestAsync(member, "profile");
        await Portal.SeedSignUpAsync("newcomer@example.net", createdAt: DateTime.UtcNow.AddDays(-2));
        await SignInNewAsync("mod@example.org", Roles.Moderator);
        var cut = RenderPage<ReviewInboxPage>();
        Eventually(cut, () => Assert.Equal(2, Rows(cut, Grid).Count));
        Assert.Contains("newcomer@example.net", Rows(cut, Grid)[0].TextContent);

        await ChooseAsync<bool>(cut, "Order", true);
        Eventually(cut, () => Assert.Contains(member.Name, Rows(cut, Grid)[0].TextContent));

        await ClickAsync(cut, () => cut.Find("[data-kind=sign-up]"));
        Eventually(cut, () => Assert.Contains("newcomer@example.net", Assert.Single(Rows(cut, Grid)).TextContent));

        await ClickAsync(cut, () => cut.Find("[data-kind=all]"));
        await TypeAsync(cut, "Requester", member.Name);
        Eventually(cut, () => Assert.Contains(member.Name, Assert.Single(Rows(cut, Grid)).TextContent));

        await TypeAsync(cut, "Requester", "");
        await ChooseAsync<TimeSpan?>(cut, "Age", TimeSpan.FromDays(1));
        Eventually(cut, () => Assert.Contains("newcomer@example.net", Assert.Single(Rows(cut, Grid)).TextContent));
    }

    [Fact]
    public async Task Approving_a_sign_up_asks_first_cancel_changes_nothing_and_approve_activates_it()
    {
        var (applicant, signUp) = await Portal.SeedSignUpAsync("newcomer@example.net");
        await SignInNewAsync("mod@example.org", Roles.Moderator);
        var cut = RenderPage<ReviewInboxPage>();
        Eventually(cut, () => Assert.Single(Rows(cut, Grid, "newcomer@example.net")));

        await ClickAsync(cut, () => Button(Rows(cut, Grid)[0], "Approve"));
        await AnswerAsync(cut, "Cancel", "Approve the sign-up of");
        Assert.Equal(SignUpStatus.AwaitingApproval, (await SignUpAsync(signUp.Id)).Status);

        await ClickAsync(cut, () => Button(Rows(cut, Grid)[0], "Approve"));
        await AnswerAsync(cut, "Approve");

        Eventually(cut, () => Assert.Contains("Nothing is waiting for a moderator.", cut.Find("[data-testid=review-inbox]").TextContent));
        Assert.Equal(SignUpStatus.Active, (await SignUpAsync(signUp.Id)).Status);
        await using var db = await Portal.DbAsync();
        Assert.Equal(AccountState.Active, (await db.Users.SingleAsync(u => u.Id == applicant.Id)).State);
        Assert.Contains(Snackbars, s => s.StartsWith("1 item approved.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Rejecting_the_selected_items_needs_a_reason_and_rejects_each_with_it()
    {
        var member = await MemberAsync("ada@example.org");
        var change = await RequestAsync(member, "profile");
        var (_, signUp) = await Portal.SeedSignUpAsync("newcomer@example.net");
        await SignInNewAsync("mod@example.org", Roles.Moderator);
        var cut = RenderPage<ReviewInboxPage>();
        Eventually(cut, () => Assert.Equal(2, Rows(cut, Grid).Count));

        await cut.InvokeAsync(() => CheckBox(cut, "Select every item on this page").Change(true));
        Eventually(cut, () => Assert.Contains("2 selected", Squeezed(cut.Find("[role=toolbar]").TextContent)));
        await ClickAsync(cut, () => Button(cut.Find("[role=toolbar]"), "Reject selected"));
        Eventually(cut, () => Assert.Contains("Reject 2 items", Dialog(cut).TextContent));
        await ClickAsync(cut, () => Button(Dialog(cut), "Reject 2"));
        Eventually(cut, () => Assert.Contains("Give a reason", Dialog(cut).TextContent));

        const string reason = "Please ask again with the name you are known by.";
        await TypeAsync(cut, "Reason sent to each requester", reason);
        await AnswerAsync(cut, "Reject 2");

        Eventually(cut, () => Assert.Contains("Nothing is waiting for a moderator.", cut.Find("[data-testid=review-inbox]").TextContent));
        var rejected = Assert.Single(await Portal.Get<ChangeRequests>().MineAsync(member));
        Assert.Equal((change, ChangeStatus.Rejected, reason), (rejected.Id, rejected.Status, rejected.Reason));
        var decided = await SignUpAsync(signUp.Id);
        Assert.Equal((SignUpStatus.Rejected, reason), (decided.Status, decided.Reason));
        Assert.Contains("2 items rejected.", Snackbars);
    }

    [Fact]
    public async Task Cancelling_the_reject_dialog_rejects_nothing()
    {
        var (_, signUp) = await Portal.SeedSignUpAsync("newcomer@example.net");
        await SignInNewAsync("mod@example.org", Roles.Moderator);
        var cut = RenderPage<ReviewInboxPage>();
        Eventually(cut, () => Assert.Single(Rows(cut, Grid)));

        await ClickAsync(cut, () => Button(Rows(cut, Grid)[0], "Reject"));
        Eventually(cut, () => Assert.NotNull(Dialog(cut)));
        var template = Portal.Get<ReviewInbox>().RejectionReasons[0];
        await PickReasonAsync(cut, template);
        await AnswerAsync(cut, "Cancel");

        Assert.Equal(SignUpStatus.AwaitingApproval, (await SignUpAsync(signUp.Id)).Status);
        Assert.Single(Rows(cut, Grid));
    }

    [Fact]
    public async Task A_moderator_opens_code_entry_again_for_a_locked_account_after_confirming()
    {
        var locked = await Portal.CreateUserAsync("guesser@example.org");
        await using (var db = await Portal.DbAsync())
        {
            await db.Users.Where(u => u.Id == locked.Id).ExecuteUpdateAsync(s => s
                .SetProperty(u => u.WrongCodes, 100).SetProperty(u => u.CodeEntryLockedUntil, DateTime.UtcNow.AddDays(1)));
        }
        await SignInNewAsync("mod@example.org", Roles.Moderator);
        var cut = RenderPage<ReviewInboxPage>();
        Eventually(cut, () => Assert.Contains("100", cut.Find($"[data-locked='{locked.Id}']").TextContent));

        await ClickAsync(cut, () => Button(cut.Find($"[data-locked='{locked.Id}']"), "Open code entry"));
        await AnswerAsync(cut, "Open code entry", $"Open code entry for {locked.UserName} again?");

        Eventually(cut, () => Assert.Empty(cut.FindAll("[data-locked]")));
        await using var check = await Portal.DbAsync();
        var after = await check.Users.AsNoTracking().SingleAsync(u => u.Id == locked.Id);
        Assert.Equal((0, (DateTime?)null), (after.WrongCodes, after.CodeEntryLockedUntil));
        Assert.Contains($"Code entry is open again for {locked.UserName}.", Snackbars);
    }
}
