using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Email;
using Portal.Email.Mails.Invitations;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Email;

/// <summary>Templates an operator edits on the server: the portal runs on a copy of them here.</summary>
public sealed class MailTemplateEngineTests : IAsyncLifetime
{
    private const string Template = "Invitations/Invitation.cshtml";
    private readonly TemplateCopy _templates = new();
    private readonly LogCapture _logs = new();
    private readonly TestPortal _portal;

    public MailTemplateEngineTests()
    {
        _portal = TestPortal.WithServices(services => services.AddLogging(logging => logging.AddProvider(_logs).SetMinimumLevel(LogLevel.Trace)));
        _templates.Configure(_portal);
        _portal.Settings["Logging:LogLevel:Portal.Email"] = "Information";
    }

    public async Task InitializeAsync()
    {
        _ = _portal.Services;
        await _logs.LineAsync($"Compiled {Count(_templates.Root)} mail templates in");
    }

    private Task<RenderedMail> RenderAsync() => _portal.Get<MailRenderer>().RenderAsync(InvitationMail.Sample(_portal.Get<IOptions<PortalOptions>>().Value.Brand));

    [Fact]
    public async Task An_edited_template_is_used_for_the_next_message_without_a_restart()
    {
        Assert.Equal("Grace Hopper invited you to join Portal", (await RenderAsync()).Subject);

        _templates.Edit(Template, t => t.Replace("invited you to join", "would like you in"));
        await _logs.LineAsync($"{_templates.PathOf(Template)} changed and compiled");

        Assert.Equal("Grace Hopper would like you in Portal", (await RenderAsync()).Subject);
    }

    [Fact]
    public async Task A_template_broken_on_the_server_is_reported_and_its_last_good_version_stays_in_use()
    {
        var good = await RenderAsync();

        _templates.Edit(Template, t => t.Replace("<p style=\"margin:0 0 16px;\">@Greeting</p>", "<p>@Model.NoSuchThing</p>"));
        var error = await _logs.LineAsync($"does not compile or render: {_templates.PathOf(Template)}:9: ");

        Assert.Contains("NoSuchThing", error);
        Assert.Equal(good, await RenderAsync());
        Assert.Contains(_portal.Get<MailTemplateEngine>().Errors, e => e.File == _templates.PathOf(Template) && e.Line == 9);
    }

    [Fact]
    public async Task A_layout_missing_at_start_is_reported_with_each_template_that_uses_it()
    {
        using var templates = new TemplateCopy();
        var logs = new LogCapture();
        await using var portal = TestPortal.WithServices(services => services.AddLogging(logging => logging.AddProvider(logs)));
        templates.Configure(portal);
        portal.Settings["Logging:LogLevel:Portal.Email"] = "Information";
        File.Delete(templates.PathOf("_Layout.cshtml"));

        _ = portal.Services;

        await logs.LineAsync($"does not compile or render: {templates.PathOf(Template)}: it uses _Layout.cshtml, which is not in {templates.Root}");
        await logs.LineAsync($"Compiled {Count(templates.Root)} mail templates in {templates.Root}; {MailTemplates.All.Count} errors.");
    }

    /// <summary>The template files in every language's folder.</summary>
    private static int Count(string root) => Directory.GetFiles(root, "*.cshtml", SearchOption.AllDirectories).Length;

    public async Task DisposeAsync()
    {
        await _portal.DisposeAsync();
        _templates.Dispose();
    }
}
