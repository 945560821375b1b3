using System.CommandLine;
using Portal.Email;
using Portal.Localization;

namespace Portal.Cli;

/// <summary><c>templates check</c>: compiles every mail template and renders each message with its sample data.</summary>
public static class TemplatesCommand
{
    private static readonly StaticTexts Texts = new(typeof(TemplatesCommand));

    public static Command Build(IServiceProvider services, TextWriter output, TextWriter error)
    {
        var check = new Command("check", Texts["CheckDescription"]);
        check.SetAction(async (_, cancellationToken) =>
        {
            var templates = services.GetRequiredService<MailTemplateEngine>();
            var errors = await services.GetRequiredService<MailRenderer>().CheckAsync(cancellationToken);
            foreach (var problem in errors)
            {
                await error.WriteLineAsync(problem.ToString());
            }
            if (errors.Count > 0)
            {
                await error.WriteLineAsync(Texts.Format(Plural.Key("Errors", errors.Count), errors.Count, templates.Root));
                return PortalCli.BadInput;
            }
            await output.WriteLineAsync(Texts.Format("Checked", templates.Files().Count(), templates.Root, MailTemplates.All.Count));
            return PortalCli.Success;
        });
        return new Command("templates", Texts["Description"]) { check };
    }
}
