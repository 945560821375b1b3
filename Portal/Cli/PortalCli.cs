using System.CommandLine;
using Portal.Localization;

namespace Portal.Cli;

/// <summary>
/// Commands run with the portal's own configuration and database instead of serving:
/// <c>dotnet run --project Portal -- create-admin --email ... --password ...</c>.
/// Exit codes: 0 done, 2 bad input, 1 anything else. The commands speak the language of the shell
/// they run in (its current UI culture, from <c>LANG</c>), English where the portal has no texts for it.
/// </summary>
public static class PortalCli
{
    private static readonly StaticTexts Texts = new(typeof(PortalCli));

    public const int Success = 0;
    public const int Failure = 1;
    public const int BadInput = 2;

    private static readonly string[] Commands = ["create-admin", "invite", "cleanup", "templates"];

    public static bool IsCommand(string[] args) => args.Length > 0 && Commands.Contains(args[0]);

    public static async Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter output, TextWriter error)
    {
        var root = new RootCommand(Texts["Description"])
        {
            CreateAdminCommand.Build(services, output),
            InviteCommand.Build(services, output),
            CleanupCommand.Build(services, output),
            TemplatesCommand.Build(services, output, error),
        };
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var problem in parse.Errors)
            {
                await error.WriteLineAsync(problem.Message);
            }
            return BadInput;
        }
        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (CliInputException ex)
        {
            await error.WriteLineAsync(ex.Message);
            return BadInput;
        }
    }
}

/// <summary>Bad input to a command: the message is printed and the exit code is 2.</summary>
public sealed class CliInputException(string message) : Exception(message);
