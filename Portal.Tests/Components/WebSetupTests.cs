using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Components;

/// <summary>
/// The site's own files come from the top-level wwwroot, whole, the framework's script from the SDK
/// and the reconnect dialog's script and styles from beside the component, both as dotnet run serves
/// them and as a published portal does.
/// </summary>
public sealed class WebSetupTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_site_files_the_framework_script_and_the_reconnect_dialog_files_are_served(bool published)
    {
        await using var portal = new TestPortal();
        if (published)
        {
            portal.RunAsPublished();
        }
        using var client = portal.CreateClient();

        foreach (var file in new[] { "css/portal.css", "img/logo.png", "img/logo.svg" })
        {
            Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(Repository.Root, "wwwroot", file)), await client.GetByteArrayAsync(file));
        }
        // The .NET 10 script: the reconnect dialog listens for this event.
        Assert.Contains("components-reconnect-state-changed", await client.GetStringAsync("_framework/blazor.web.js"));
        // The dialog's own script and the components' stylesheet, files beside the components.
        Assert.Contains("components-reconnect-state-changed", await client.GetStringAsync("Components/Layout/ReconnectModal.razor.js"));
        Assert.Contains("#components-reconnect-modal", await client.GetStringAsync("Portal.styles.css"));
    }

    [Fact]
    public async Task The_site_name_and_logo_on_the_pages_come_from_the_settings()
    {
        await using var portal = new TestPortal();
        portal.Settings["Portal:SiteName"] = "Acme Members";
        portal.Settings["Portal:LogoPath"] = "img/logo.png";
        using var client = portal.CreateClient();

        foreach (var path in new[] { "", "Identity/Account/Login" })
        {
            var page = await client.GetStringAsync(path);
            Assert.Contains("<img src=\"img/logo.png\"", page);
            Assert.Contains("<span>Acme Members</span>", page);
        }
    }
}
