using Bunit;
using Portal.Data;
using Portal.Features.Confirmations;
using Portal.Identity;

namespace Portal.Tests.Components;

public sealed class ChangeReviewPageTests : ModerationPageTest
{
    [Fact]
    public async Task A_change_shows_what_it_was_and_what_is_asked_and_is_claimed_by_the_moderator_who_opens_it()
    {
        var member = await MemberAsync("ada@example.org");
        var change = await RequestAsync(member, "profile");
        await SignInNewAsync("mod@example.org", Roles.Moderator);

        var cut = RenderPage<ChangeReviewPage>(new Dictionary<string, object?> { [nameof(ChangeReviewPage.Id)] = change });

        Eventually(cut, () => Assert.Equal(member.Name, cut.Find("[data-field=requester]").TextContent));
        Assert.Equal("Display name", cut.Find("h1").TextContent);
        Assert.Equal("(empty)", cut.Find("tr[data-field=DisplayName] [data-value=before]").TextContent);
        Assert.Equal("Ada L.", cut.Find("tr[data-field=DisplayName] [data-value=proposed]").TextContent);
        Assert.Contains("You have this change until", cut.Find("[data-notice=claim]").TextContent);
        Assert.Equal("Pending", cut.Find("[data-status]").GetAttribute("data-status"));
        Assert.Contains("None.", cut.Markup);
        Assert.NotNull(Button(cut, "Approve"));
    }

    [Fact]
    public async Task An_unknown_change_is_not_found()
    {
        await SignInNewAsync("mod@example.org", Roles.Moderator);

        var cut = RenderPage<ChangeReviewPage>(new Dictionary<string, object?> { [nameof(ChangeReviewPage.Id)] = 4242L });

        Eventually(cut, () => Assert.Equal("Change not found", cut.Find("h1").TextContent));
        Assert.DoesNotContain(cut.FindAll("button"), b => b.TextContent.Trim() == "Approve");
    }

    [Fact]
    public async Task Nobody_decides_on_their_own_request()
    {
        var moderator = await SignInNewAsync("mod@example.org", Roles.Moderator);
        var change = await RequestAsync(new Actor(moderator.Id, moderator.UserName!, new HashSet<string> { Roles.Moderator }), "profile");

        var cut = RenderPage<ChangeReviewPage>(new Dictionary<string, object?> { [nameof(ChangeReviewPage.Id)] = change });

        Eventually(cut, () => Assert.Equal("You cannot decide on your own request: another moderator must.", cut.Find("[data-notice=own]").TextContent));
        Assert.DoesNotContain(cut.FindAll("button"), b => b.TextContent.Trim() is "Approve" or "Reject");
        Assert.Empty(cut.FindAll("[data-notice=claim]"));
    }

    [Fact]
    public async Task Approving_applies_the_change_and_shows_it_decided()
    {
        var member = await MemberAsync("ada@example.org");
        var change = await RequestAsync(member, "profile");
        await SignInNewAsync("mod@example.org", Roles.Moderator);
        var cut = RenderPage<ChangeReviewPage>(new Dictionary<string, object?> { [nameof(ChangeReviewPage.Id)] = change });
        Eventually(cut, () => Assert.NotNull(cut.Find("[data-notice=claim]")));

        await ClickAsync(cut, () => Button(cut, "Approve"));

        Eventually(cut, () => Assert.NotNull(cut.Find("[data-notice=review]")));
        Assert.Equal(ChangeStatus.Applied, (await Portal.Get<ChangeRequests>().MineAsync(member)).Single(c => c.Id == change).Status);
        Assert.Equal("Ada L.", (await Portal.Get<ChangeRequests>().CurrentAsync(Actor.System, "profile", member.UserId!))!["DisplayName"]);
        Assert.Equal("Applied", cut.Find("[data-status]").GetAttribute("data-status"));
        Assert.DoesNotContain(cut.FindAll("button"), b => b.TextContent.Trim() == "Approve");
        Assert.Contains(Snackbars, s => s.StartsWith("The change is approved.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Rejecting_asks_for_a_reason_cancel_keeps_the_change_and_a_picked_reason_rejects_it()
    {
        var member = await MemberAsync("ada@example.org");
        var earlier = await RequestAsync(member, "profile", 1);
        var moderator = await SignInNewAsync("mod@example.org", Roles.Moderator);
        var moderatorActor = new Actor(moderator.Id, moderator.UserName!, new HashSet<string> { Roles.Moderator });
        await Portal.Get<ChangeModeration>().RejectManyAsync(moderatorActor, [earlier], "Not this name.");
        var change = await RequestAsync(member, "profile");
        var cut = RenderPage<ChangeReviewPage>(new Dictionary<string, object?> { [nameof(ChangeReviewPage.Id)] = change });
        Eventually(cut, () => Assert.Contains("Not this name.", cut.Find("[data-testid=change-history]").TextContent));
        Assert.Contains("Countess Ada", cut.Find("[data-testid=change-history]").TextContent);

        await ClickAsync(cut, () => Button(cut, "Reject"));
        await AnswerAsync(cut, "Cancel", $"Reject the display name of {member.Name}");
        Assert.Equal(ChangeStatus.Pending, (await Portal.Get<ChangeRequests>().MineAsync(member)).Single(c => c.Id == change).Status);

        var reason = Portal.Get<ChangeModeration>().RejectionReasons[0];
        await ClickAsync(cut, () => Button(cut, "Reject"));
        Eventually(cut, () => Assert.NotNull(Dialog(cut)));
        await PickReasonAsync(cut, reason);
        await AnswerAsync(cut, "Reject");

        Eventually(cut, () => Assert.Equal("Rejected", cut.Find("[data-status]").GetAttribute("data-status")));
        var rejected = (await Portal.Get<ChangeRequests>().MineAsync(member)).Single(c => c.Id == change);
        Assert.Equal((ChangeStatus.Rejected, reason), (rejected.Status, rejected.Reason));
        Assert.Contains(Snackbars, s => s.StartsWith("The change is rejected.", StringComparison.Ordinal));
    }
}
