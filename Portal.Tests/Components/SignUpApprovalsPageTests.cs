using Bunit;
using MudBlazor;
using Portal.Data;
using Portal.Features.Registration;
using Portal.Identity;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Components;

public sealed class SignUpApprovalsPageTests : ModerationPageTest
{
    private const string Grid = "sign-ups";

    [Fact]
    public async Task The_queue_lists_confirmed_sign_ups_awaiting_approval_and_says_when_nobody_waits()
    {
        await Portal.SeedSignUpAsync("welcome@queue.example");
        await Portal.SeedSignUpAsync("unconfirmed@queue.example", SignUpStatus.AwaitingActivation);
        await SignInNewAsync("mod@example.org", Roles.Moderator);

        var cut = RenderPage<SignUpApprovalsPage>();

        Eventually(cut, () => Assert.Contains("welcome@queue.example", Assert.Single(Rows(cut, Grid)).TextContent));
        Assert.Contains("Email confirmed", Rows(cut, Grid)[0].TextContent);
        Assert.Equal("Awaiting approval", Rows(cut, Grid)[0].QuerySelectorAll("[data-status]").Last().GetAttribute("data-status"));

        await ChooseAsync<SignUpStatus?>(cut, "Status", SignUpStatus.Rejected);
        Eventually(cut, () => Assert.Contains("No sign-up matches.", cut.Find($"[data-testid={Grid}]").TextContent));
        await ChooseAsync<SignUpStatus?>(cut, "Status", null);
        Eventually(cut, () => Assert.Equal(2, Rows(cut, Grid).Count));
    }

    [Fact]
    public async Task An_empty_queue_says_nobody_is_waiting()
    {
        await SignInNewAsync("mod@example.org", Roles.Moderator);

        var cut = RenderPage<SignUpApprovalsPage>();

        Eventually(cut, () => Assert.Contains("Nobody is waiting for approval.", cut.Find($"[data-testid={Grid}]").TextContent));
    }

    [Fact]
    public async Task The_domain_the_search_the_sort_and_the_pages_reach_the_query()
    {
        for (var i = 0; i < 20; i++)
        {
            await Portal.SeedSignUpAsync($"person{i:00}@many.example");
        }
        await Portal.SeedSignUpAsync("ines@bücher.example");
        await SignInNewAsync("mod@example.org", Roles.Moderator);
        var cut = RenderPage<SignUpApprovalsPage>();
        Eventually(cut, () => Assert.Equal(20, Rows(cut, Grid).Count));

        var grid = cut.FindComponent<MudDataGrid<SignUpRow>>();
        await grid.InvokeAsync(() => grid.Instance.NavigateTo(MudBlazor.Page.Next));
        Eventually(cut, () => Assert.Single(Rows(cut, Grid)));

        await grid.InvokeAsync(() => grid.Instance.SetSortAsync(nameof(SignUpRow.Email), SortDirection.Descending, r => r.Email));
        await grid.InvokeAsync(() => grid.Instance.NavigateTo(MudBlazor.Page.First));
        Eventually(cut, () => Assert.Contains("person19@many.example", Rows(cut, Grid)[0].TextContent));

        await TypeAsync(cut, "Domain", "xn--bcher-kva.example");
        Eventually(cut, () => Assert.Contains("ines@bücher.example", Assert.Single(Rows(cut, Grid)).TextContent));

        await TypeAsync(cut, "Domain", "");
        await TypeAsync(cut, "Search", "person07");
        Eventually(cut, () => Assert.Contains("person07@many.example", Assert.Single(Rows(cut, Grid)).TextContent));

        // The domain in a row filters by it, whatever else is searched after.
        await TypeAsync(cut, "Search", "ines");
        Eventually(cut, () => Assert.Single(Rows(cut, Grid, "ines@bücher.example")));
        await ClickAsync(cut, () => Button(Rows(cut, Grid)[0], "bücher.example"));
        await TypeAsync(cut, "Search", "");
        Eventually(cut, () => Assert.Contains("ines@bücher.example", Assert.Single(Rows(cut, Grid)).TextContent));
    }

