using Bunit;
using MudBlazor;
using Portal.Components.Shared;

namespace Portal.Tests.Components;

public sealed class SharedComponentsTests : ComponentTest
{
    [Fact]
    public void A_stat_card_shows_its_figure_with_thousands_separated_its_detail_and_its_link()
    {
        var card = Context.Render<StatCard>(p => p
            .Add(c => c.Name, "users").Add(c => c.Title, "Accounts").Add(c => c.Value, 12345)
            .Add(c => c.Detail, "3 deactivated").Add(c => c.Href, "admin/users").Add(c => c.LinkText, "All accounts"));

        Assert.Equal("12,345", card.Find("[data-stat=users]").TextContent);
        Assert.Contains("Accounts", card.Markup);
        Assert.Contains("3 deactivated", card.Markup);
        var link = card.Find("a");
        Assert.Equal(("admin/users", "All accounts"), (link.GetAttribute("href"), link.TextContent.Trim()));
    }

    [Fact]
    public void A_stat_card_without_a_link_or_detail_shows_the_figure_and_its_unit_alone()
    {
        var card = Context.Render<StatCard>(p => p.Add(c => c.Name, "rate").Add(c => c.Title, "Activation rate").Add(c => c.Value, 42).Add(c => c.Unit, "%"));

        Assert.Equal("42%", card.Find("[data-stat=rate]").TextContent);
        Assert.Empty(card.FindAll("a"));
    }

    [Fact]
    public void A_status_chip_names_its_status_for_people_and_for_tests()
    {
        var chip = Context.Render<StatusChip>(p => p.Add(c => c.Text, "Failed").Add(c => c.Color, Color.Error));

        var status = chip.Find("[data-status]");
        Assert.Equal("Failed", status.GetAttribute("data-status"));
        Assert.Equal("Failed", status.TextContent.Trim());
    }
}
