using Bunit;
using Microsoft.EntityFrameworkCore;
using MudBlazor;
using Portal.Data;
using Portal.Features.Invitations;

namespace Portal.Tests.Components;

public sealed class InvitationsPageTests : AdminPageTest
{
    private async Task<IRenderedComponent<InvitationsPage>> OpenAsync(params string[] invitees)
    {
        await SignInAsAdminAsync();
        foreach (var invitee in invitees)
        {
            Assert.True((await Portal.Get<InvitationService>().InviteAsync(invitee, Admin)).Sent);
        }
        var page = await RenderPageAsync<InvitationsPage>();
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-status-filter]")));
        return page;
    }

    private static IReadOnlyList<string> Addresses(IRenderedComponent<InvitationsPage> page) =>
        [.. page.FindAll("[data-testid=invitations] tbody tr td:nth-child(2) strong").Select(e => e.TextContent.Trim())];

    private async Task<Invitation> InvitationAsync(string email)
    {
        await using var db = await Portal.DbAsync();
        return await db.Invitations.AsNoTracking().SingleAsync(i => i.EmailKey == email);
    }

    [Fact]
    public async Task The_list_shows_each_invitation_with_its_status_and_the_counts_per_status()
    {
        var page = await OpenAsync("ada@example.org", "grace@example.org");

        page.WaitForAssertion(() => Assert.Equal(["grace@example.org", "ada@example.org"], Addresses(page)));
        Assert.Equal(2, page.FindAll("[data-testid=invitations] [data-status=Pending]").Count);
        Assert.Equal("Pending 2", page.Find("[data-status-filter=Pending]").TextContent.Trim().Replace("\n", "").Replace("  ", " "));
        Assert.Contains("0", page.Find("[data-status-filter=Revoked] strong").TextContent);
    }

    [Fact]
    public async Task A_search_that_matches_nothing_says_so()
    {
        var page = await OpenAsync("ada@example.org");
        page.WaitForAssertion(() => Assert.Single(Addresses(page)));

        page.Find("input[data-testid=invitations-search]").Input("nobody");

        page.WaitForAssertion(() => Assert.Contains("No invitation matches.", page.Markup), TimeSpan.FromSeconds(5));
        Assert.Empty(Addresses(page));
    }

    [Fact]
    public async Task The_search_and_the_inviter_filter_reach_the_query()
    {
        var page = await OpenAsync("ada@example.org", "grace@example.org");
        page.WaitForAssertion(() => Assert.Equal(2, Addresses(page).Count));

        page.Find("input[data-testid=invitations-search]").Input("grace");
        page.WaitForAssertion(() => Assert.Equal(["grace@example.org"], Addresses(page)), TimeSpan.FromSeconds(5));

        page.Find("input[data-testid=invitations-inviter]").Input("someone else");
        page.WaitForAssertion(() => Assert.Empty(Addresses(page)), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_status_button_and_the_status_list_filter_by_status_and_pressing_it_again_shows_all()
    {
        var page = await OpenAsync("ada@example.org", "grace@example.org");
        var grace = await InvitationAsync("grace@example.org");
        Assert.True(await Portal.Get<InvitationService>().RevokeAsync(Admin, grace.Id));

        var revoked = page.Find("[data-status-filter=Revoked]");
        revoked.Click();
        page.WaitForAssertion(() => Assert.Equal(["grace@example.org"], Addresses(page)));
        Assert.Equal("true", page.Find("[data-status-filter=Revoked]").GetAttribute("aria-pressed"));

        page.Find("[data-status-filter=Revoked]").Click();
        page.WaitForAssertion(() => Assert.Equal(2, Addresses(page).Count));

        var select = page.FindComponent<MudSelect<InvitationStatus?>>();
        await page.InvokeAsync(() => select.Instance.ValueChanged.InvokeAsync(InvitationStatus.Pending));
        page.WaitForAssertion(() => Assert.Equal(["ada@example.org"], Addresses(page)));
    }

    [Fact]
    public async Task The_sent_dates_filter_by_the_days_picked()
    {
        var page = await OpenAsync("ada@example.org");
        page.WaitForAssertion(() => Assert.Single(Addresses(page)));
        var today = Portal.Get<TimeProvider>().GetUtcNow().UtcDateTime.Date;
        var pickers = page.FindComponents<MudDatePicker>();

        await page.InvokeAsync(() => pickers[0].Instance.DateChanged.InvokeAsync(today.AddDays(1)));
        page.WaitForAssertion(() => Assert.Empty(Addresses(page)));

        await page.InvokeAsync(() => pickers[0].Instance.DateChanged.InvokeAsync(today));
        await page.InvokeAsync(() => pickers[1].Instance.DateChanged.InvokeAsync(today));
        page.WaitForAssertion(() => Assert.Single(Addresses(page)));
    }

    [Fact]
    public async Task The_grid_pages_and_sorts_on_the_server()
    {
        var invitees = Enumerable.Range(1, 23).Select(n => $"person{n:00}@example.org").ToArray();
        var page = await OpenAsync(invitees);
        page.WaitForAssertion(() => Assert.Equal(20, Addresses(page).Count));
        Assert.Contains("1-20 of 23", page.Markup);

        var grid = page.FindComponent<MudDataGrid<InvitationRow>>();
        await page.InvokeAsync(() => grid.Instance.SetSortAsync(nameof(InvitationRow.Email), SortDirection.Ascending, r => r.Email!, null));
        page.WaitForAssertion(() => Assert.Equal(invitees[..20], Addresses(page)));

        await page.InvokeAsync(() => grid.Instance.NavigateTo(MudBlazor.Page.Next));
        page.WaitForAssertion(() => Assert.Equal(invitees[20..], Addresses(page)));
    }

    [Fact]
    public async Task Revoking_asks_first_and_keep_changes_nothing()
    {
        var page = await OpenAsync("ada@example.org");
        page.WaitForAssertion(() => Assert.Single(Addresses(page)));

        ClickRowButton(page, "Revoke");
        Answer("Keep");
        Assert.Equal(InvitationStatus.Pending, (await InvitationAsync("ada@example.org")).Status);

        ClickRowButton(page, "Revoke");
        Answer("Revoke");
        Assert.Equal(InvitationStatus.Revoked, (await InvitationAsync("ada@example.org")).Status);
        page.WaitForAssertion(() => Assert.Contains("1 invitation(s) revoked.", page.Find("[role=status]").TextContent));
        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=invitations] [data-status=Revoked]")));
    }

    [Fact]
    public async Task Selected_invitations_are_sent_again_together()
    {
        var page = await OpenAsync("ada@example.org", "grace@example.org");
        page.WaitForAssertion(() => Assert.Equal(2, Addresses(page).Count));

        CheckBox(page, "Select every invitation on this page").Change(true);
        Assert.Contains("2 selected", page.Find("[role=toolbar][aria-label='Selected invitations']").TextContent.Replace("\n", " ").Replace("  ", " "));
        page.Find("[role=toolbar][aria-label='Selected invitations']").QuerySelectorAll("button").Single(b => b.TextContent.Trim() == "Resend").Click();

        page.WaitForAssertion(() => Assert.Contains("2 invitation(s) sent again with a new link.", page.Find("[role=status]").TextContent));
        Assert.Equal(2, (await InvitationAsync("ada@example.org")).SendCount);
        Assert.Equal(2, (await InvitationAsync("grace@example.org")).SendCount);
        Assert.Empty(page.FindAll("[role=toolbar][aria-label='Selected invitations']"));
    }

    [Fact]
    public async Task The_invite_dialog_sends_and_lists_each_outcome_then_the_grid_shows_the_new_invitation()
    {
        var page = await OpenAsync("ada@example.org");

        page.Find("button:contains('Invite people')").Click();
        var dialog = Dialogs;
        dialog.WaitForAssertion(() => Assert.NotNull(dialog.Find("[data-testid=invite-dialog] textarea")));
        dialog.FindAll("[data-testid=invite-dialog] textarea")[0].Change("new.one@example.org, ada@example.org");
        dialog.Find("button:contains('Send invitations')").Click();

        dialog.WaitForAssertion(() => Assert.Equal(2, dialog.FindAll("[data-outcome]").Count));
        Assert.Equal(["Sent", "Resent"], dialog.FindAll("[data-outcome]").Select(r => r.GetAttribute("data-outcome")));
        Assert.Equal(InvitationStatus.Pending, (await InvitationAsync("new.one@example.org")).Status);

        dialog.Find("button:contains('Done')").Click();
        dialog.WaitForAssertion(() => Assert.Empty(dialog.FindAll("[data-testid=invite-dialog]")));
        page.WaitForAssertion(() => Assert.Contains("new.one@example.org", Addresses(page)));
    }

    [Fact]
    public async Task The_invite_dialog_asks_for_an_address_and_cancel_sends_nothing()
    {
        var page = await OpenAsync();
        page.Find("button:contains('Invite people')").Click();
        var dialog = Dialogs;
        dialog.WaitForAssertion(() => Assert.NotNull(dialog.Find("[data-testid=invite-dialog]")));

        dialog.Find("button:contains('Send invitations')").Click();
        dialog.WaitForAssertion(() => Assert.Contains("Enter at least one address.", dialog.Find("[data-testid=invite-dialog]").TextContent));

        dialog.Find("button:contains('Cancel')").Click();
        dialog.WaitForAssertion(() => Assert.Empty(dialog.FindAll("[data-testid=invite-dialog]")));
        await using var db = await Portal.DbAsync();
        Assert.False(await db.Invitations.AnyAsync());
    }

    private static void ClickRowButton(IRenderedComponent<InvitationsPage> page, string name) =>
        page.FindAll("[data-testid=invitations] tbody button").First(b => b.TextContent.Trim() == name).Click();
}
