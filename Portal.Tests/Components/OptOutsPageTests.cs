using Bunit;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Features.OptOut;

namespace Portal.Tests.Components;

public sealed class OptOutsPageTests : PageWithProvidersTest
{
    [Fact]
    public async Task With_nobody_opted_out_the_page_says_so()
    {
        await SignInAdminAsync();

        var cut = RenderPage<OptOutsPage>();

        Eventually(cut, () => Assert.Contains("Nobody has opted out.", cut.Markup));
        Assert.Equal("0 addresses have opted out.", cut.Find(".portal-count").TextContent);
    }

    [Fact]
    public async Task The_grid_says_how_each_entry_opted_out_and_the_count_adds_them_up()
    {
        await SignInAdminAsync();
        await OptOutAsync("one@example.org", OptOutSource.OneClick);
        await OptOutAsync("two@example.org", OptOutSource.Page);

        var cut = RenderPage<OptOutsPage>();

        Eventually(cut, () => Assert.Equal("2 addresses have opted out.", cut.Find(".portal-count").TextContent));
        var rows = cut.FindAll("tbody tr");
        Assert.Equal(2, rows.Count);
        Assert.Contains("Opt-out page of an invitation", rows[0].TextContent);
        Assert.Contains("One-click unsubscribe in the mail program", rows[1].TextContent);
    }

    [Fact]
    public async Task Checking_an_address_says_whether_it_is_on_the_list()
    {
        await SignInAdminAsync();
        await OptOutAsync("private.person@example.org", OptOutSource.OneClick);
        var cut = RenderPage<OptOutsPage>();
        var address = cut.Find("input[placeholder='someone@example.org']");

        address.Input("PRIVATE.person@example.org");
        Button(cut, "Check an address").Click();
        Eventually(cut, () => Assert.Equal("true", cut.Find(".portal-check-result").GetAttribute("data-listed")));
        Assert.Contains("PRIVATE.person@example.org opted out: no invitation will reach it.", cut.Find(".portal-check-result").TextContent);

        address.Input("someone.else@example.org");
        Button(cut, "Check an address").Click();
        Eventually(cut, () => Assert.Contains("someone.else@example.org can be invited.", cut.Find(".portal-check-result").TextContent));
        Assert.Equal("false", cut.Find(".portal-check-result").GetAttribute("data-listed"));

        address.Input("not an address");
        Button(cut, "Check an address").Click();
        Eventually(cut, () => Assert.Equal("Not an address", cut.Find(".portal-check-result [data-status]").GetAttribute("data-status")));
    }

    [Fact]
    public async Task Removing_an_entry_asks_for_a_reason_and_records_it()
    {
        await SignInAdminAsync();
        await OptOutAsync("changed.mind@example.org", OptOutSource.OneClick);
        var cut = RenderPage<OptOutsPage>();
        Eventually(cut, () => Assert.Single(cut.FindAll("tbody tr")));

        Button(cut.Find("tbody tr"), "Remove").Click();
        Eventually(cut, () => Assert.Contains("Remove an entry only when the person asked to be invitable again.", Dialog(cut).TextContent));
        Button(Dialog(cut), "Remove").Click();
        Eventually(cut, () => Assert.Contains("Give a reason.", Dialog(cut).TextContent));
        Button(Dialog(cut), "Cancel").Click();
        Eventually(cut, () => Assert.Empty(cut.FindAll("[role=dialog]")));
        Assert.Equal(1, await CountAsync());

        Button(cut.Find("tbody tr"), "Remove").Click();
        Eventually(cut, () => Dialog(cut).QuerySelector("textarea")!.Input("  Asked by email on 2 March, ticket 4812 "));
        Button(Dialog(cut), "Remove").Click();

        Eventually(cut, () => Assert.Contains("Nobody has opted out.", cut.Markup));
        Assert.Equal("0 addresses have opted out.", cut.Find(".portal-count").TextContent);
        Assert.Equal(["The entry is removed: that address can be invited again."], Snackbars);
        await using var db = await Portal.DbAsync();
        Assert.Equal(0, await db.OptOutEntries.CountAsync());
        Assert.Equal("Asked by email on 2 March, ticket 4812", (await db.AuditEntries.SingleAsync(e => e.Action == "opt-out.removed")).Details);
    }

    private async Task OptOutAsync(string address, OptOutSource source)
    {
        await using var db = await Portal.DbAsync();
        await Portal.Get<OptOutList>().AddAsync(db, address, source);
        await db.SaveChangesAsync();
    }

    private async Task<int> CountAsync()
    {
        await using var db = await Portal.DbAsync();
        return await db.OptOutEntries.CountAsync();
    }
}
