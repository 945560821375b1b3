using System.CommandLine;
using Microsoft.AspNetCore.Identity;
using Portal.Data;
using Portal.Features.Invitations;
using Portal.Features.Invitations.Bulk;
using Portal.Identity;

namespace Portal.Cli;

/// <summary>
/// Bulk invitations without the browser: the same dry run and run as the Bulk invite page, then a
/// results file beside the input.
/// </summary>
public static class InviteCommand
{
    public static Command Build(IServiceProvider services, TextWriter output)
    {
        var csv = new Option<FileInfo>("--csv") { Description = "The CSV file: a header with email, and optionally name, role, message, expires_days, language.", Required = true };
        var inviter = new Option<string>("--inviter") { Description = "The email address of the admin the invitations come from.", Required = true };
        var dryRun = new Option<bool>("--dry-run") { Description = "Only classify the rows; send nothing." };
        var role = new Option<string?>("--role") { Description = "The role for rows that name none." };
        var resend = new Option<bool>("--resend") { Description = "Send pending invitations again, with new links." };
        var message = new Option<string?>("--message") { Description = "The personal message for rows that have none." };
        var days = new Option<int?>("--expires-days") { Description = "How long the invitations stay valid, for rows that do not say." };
        var language = new Option<string?>("--language") { Description = "The language for rows that name none (en, de, ...); the inviter's own by default." };
        var command = new Command("invite", "Invite the addresses of a CSV file.") { csv, inviter, dryRun, role, resend, message, days, language };
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
            throw new CliInputException($"--csv: there is no file at {file.FullName}.");
        }
        var (actor, inviterLanguage) = await AdminAsync(services, inviterEmail);
        var canonicalRole = role is null ? null
            : Roles.All.FirstOrDefault(r => string.Equals(r, role, StringComparison.OrdinalIgnoreCase))
              ?? throw new CliInputException($"--role: there is no role called {role} (roles: {string.Join(", ", Roles.All)}).");
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
        await output.WriteLineAsync($"{file.Name}: {job.TotalRows:N0} rows");
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
            await output.WriteLineAsync($"Sent {job.SentRows:N0} invitations ({job.Status}).");
        }
        else
        {
            await output.WriteLineAsync("Dry run: nothing was sent.");
        }

        var results = Path.Combine(file.DirectoryName!, Path.GetFileNameWithoutExtension(file.Name) + ".results.csv");
        await using (var stream = File.Create(results))
        {
            await queries.WriteResultsAsync(actor, jobId, stream, cancellationToken);
        }
        await output.WriteLineAsync($"Results: {results}");
    }

    /// <summary>The admin the invitations come from, and their saved language.</summary>
    private static async Task<(Actor Actor, string? Language)> AdminAsync(IServiceProvider services, string email)
    {
        var users = services.GetRequiredService<UserManager<PortalUser>>();
        var user = await users.FindByEmailAsync(email);
        if (user is null || user.Status != AccountStatus.Active || !await users.IsInRoleAsync(user, Roles.Admin))
        {
            throw new CliInputException($"--inviter: {email} is not an active admin account. Make one with create-admin.");
        }
        return (new Actor(user.Id, user.UserName!, new HashSet<string>(await users.GetRolesAsync(user))), user.Language);
    }
}
