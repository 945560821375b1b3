using System.CommandLine;
using Portal.Features.Registration;
using Portal.Identity;
using Portal.Localization;

namespace Portal.Cli;

/// <summary>The registration cleanup on demand, as the daily job runs it; with --dry-run it only lists.</summary>
public static class CleanupCommand
{
    private static readonly StaticTexts Texts = new(typeof(CleanupCommand));

    public static Command Build(IServiceProvider services, TextWriter output)
    {
        var dryRun = new Option<bool>("--dry-run") { Description = Texts["DryRunOption"] };
        var command = new Command("cleanup", Texts["Description"]) { dryRun };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var dry = parse.GetValue(dryRun);
            var report = await services.GetRequiredService<RegistrationCleanup>().RunAsync(Actor.System, dry,
                account => output.WriteLineAsync(Texts.Format(dry ? "WouldDelete" : "Deleted", account.MaskedEmail, account.RegisteredAt, account.Reason)),
                cancellationToken);
            await output.WriteLineAsync(Texts.Format(dry ? "DryRunTotals" : "Totals", report.AccountText, report.KeyText));
            return PortalCli.Success;
        });
        return command;
    }
}
