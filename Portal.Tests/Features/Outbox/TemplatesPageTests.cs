using Portal.Identity;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Features.Outbox;

public sealed class TemplatesPageTests : IAsyncLifetime
{
    private readonly TemplateCopy _templates = new();
    private readonly TestPortal _portal = new();

    public TemplatesPageTests() => _templates.Configure(_portal);

    private async Task<string> PageAsync()
    {
        await _portal.CreateUserAsync("templates-admin@example.org", roles: Roles.Admin);
        using var client = _portal.CreateBrowserlikeClient();
        using var _ = await client.SignInAsync("templates-admin@example.org", TestPortal.DefaultPassword);
        return await client.GetStringAsync("/admin/templates");
    }

    [Fact]
    public async Task The_page_previews_the_first_template_with_sample_data()
    {
        var page = await PageAsync();

        Assert.Contains("Activate your Portal account", page);
        Assert.DoesNotContain("does not compile", page);
    }

    [Fact]
    public async Task A_template_that_does_not_compile_shows_its_error_instead_of_a_preview()
    {
        _templates.Edit("Registration/Activation.cshtml", t => t.Replace("Hello @Model.UserName,</p>", "Hello @Model.Nope,</p>"));

        var page = await PageAsync();

        Assert.Contains("This template does not compile", page);
        Assert.Contains($"{_templates.PathOf("Registration/Activation.cshtml")}:4: ", page);
        Assert.DoesNotContain("Activate your Portal account", page);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _portal.DisposeAsync();
        _templates.Dispose();
    }
}
