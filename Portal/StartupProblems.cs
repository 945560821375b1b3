using Microsoft.Extensions.Options;

namespace Portal;

/// <summary>
/// A wrong setting found while starting, the web host or a command, is the operator's to fix: it is
/// told as one line per problem on stderr, with exit code 1, never as a stack trace.
/// </summary>
public static class StartupProblems
{
    public const int ExitCode = 1;

    /// <summary>The lines of a settings problem, or null when the exception is anything else (which surfaces as it is).</summary>
    public static IReadOnlyList<string>? Of(Exception exception) => exception switch
    {
        OptionsValidationException invalid => invalid.Failures.ToList(),
        SettingException wrong => [wrong.Message],
        // The start-up check throws one of these per options class that failed, together.
        AggregateException all when all.InnerExceptions.All(e => Of(e) is not null) => all.InnerExceptions.SelectMany(e => Of(e)!).ToList(),
        _ => null,
    };

    public static async Task<int> ReportAsync(IReadOnlyList<string> problems, TextWriter error)
    {
        foreach (var problem in problems)
        {
            await error.WriteLineAsync(problem.ReplaceLineEndings(" "));
        }
        return ExitCode;
    }
}
