using Bunit;
using Microsoft.EntityFrameworkCore;
using Portal.Features.Outbox;

namespace Portal.Tests.Components;

public sealed class SuppressedAddressesTests : PageWithProvidersTest
{
    [Fact]
    public async Task The_grid_shows_each_address_with_the_reply_and_the_search_finds_by_either()
    {
        await SignInAdminAsync();
        await SuppressAsync("bounced.reader@example.org", "550 5.1.1 User unknown");
        await SuppressAsync("full.box@example.net", "552 5.2.2 Mailbox full");
        var cut = RenderPage<SuppressedAddresses>();
        Eventually(cut, () => Assert.Equal(2, cut.FindAll("tbody tr").Count));
        Assert.Contains("552 5.2.2 Mailbox full", Row(cut, "full.box@example.net").TextContent);

        cut.Find("input[placeholder='Search address or reply']").Input("user unknown");
        Eventually(cut, () => Assert.Contains("bounced.reader@example.org", Assert.Single(cut.FindAll("tbody tr")).TextContent));

        cut.Find("input[placeholder='Search address or reply']").Input("nowhere.example");
        Eventually(cut, () => Assert.Contains("No address is suppressed.", cut.Markup));
    }

    [Fact]
    public async Task Removing_an_address_takes_a_reason_and_cancelling_keeps_it()
    {
        await SignInAdminAsync();
        await SuppressAsync("bounced.reader@example.org", "550 5.1.1 User unknown");
        var cut = RenderPage<SuppressedAddresses>();
        Eventually(cut, () => Row(cut, "bounced.reader@example.org"));

        Button(Row(cut, "bounced.reader@example.org"), "Remove").Click();
        Eventually(cut, () => Assert.Contains("Remove bounced.reader@example.org from the suppression list", Dialog(cut).TextContent));
        Button(Dialog(cut), "Cancel").Click();
        Eventually(cut, () => Assert.Empty(cut.FindAll("[role=dialog]")));
        await using (var db = await Portal.DbAsync())
        {
            Assert.Equal(1, await db.MailSuppressions.CountAsync());
        }

        Button(Row(cut, "bounced.reader@example.org"), "Remove").Click();
        Eventually(cut, () => Dialog(cut).QuerySelector("textarea")!.Input("The mailbox was restored"));
        Button(Dialog(cut), "Remove").Click();

        Eventually(cut, () => Assert.Contains("No address is suppressed.", cut.Markup));
        Assert.Equal(["bounced.reader@example.org is off the suppression list: it can be invited again."], Snackbars);
        await using (var db = await Portal.DbAsync())
        {
            Assert.Equal(0, await db.MailSuppressions.CountAsync());
            Assert.Equal("The mailbox was restored", (await db.AuditEntries.SingleAsync(e => e.Action == "suppression.removed")).Details);
        }
    }

    private async Task SuppressAsync(string address, string reply)
    {
        await using var db = await Portal.DbAsync();
        await Portal.Get<SuppressionList>().AddAsync(db, address, reply, default);
    }
}