    [Fact]
    public async Task Approving_asks_first_cancel_changes_nothing_and_approve_activates_the_account()
    {
        var (_, signUp) = await Portal.SeedSignUpAsync("welcome@queue.example");
        await SignInNewAsync("mod@example.org", Roles.Moderator);
        var cut = RenderPage<SignUpApprovalsPage>();
        Eventually(cut, () => Assert.Single(Rows(cut, Grid, "welcome@queue.example")));

        await ClickAsync(cut, () => Button(Rows(cut, Grid)[0], "Approve"));
        await AnswerAsync(cut, "Cancel", "Approve the sign-up of welcome@queue.example?");
        Assert.Equal(SignUpStatus.AwaitingApproval, (await SignUpAsync(signUp.Id)).Status);

        await ClickAsync(cut, () => Button(Rows(cut, Grid)[0], "Approve"));
        await AnswerAsync(cut, "Approve");

        Eventually(cut, () => Assert.Contains("Nobody is waiting for approval.", cut.Find($"[data-testid={Grid}]").TextContent));
        Assert.Equal(SignUpStatus.Active, (await SignUpAsync(signUp.Id)).Status);
        Assert.Contains("The sign-up is approved.", Snackbars);
    }

    [Fact]
    public async Task Rejecting_the_selected_sign_ups_sends_the_picked_reason_and_the_rejected_view_shows_it()
    {
        var (_, first) = await Portal.SeedSignUpAsync("one@queue.example");
        var (_, second) = await Portal.SeedSignUpAsync("two@queue.example");
        var (_, kept) = await Portal.SeedSignUpAsync("kept@queue.example");
        var moderator = await SignInNewAsync("mod@example.org", Roles.Moderator);
        var cut = RenderPage<SignUpApprovalsPage>();
        Eventually(cut, () => Assert.Equal(3, Rows(cut, Grid).Count));

        await cut.InvokeAsync(() => CheckBox(cut, "Select one@queue.example").Change(true));
        await cut.InvokeAsync(() => CheckBox(cut, "Select two@queue.example").Change(true));
        Eventually(cut, () => Assert.Contains("2 selected", Squeezed(cut.Find("[role=toolbar]").TextContent)));
        await ClickAsync(cut, () => Button(cut.Find("[role=toolbar]"), "Reject selected"));
        Eventually(cut, () => Assert.Contains("each of the 2 applicants", Dialog(cut).TextContent));
        var reason = Portal.Get<RegistrationReview>().RejectionReasons[1];
        await PickReasonAsync(cut, reason);
        await AnswerAsync(cut, "Reject 2");

        Eventually(cut, () => Assert.Contains("kept@queue.example", Assert.Single(Rows(cut, Grid)).TextContent));
        Assert.Equal((SignUpStatus.Rejected, reason), ((await SignUpAsync(first.Id)).Status, (await SignUpAsync(first.Id)).Reason));
        Assert.Equal(SignUpStatus.Rejected, (await SignUpAsync(second.Id)).Status);
        Assert.Equal(SignUpStatus.AwaitingApproval, (await SignUpAsync(kept.Id)).Status);
        Assert.Contains("2 sign-ups rejected.", Snackbars);

        await ChooseAsync<SignUpStatus?>(cut, "Status", SignUpStatus.Rejected);
        Eventually(cut, () => Assert.Equal(2, Rows(cut, Grid).Count));
        Assert.Contains(reason, Rows(cut, Grid, "one@queue.example").Single().TextContent);
        Assert.Contains($"by {moderator.UserName}", Rows(cut, Grid, "one@queue.example").Single().TextContent);
        Assert.Empty(cut.FindAll("input[type=checkbox]"));
    }
}
