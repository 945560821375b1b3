using Bunit;
using MudBlazor;
using Portal.Data;
using Portal.Features.Users;
using Portal.Identity;

namespace Portal.Tests.Components;

public sealed class UsersPageTests : PageWithProvidersTest
{
    [Fact]
    public async Task The_grid_lists_accounts_with_their_status_and_roles()
    {
        await SignInAdminAsync();
        await Portal.CreateUserAsync("helper@example.org", roles: Roles.Moderator);
        await Portal.CreateUserAsync("newcomer@example.org", state: AccountState.AwaitingActivation);

        var cut = RenderPage<UsersPage>();

        Eventually(cut, () => Assert.Equal(3, cut.FindAll("tbody tr").Count));
        var helper = Row(cut, "helper@example.org");
        Assert.Equal(["Active", "Moderator"], helper.QuerySelectorAll("[data-status]").Select(s => s.GetAttribute("data-status")));
        Assert.Equal(["Awaiting activation"], Row(cut, "newcomer@example.org").QuerySelectorAll("[data-status]").Select(s => s.GetAttribute("data-status")));
        Assert.Equal(["Active", "Admin"], Row(cut, "admin@example.org").QuerySelectorAll("[data-status]").Select(s => s.GetAttribute("data-status")));
    }

    [Fact]
    public async Task A_search_from_the_address_that_matches_nobody_shows_the_empty_state()
    {
        await SignInAdminAsync();

        var cut = RenderPage<UsersPage>("admin/users?search=nobody-by-that-name");

        Eventually(cut, () => Assert.Contains("No account matches.", cut.Markup));
        Assert.Equal("nobody-by-that-name", cut.Find("input[placeholder='Search user name or address']").GetAttribute("value"));
    }

    [Fact]
    public async Task Typing_in_the_search_box_keeps_the_matching_accounts()
    {
        await SignInAdminAsync();
        await Portal.CreateUserAsync("leaver@example.org");
        var cut = RenderPage<UsersPage>();
        Eventually(cut, () => Assert.Equal(2, cut.FindAll("tbody tr").Count));

        cut.Find("input[placeholder='Search user name or address']").Input("LEAVER@");

        Eventually(cut, () => Assert.Contains("leaver@example.org", Assert.Single(cut.FindAll("tbody tr")).TextContent));
    }

    [Fact]
    public async Task Choosing_a_status_or_a_role_keeps_the_accounts_that_have_it()
    {
        var admin = await SignInAdminAsync();
        var leaver = await Portal.CreateUserAsync("leaver@example.org");
        await Portal.CreateUserAsync("helper@example.org", roles: Roles.Moderator);
        await Portal.Get<UserAdmin>().DeactivateAsync(Actor.System, leaver.Id);
        var cut = RenderPage<UsersPage>();
        Eventually(cut, () => Assert.Equal(3, cut.FindAll("tbody tr").Count));

        await ChooseAsync<AccountStatus?>(cut, "Status", AccountStatus.Deactivated);
        Eventually(cut, () => Assert.Equal("leaver@example.org", Assert.Single(cut.FindAll("tbody tr")).QuerySelector(".portal-muted")!.TextContent));

        await ChooseAsync<AccountStatus?>(cut, "Status", null);
        await ChooseAsync(cut, "Role", Roles.Moderator);
        Eventually(cut, () => Assert.Contains("helper@example.org", Assert.Single(cut.FindAll("tbody tr")).TextContent));

        await ChooseAsync(cut, "Role", Roles.Admin);
        Eventually(cut, () => Assert.Contains(admin.Email!, Assert.Single(cut.FindAll("tbody tr")).TextContent));
    }

    [Fact]
    public async Task Sorting_and_paging_the_grid_reach_the_query()
    {
        await SignInAdminAsync();
        for (var i = 0; i < 21; i++)
        {
            await Portal.CreateUserAsync($"p{i:00}@example.org");
        }
        var cut = RenderPage<UsersPage>();
        var grid = cut.FindComponent<MudDataGrid<UserRow>>();
        Eventually(cut, () => Assert.Equal(20, cut.FindAll("tbody tr").Count));

        await grid.InvokeAsync(() => grid.Instance.SetSortAsync(nameof(UserRow.UserName), SortDirection.Descending, u => u.UserName));
        Eventually(cut, () => Assert.StartsWith("p20-", cut.Find("tbody tr .portal-account-name").TextContent));

        await grid.InvokeAsync(() => grid.Instance.SetSortAsync(nameof(UserRow.UserName), SortDirection.Ascending, u => u.UserName));
        Eventually(cut, () => Assert.StartsWith("admin-", cut.Find("tbody tr .portal-account-name").TextContent));
        await grid.InvokeAsync(() => grid.Instance.NavigateTo(Page.Next));
        Eventually(cut, () => Assert.Equal(["p19-", "p20-"], cut.FindAll("tbody tr .portal-account-name").Select(n => n.TextContent[..4])));
    }

    [Fact]
    public async Task A_filter_changed_on_a_later_page_shows_the_first_page_of_what_matches()
    {
        await SignInAdminAsync();
        for (var i = 0; i < 21; i++)
        {
            await Portal.CreateUserAsync($"bee{i:00}@example.org");
            await Portal.CreateUserAsync($"ant{i:00}@example.org");
        }
        var cut = RenderPage<UsersPage>();
        var grid = cut.FindComponent<MudDataGrid<UserRow>>();
        Eventually(cut, () => Assert.Equal(20, cut.FindAll("tbody tr").Count));
        await grid.InvokeAsync(() => grid.Instance.NavigateTo(Page.Next));
        Eventually(cut, () => Assert.Equal(1, grid.Instance.CurrentPage));

        // 21 accounts match: a full first page, and one on the second.
        cut.Find("input[placeholder='Search user name or address']").Input("bee");

        Eventually(cut, () => Assert.Equal(20, cut.FindAll("tbody tr").Count(r => r.TextContent.Contains("bee", StringComparison.Ordinal))));
        Assert.Equal(0, grid.Instance.CurrentPage);
    }

