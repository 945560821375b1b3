using System.CommandLine;
using Portal.Features.Registration;
using Portal.Identity;

namespace Portal.Cli;

/// <summary>The registration cleanup on demand, as the daily job runs it; with --dry-run it only lists.</summary>
public static class CleanupCommand
{
    public static Command Build(IServiceProvider services, TextWriter output)
    {
        var dryRun = new Option<bool>("--dry-run") { Description = "Only list what would be deleted; change nothing." };
        var command = new Command("cleanup", "Delete accounts never activated whose activation link expired, and old spent activation keys.") { dryRun };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var dry = parse.GetValue(dryRun);
            var report = await services.GetRequiredService<RegistrationCleanup>().RunAsync(Actor.System, dry,
                account => output.WriteLineAsync($"{(dry ? "Would delete" : "Deleted")} {account.MaskedEmail}, registered {account.RegisteredAt:yyyy-MM-dd}: {account.Reason}"),
                cancellationToken);
            await output.WriteLineAsync(dry
                ? $"Dry run: {report.AccountText} and {report.KeyText} would be deleted; nothing was changed."
                : $"Deleted {report.AccountText} and {report.KeyText}.");
            return PortalCli.Success;
        });
        return command;
    }
}
