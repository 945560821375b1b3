using Bunit;
using Microsoft.EntityFrameworkCore;
using MudBlazor;
using Portal.Features.Audit;
using Portal.Features.Invitations;

namespace Portal.Tests.Components;

public sealed class AuditPageTests : AdminPageTest
{
    /// <summary>Two invitations, the second revoked: three entries.</summary>
    private async Task<IRenderedComponent<AuditPage>> OpenAsync()
    {
        await SignInAsAdminAsync();
        var invitations = Portal.Get<InvitationService>();
        await invitations.InviteAsync("ada@example.org", Admin);
        var grace = (await invitations.InviteAsync("grace@example.org", Admin)).InvitationId!.Value;
        Assert.True(await invitations.RevokeAsync(Admin, grace));
        var page = await RenderPageAsync<AuditPage>();
        page.WaitForAssertion(() => Assert.NotEmpty(Actions(page)));
        return page;
    }

    private static IReadOnlyList<string> Actions(IRenderedComponent<AuditPage> page) =>
        [.. page.FindAll("[data-testid=audit] tbody tr code").Select(e => e.TextContent.Trim())];

    [Fact]
    public async Task The_log_shows_who_did_what_to_what()
    {
        var page = await OpenAsync();

        await using var db = await Portal.DbAsync();
        Assert.Equal(await db.AuditEntries.CountAsync(), Actions(page).Count);
        var revoked = page.FindAll("[data-testid=audit] tbody tr").Single(r => r.TextContent.Contains("invitation.revoked"));
        Assert.Contains("grace@example.org", revoked.TextContent);
        Assert.Contains(Admin.Name, revoked.TextContent);
    }

    [Fact]
    public async Task A_search_that_matches_nothing_says_so_and_one_that_matches_narrows_the_list()
    {
        var page = await OpenAsync();

        page.Find("input[data-testid=audit-search]").Input("grace@");
        page.WaitForAssertion(() => Assert.All(page.FindAll("[data-testid=audit] tbody tr"), r => Assert.Contains("grace@example.org", r.TextContent)), TimeSpan.FromSeconds(5));

        page.Find("input[data-testid=audit-search]").Input("nobody at all");
        page.WaitForAssertion(() => Assert.Contains("No entry matches.", page.Find("[data-testid=audit]").TextContent), TimeSpan.FromSeconds(5));
        Assert.Empty(Actions(page));
    }

    [Fact]
    public async Task The_action_list_offers_the_actions_logged_and_filters_by_one()
    {
        var page = await OpenAsync();
        var select = page.FindComponent<MudSelect<string>>();

        await page.InvokeAsync(() => select.Instance.ValueChanged.InvokeAsync("invitation.revoked"));

        page.WaitForAssertion(() => Assert.Equal(["invitation.revoked"], Actions(page)));
    }

    [Fact]
    public async Task The_dates_filter_by_the_days_picked()
    {
        var page = await OpenAsync();
        var today = Portal.Get<TimeProvider>().GetUtcNow().UtcDateTime.Date;
        var pickers = page.FindComponents<MudDatePicker>();

        await page.InvokeAsync(() => pickers[1].Instance.DateChanged.InvokeAsync(today.AddDays(-1)));
        page.WaitForAssertion(() => Assert.Empty(Actions(page)));

        await page.InvokeAsync(() => pickers[1].Instance.DateChanged.InvokeAsync(today));
        page.WaitForAssertion(() => Assert.NotEmpty(Actions(page)));
    }

    [Fact]
    public async Task The_log_sorts_on_the_server()
    {
        var page = await OpenAsync();
        var grid = page.FindComponent<MudDataGrid<AuditRow>>();

        await page.InvokeAsync(() => grid.Instance.SetSortAsync(nameof(AuditRow.Action), SortDirection.Descending, e => e.Action, null));

        page.WaitForAssertion(() => Assert.Equal(Actions(page).OrderByDescending(a => a, StringComparer.Ordinal), Actions(page)));
        // The newest entry, the revocation, comes first unsorted.
        Assert.Equal("invitation.sent", Actions(page)[0]);
    }
}
