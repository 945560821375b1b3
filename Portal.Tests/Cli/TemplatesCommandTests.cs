using Portal.Cli;
using Portal.Email;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Cli;

public sealed class TemplatesCommandTests : IAsyncLifetime
{
    private readonly TemplateCopy _templates = new();
    private readonly TestPortal _portal = new();

    public TemplatesCommandTests() => _templates.Configure(_portal);

    private async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await PortalCli.RunAsync(_portal.Services, args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Check_compiles_and_renders_every_template()
    {
        var (code, output, error) = await RunAsync("templates", "check");

        Assert.Equal((0, ""), (code, error));
        var files = Directory.GetFiles(_templates.Root, "*.cshtml", SearchOption.AllDirectories).Length;
        Assert.Contains($"{files} mail templates in {_templates.Root} compile, and {MailTemplates.All.Count} messages render with their sample data.", output);
    }

    [Fact]
    public async Task Check_names_the_file_and_line_of_a_broken_template_and_exits_2()
    {
        _templates.Edit("Registration/Activation.cshtml", t => t.Replace("Hello @Model.UserName,</p>", "Hello @Model.Nope,</p>"));

        var (code, _, error) = await RunAsync("templates", "check");

        Assert.Equal(PortalCli.BadInput, code);
        Assert.Contains($"{_templates.PathOf("Registration/Activation.cshtml")}:4: ", error);
        Assert.Contains("'Nope'", error);
    }

    [Fact]
    public async Task Check_names_the_file_and_line_of_a_razor_syntax_error()
    {
        _templates.Edit("Invitations/Invitation.cshtml", t => t.Replace("@Greeting</p>", "@(Greeting</p>"));

        var (code, _, error) = await RunAsync("templates", "check");

        Assert.Equal(PortalCli.BadInput, code);
        Assert.Contains($"{_templates.PathOf("Invitations/Invitation.cshtml")}:9: ", error);
        Assert.Contains("\")\"", error);
    }

    [Fact]
    public async Task Templates_see_the_base_library_but_not_the_apps_other_libraries()
    {
        _templates.Edit("Invitations/Invitation.cshtml", t => t.Replace("@Greeting</p>",
            "@Greeting @System.Globalization.CultureInfo.InvariantCulture.Name @string.Join(\",\", new[] { 1, 2 }.Select(i => i * 2))</p>"));
        _templates.Edit("Registration/Activation.cshtml", t => t.Replace("Hello @Model.UserName,</p>",
            "Hello @typeof(Microsoft.EntityFrameworkCore.DbContext).Name,</p>"));

        var (code, _, error) = await RunAsync("templates", "check");

        Assert.Equal(PortalCli.BadInput, code);
        Assert.DoesNotContain(_templates.PathOf("Invitations/Invitation.cshtml"), error);
        Assert.Contains($"{_templates.PathOf("Registration/Activation.cshtml")}:4: ", error);
        Assert.Contains("EntityFrameworkCore", error);
    }

    [Fact]
    public async Task Check_names_a_missing_layout_with_each_template_that_uses_it()
    {
        File.Delete(_templates.PathOf("_Layout.cshtml"));

        var (code, _, error) = await RunAsync("templates", "check");

        Assert.Equal(PortalCli.BadInput, code);
        Assert.Contains($"{_templates.PathOf("Invitations/Invitation.cshtml")}: ", error);
        Assert.Contains($"{_templates.PathOf("Registration/Activation.cshtml")}: ", error);
        Assert.Contains("_Layout.cshtml", error);
        Assert.Contains($"{MailTemplates.All.Count} errors in the mail templates", error);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _portal.DisposeAsync();
        _templates.Dispose();
    }
}
