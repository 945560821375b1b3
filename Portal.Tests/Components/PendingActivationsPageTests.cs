using Bunit;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Features.Registration;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Components;

public sealed class PendingActivationsPageTests : PageWithProvidersTest
{
    [Fact]
    public async Task With_nobody_pending_the_grid_says_so()
    {
        await SignInAdminAsync();

        var cut = RenderPage<PendingActivationsPage>();

        Eventually(cut, () => Assert.Contains("No account is awaiting activation.", cut.Markup));
        Assert.Empty(cut.FindAll(SelectionBar));
    }

    [Fact]
    public async Task The_grid_shows_whose_link_waits_and_whose_expired()
    {
        await SignInAdminAsync();
        await SeedFreshAndStaleAsync();

        var cut = RenderPage<PendingActivationsPage>();

        Eventually(cut, () => Assert.Equal(2, cut.FindAll("tbody tr").Count));
        Assert.Equal("Waiting", Row(cut, "fresh@example.org").QuerySelector("[data-status]")!.GetAttribute("data-status"));
        Assert.Contains("expires in 6 days", Row(cut, "fresh@example.org").TextContent);
        Assert.Equal("Expired", Row(cut, "stale@example.org").QuerySelector("[data-status]")!.GetAttribute("data-status"));
        Assert.Contains("10 days ago", Row(cut, "stale@example.org").TextContent);
    }

    [Fact]
    public async Task The_search_and_the_link_filter_narrow_the_list()
    {
        await SignInAdminAsync();
        await SeedFreshAndStaleAsync();
        var cut = RenderPage<PendingActivationsPage>();
        Eventually(cut, () => Assert.Equal(2, cut.FindAll("tbody tr").Count));

        await ChooseAsync(cut, "Link", PendingActivationFilter.Expired);
        Eventually(cut, () => Assert.Contains("stale@example.org", Assert.Single(cut.FindAll("tbody tr")).TextContent));
        await ChooseAsync(cut, "Link", PendingActivationFilter.NotExpired);
        Eventually(cut, () => Assert.Contains("fresh@example.org", Assert.Single(cut.FindAll("tbody tr")).TextContent));

        await ChooseAsync(cut, "Link", PendingActivationFilter.All);
        cut.Find("input[type=text]").Input("STALE");
        Eventually(cut, () => Assert.Contains("stale@example.org", Assert.Single(cut.FindAll("tbody tr")).TextContent));
    }

    [Fact]
    public async Task Resend_on_a_row_sends_a_new_link_at_once_and_counts_it()
    {
        await SignInAdminAsync();
        await Portal.SeedSignUpAsync("fresh@example.org", SignUpStatus.AwaitingActivation);
        var cut = RenderPage<PendingActivationsPage>();
        Eventually(cut, () => Row(cut, "fresh@example.org"));

        Button(Row(cut, "fresh@example.org"), "Resend").Click();

        Eventually(cut, () => Assert.Equal(["1 account(s) sent a new activation link."], Snackbars));
        Eventually(cut, () => Assert.Equal("1", Row(cut, "fresh@example.org").QuerySelectorAll("td")[4].TextContent.Trim()));
        await Portal.Mail.DeliveredAsync("fresh@example.org", "Activate your Portal account");
    }

    [Fact]
    public async Task Selected_accounts_are_activated_together_after_confirming_and_not_when_cancelled()
    {
        await SignInAdminAsync();
        var (one, _) = await Portal.SeedSignUpAsync("one@example.org", SignUpStatus.AwaitingActivation);
        var (two, _) = await Portal.SeedSignUpAsync("two@example.org", SignUpStatus.AwaitingActivation);
        await Portal.SeedSignUpAsync("other@example.org", SignUpStatus.AwaitingActivation);
        var cut = RenderPage<PendingActivationsPage>();
        Eventually(cut, () => Assert.Equal(3, cut.FindAll("tbody tr").Count));

        CheckBox(cut, "Select one@example.org").Change(true);
        CheckBox(cut, "Select two@example.org").Change(true);
        Assert.Contains("2 selected", cut.Find(SelectionBar).TextContent);

        Button(cut.Find(SelectionBar), "Activate").Click();
        Eventually(cut, () => Assert.Contains("Activate 2 accounts? They can sign in at once", Dialog(cut).TextContent));
        Button(Dialog(cut), "Cancel").Click();
        Eventually(cut, () => Assert.Empty(cut.FindAll("[role=dialog]")));
        Assert.Equal(0, await ActiveCountAsync(one.Id, two.Id));

        Button(cut.Find(SelectionBar), "Activate").Click();
        Eventually(cut, () => Button(Dialog(cut), "Activate").Click());

        Eventually(cut, () => Assert.Equal(["2 account(s) activated."], Snackbars));
        Eventually(cut, () => Assert.Contains("other@example.org", Assert.Single(cut.FindAll("tbody tr")).TextContent));
        Assert.Empty(cut.FindAll(SelectionBar));
        Assert.Equal(2, await ActiveCountAsync(one.Id, two.Id));
    }