    [Fact]
    public async Task Deactivating_asks_first_and_cancelling_leaves_the_account_alone()
    {
        await SignInAdminAsync();
        var leaver = await Portal.CreateUserAsync("leaver@example.org");
        var cut = RenderPage<UsersPage>();
        Eventually(cut, () => Row(cut, "leaver@example.org"));

        Button(Row(cut, "leaver@example.org"), "Deactivate").Click();
        Eventually(cut, () => Assert.Contains($"Deactivate {leaver.UserName}? They will not be able to sign in", Dialog(cut).TextContent));
        Button(Dialog(cut), "Cancel").Click();

        Eventually(cut, () => Assert.Empty(cut.FindAll("[role=dialog]")));
        await using var db = await Portal.DbAsync();
        Assert.Null((await db.Users.FindAsync(leaver.Id))!.DeactivatedAt);
        Assert.Empty(Snackbars);
    }

    [Fact]
    public async Task Deactivating_after_confirming_deactivates_the_account_and_reactivating_brings_it_back()
    {
        await SignInAdminAsync();
        var leaver = await Portal.CreateUserAsync("leaver@example.org");
        var cut = RenderPage<UsersPage>();
        Eventually(cut, () => Row(cut, "leaver@example.org"));

        Button(Row(cut, "leaver@example.org"), "Deactivate").Click();
        Eventually(cut, () => Button(Dialog(cut), "Deactivate").Click());

        Eventually(cut, () => Assert.Equal("Deactivated", Row(cut, "leaver@example.org").QuerySelector("[data-status]")!.GetAttribute("data-status")));
        Assert.Equal([$"{leaver.UserName} is deactivated: they cannot sign in and their open sessions end within a minute."], Snackbars);
        await using (var db = await Portal.DbAsync())
        {
            Assert.NotNull((await db.Users.FindAsync(leaver.Id))!.DeactivatedAt);
        }

        Button(Row(cut, "leaver@example.org"), "Reactivate").Click();

        Eventually(cut, () => Assert.Equal("Active", Row(cut, "leaver@example.org").QuerySelector("[data-status]")!.GetAttribute("data-status")));
        Assert.Equal($"{leaver.UserName} is reactivated.", Snackbars[^1]);
        await using (var db = await Portal.DbAsync())
        {
            Assert.Null((await db.Users.FindAsync(leaver.Id))!.DeactivatedAt);
        }
    }

    [Fact]
    public async Task An_admin_cannot_deactivate_their_own_account_and_is_told_so()
    {
        var admin = await SignInAdminAsync();
        var cut = RenderPage<UsersPage>();
        Eventually(cut, () => Row(cut, admin.Email!));

        Button(Row(cut, admin.Email!), "Deactivate").Click();
        Eventually(cut, () => Button(Dialog(cut), "Deactivate").Click());

        Eventually(cut, () => Assert.Equal(["You cannot deactivate your own account."], Snackbars));
        await using var db = await Portal.DbAsync();
        Assert.Null((await db.Users.FindAsync(admin.Id))!.DeactivatedAt);
    }

    [Fact]
    public async Task The_roles_menu_grants_a_role_at_once_and_removes_one_after_asking()
    {
        await SignInAdminAsync();
        var helper = await Portal.CreateUserAsync("helper@example.org");
        var cut = RenderPage<UsersPage>();
        Eventually(cut, () => Row(cut, "helper@example.org"));

        Button(Row(cut, "helper@example.org"), "Roles").Click();
        Eventually(cut, () => MenuItem(cut, "Grant role Moderator").Click());

        Eventually(cut, () => Assert.Contains(Row(cut, "helper@example.org").QuerySelectorAll("[data-status]"), s => s.GetAttribute("data-status") == Roles.Moderator));
        Assert.Equal([$"{helper.UserName} now has the role Moderator."], Snackbars);
        Assert.True(await HasRoleAsync(helper.Id, Roles.Moderator));

        Button(Row(cut, "helper@example.org"), "Roles").Click();
        Eventually(cut, () => MenuItem(cut, "Remove role Moderator").Click());
        Eventually(cut, () => Assert.Contains($"Remove the role Moderator from {helper.UserName}?", Dialog(cut).TextContent));
        Button(Dialog(cut), "Keep").Click();
        Eventually(cut, () => Assert.Empty(cut.FindAll("[role=dialog]")));
        Assert.True(await HasRoleAsync(helper.Id, Roles.Moderator));

        Button(Row(cut, "helper@example.org"), "Roles").Click();
        Eventually(cut, () => MenuItem(cut, "Remove role Moderator").Click());
        Eventually(cut, () => Button(Dialog(cut), "Remove").Click());

        Eventually(cut, () => Assert.Equal($"{helper.UserName} no longer has the role Moderator; their sessions end within a minute.", Snackbars[^1]));
        Assert.False(await HasRoleAsync(helper.Id, Roles.Moderator));
    }

    private static AngleSharp.Dom.IElement MenuItem(IRenderedComponent<Bunit.Rendering.ContainerFragment> cut, string text) =>
        cut.FindAll("[role=menuitem]").Single(i => i.TextContent.Trim() == text);

    private async Task<bool> HasRoleAsync(string userId, string role)
    {
        await using var db = await Portal.DbAsync();
        return db.UserRoles.Any(r => r.UserId == userId && r.RoleId == role.ToLowerInvariant());
    }
}
