using Bunit;
using Portal.Email;
using Portal.Features.Outbox;

namespace Portal.Tests.Components;

public sealed class TemplatesPageTests : PageWithProvidersTest
{
    [Fact]
    public void The_page_lists_every_template_and_previews_the_first()
    {
        var cut = RenderPage<TemplatesPage>();

        Eventually(cut, () => Assert.Contains("Activate your Portal account", cut.Find(".portal-mailview-subject").TextContent));
        var items = cut.FindAll("nav[aria-label=Templates] button");
        Assert.Equal(MailTemplates.All.Count, items.Count);
        Assert.Contains("active", items[0].ClassList);
    }

    [Fact]
    public void Choosing_a_template_previews_it()
    {
        var cut = RenderPage<TemplatesPage>();
        Eventually(cut, () => cut.Find(".portal-mailview-subject"));

        cut.FindAll("nav[aria-label=Templates] button").Single(b => b.TextContent.Trim() == "Password reset").Click();

        Eventually(cut, () => Assert.Contains("Reset your Portal password", cut.Find(".portal-mailview-subject").TextContent));
        Assert.Contains("Choose a new password", cut.Find("iframe.portal-mailview-frame").GetAttribute("srcdoc"));
    }
}