    [Fact]
    public async Task The_header_box_selects_the_page_and_delete_removes_the_accounts_after_confirming()
    {
        await SignInAdminAsync();
        var (one, _) = await Portal.SeedSignUpAsync("one@example.org", SignUpStatus.AwaitingActivation);
        var (two, _) = await Portal.SeedSignUpAsync("two@example.org", SignUpStatus.AwaitingActivation);
        var cut = RenderPage<PendingActivationsPage>();
        Eventually(cut, () => Assert.Equal(2, cut.FindAll("tbody tr").Count));

        CheckBox(cut, "Select every account on this page").Change(true);
        Assert.Contains("2 selected", cut.Find(SelectionBar).TextContent);
        Button(cut.Find(SelectionBar), "Delete").Click();
        Eventually(cut, () => Assert.Contains("Delete 2 accounts?", Dialog(cut).TextContent));
        Button(Dialog(cut), "Delete").Click();

        Eventually(cut, () => Assert.Contains("No account is awaiting activation.", cut.Markup));
        Assert.Equal(["2 account(s) deleted."], Snackbars);
        await using var db = await Portal.DbAsync();
        Assert.False(await db.Users.AnyAsync(u => u.Id == one.Id || u.Id == two.Id));
    }

    [Fact]
    public async Task The_cleanup_preview_lists_what_would_go_and_running_it_after_confirming_deletes_it()
    {
        await SignInAdminAsync();
        var (fresh, stale) = await SeedFreshAndStaleAsync();
        var cut = RenderPage<PendingActivationsPage>();
        Eventually(cut, () => Assert.Equal(2, cut.FindAll("tbody tr").Count));

        Button(cut, "Preview cleanup").Click();
        Eventually(cut, () => Assert.Contains("Cleanup preview", cut.Find(".portal-cleanup").TextContent));
        var listed = Assert.Single(cut.FindAll(".portal-cleanup tbody tr"));
        Assert.Contains("s•••@example.org", listed.TextContent);
        Assert.Contains("never activated; the activation link expired on", listed.TextContent);

        Button(cut, "Run cleanup now").Click();
        Eventually(cut, () => Assert.Contains("This cannot be undone.", Dialog(cut).TextContent));
        Button(Dialog(cut), "Run cleanup").Click();

        Eventually(cut, () => Assert.Contains("Cleanup done", cut.Find(".portal-cleanup").TextContent));
        Eventually(cut, () => Assert.Contains("fresh@example.org", Assert.Single(cut.FindAll(".portal-grid tbody tr")).TextContent));
        await using (var db = await Portal.DbAsync())
        {
            Assert.False(await db.Users.AnyAsync(u => u.Id == stale.Id));
            Assert.True(await db.Users.AnyAsync(u => u.Id == fresh.Id));
        }

        Button(cut, "Close").Click();
        Assert.Empty(cut.FindAll(".portal-cleanup"));
    }

    /// <summary>One account whose link still works (signed up a day ago) and one whose link expired 3 days ago (signed up 10 days ago).</summary>
    private async Task<(PortalUser Fresh, PortalUser Stale)> SeedFreshAndStaleAsync()
    {
        var now = DateTime.UtcNow;
        var (fresh, _) = await Portal.SeedSignUpAsync("fresh@example.org", SignUpStatus.AwaitingActivation, now.AddDays(-1), now.AddDays(6));
        var (stale, _) = await Portal.SeedSignUpAsync("stale@example.org", SignUpStatus.AwaitingActivation, now.AddDays(-10), now.AddDays(-3));
        return (fresh, stale);
    }

    private const string SelectionBar = "[role=toolbar][aria-label='Selected accounts']";

    private async Task<int> ActiveCountAsync(params string[] ids)
    {
        await using var db = await Portal.DbAsync();
        return await db.Users.CountAsync(u => ids.Contains(u.Id) && u.State == AccountState.Active);
    }
}
