using System.Text.RegularExpressions;
using Bunit;
using MudBlazor;
using Portal.Features.Registration;
using Portal.Features.Settings;

namespace Portal.Tests.Components;

public sealed class SettingsPageTests : PageWithProvidersTest
{
    [Fact]
    public async Task The_page_shows_the_mode_in_force_from_the_configuration_and_nothing_to_save()
    {
        await SignInAdminAsync();

        var cut = RenderPage<SettingsPage>();

        Eventually(cut, () => Assert.Contains("In force: Open, from the configuration file", InForce(cut)));
        Assert.True(Button(cut, "Save").HasAttribute("disabled"));
        Assert.Equal(4, cut.FindAll("input[type=radio]").Count);
    }

    [Fact]
    public async Task Choosing_a_mode_and_saving_puts_it_in_force_and_says_who_set_it()
    {
        var admin = await SignInAdminAsync();
        var cut = RenderPage<SettingsPage>();
        Eventually(cut, () => Assert.Contains("In force: Open", InForce(cut)));

        var modes = cut.FindComponent<MudRadioGroup<RegistrationMode>>();
        await modes.InvokeAsync(() => modes.Instance.ValueChanged.InvokeAsync(RegistrationMode.ApprovalRequired));
        Assert.False(Button(cut, "Save").HasAttribute("disabled"));
        Button(cut, "Save").Click();

        Eventually(cut, () => Assert.Contains($"In force: Approval required, set by {admin.UserName}", InForce(cut)));
        Assert.Equal(["Registration is now Approval required."], Snackbars);
        Assert.Equal(RegistrationMode.ApprovalRequired, await Portal.Get<SiteSettings>().RegistrationModeAsync());
        Assert.True(Button(cut, "Save").HasAttribute("disabled"));
    }

    /// <summary>What the page says is in force, its spaces as a reader sees them.</summary>
    private static string InForce(IRenderedComponent<Bunit.Rendering.ContainerFragment> cut) =>
        Regex.Replace(cut.Find("[data-setting=registration-mode]").TextContent, @"\s+", " ");
}
