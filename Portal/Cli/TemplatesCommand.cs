using System.CommandLine;
using Portal.Email;

namespace Portal.Cli;

/// <summary><c>templates check</c>: compiles every mail template and renders each message with its sample data.</summary>
public static class TemplatesCommand
{
    public static Command Build(IServiceProvider services, TextWriter output, TextWriter error)
    {
        var check = new Command("check", "Compile every mail template and render each message with its sample data; exit 2 on an error.");
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
                await error.WriteLineAsync($"{errors.Count} errors in the mail templates in {templates.Root}.");
                return PortalCli.BadInput;
            }
            await output.WriteLineAsync($"{templates.Files().Count()} mail templates in {templates.Root} compile, and {MailTemplates.All.Count} messages render with their sample data.");
            return PortalCli.Success;
        });
        return new Command("templates", "Mail templates.") { check };
    }
}
