using System.CommandLine;
using Microsoft.AspNetCore.Identity;
using Portal.Data;
using Portal.Features.Invitations;
using Portal.Features.Invitations.Bulk;
using Portal.Identity;
using Portal.Localization;

namespace Portal.Cli;

/// <summary>
/// Bulk invitations without the browser: the same dry run and run as the Bulk invite page, then a
/// results file beside the input.
/// </summary>
public static class InviteCommand
{
    private static readonly StaticTexts Texts = new(typeof(InviteCommand));

    public static Command Build(IServiceProvider services, TextWriter output)
    {
        var csv = new Option<FileInfo>("--csv") { Description = Texts["CsvOption"], Required = true };
        var inviter = new Option<string>("--inviter") { Description = Texts["InviterOption"], Required = true };
        var dryRun = new Option<bool>("--dry-run") { Description = Texts["DryRunOption"] };
        var role = new Option<string?>("--role") { Description = Texts["RoleOption"] };
        var resend = new Option<bool>("--resend") { Description = Texts["ResendOption"] };
        var message = new Option<string?>("--message") { Description = Texts["MessageOption"] };
        var days = new Option<int?>("--expires-days") { Description = Texts["DaysOption"] };
        var language = new Option<string?>("--language") { Description = Texts["LanguageOption"] };
        var command = new Command("invite", Texts["Description"]) { csv, inviter, dryRun, role, resend, message, days, language };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var scope = services.CreateAsyncScope();
            await RunAsync(scope.ServiceProvider, output, parse.GetValue(csv)!, parse.GetValue(inviter)!, parse.GetValue(dryRun),
                parse.GetValue(role), parse.GetValue(resend), parse.GetValue(message), parse.GetValue(days), parse.GetValue(language), cancellationToken);
            return PortalCli.Success;
        });
        return command;
    }

    private static async Task RunAsync(
        IServiceProvider services, TextWriter output, FileInfo file, string inviterEmail, bool dryRun, string? role, bool resend,
        string? message, int? days, string? language, CancellationToken cancellationToken)
    {
        if (!file.Exists)
        {
            throw new CliInputException(Texts.Format("NoFile", file.FullName));
        }
        var (actor, inviterLanguage) = await AdminAsync(services, inviterEmail);
        var canonicalRole = role is null ? null
            : Roles.All.FirstOrDefault(r => string.Equals(r, role, StringComparison.OrdinalIgnoreCase))
              ?? throw new CliInputException(Texts.Format("NoRole", role, string.Join(", ", Roles.All)));
        var analysis = services.GetRequiredService<BulkAnalysis>();
        var queries = services.GetRequiredService<BulkQueries>();
        var runs = services.GetRequiredService<BulkRuns>();
        var invitations = services.GetRequiredService<InvitationService>();
        var options = new BulkRunOptions(canonicalRole, message, resend,
            days ?? services.GetRequiredService<Microsoft.Extensions.Options.IOptions<InvitationOptions>>().Value.ExpiryDays,
            language ?? invitations.LanguageOf(inviterLanguage));
        if (invitations.CheckOptions(options.AsInviteOptions()) is { } problem)
        {
            throw new CliInputException(language is null ? problem : $"--language: {problem}");
        }

        long jobId;
        try
        {
            await using var stream = file.OpenRead();
            jobId = await analysis.AnalyzeAsync(actor, file.Name, stream, cancellationToken);
        }
        catch (CsvFileException ex)
        {
            throw new CliInputException($"{file.Name}: {ex.Message}");
        }
        var job = (await queries.GetAsync(actor, jobId, cancellationToken))!;
        await output.WriteLineAsync(Texts.Format(Plural.Key("Rows", job.TotalRows), file.Name, job.TotalRows));
        foreach (var (rowClass, count) in job.Classes)
        {
            await output.WriteLineAsync($"  {ClassChips.Text(rowClass),-20} {count,9:N0}");
        }

        if (!dryRun)
        {
            if (await runs.StartAsync(actor, jobId, options, cancellationToken) is { } refused)
            {
                throw new CliInputException(refused);
            }
            await runs.RunToEndAsync(jobId, cancellationToken);
            job = (await queries.GetAsync(actor, jobId, cancellationToken))!;
            await output.WriteLineAsync(Texts.Format(Plural.Key("Sent", job.SentRows), job.SentRows, Texts[$"Status{job.Status}"]));
        }
        else
        {
            await output.WriteLineAsync(Texts["DryRunDone"]);
        }

        var results = Path.Combine(file.DirectoryName!, Path.GetFileNameWithoutExtension(file.Name) + ".results.csv");
        await using (var stream = File.Create(results))
        {
            await queries.WriteResultsAsync(actor, jobId, stream, cancellationToken);
        }
        await output.WriteLineAsync(Texts.Format("Results", results));
    }

    /// <summary>The admin the invitations come from, and their saved language.</summary>
    private static async Task<(Actor Actor, string? Language)> AdminAsync(IServiceProvider services, string email)
    {
        var users = services.GetRequiredService<UserManager<PortalUser>>();
        var user = await users.FindByEmailAsync(email);
        if (user is null || user.Status != AccountStatus.Active || !await users.IsInRoleAsync(user, Roles.Admin))
        {
            throw new CliInputException(Texts.Format("NotAdmin", email));
        }
        return (new Actor(user.Id, user.UserName!, new HashSet<string>(await users.GetRolesAsync(user))), user.Language);
    }
}
