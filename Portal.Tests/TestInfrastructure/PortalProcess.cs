using System.Diagnostics;

namespace Portal.Tests.TestInfrastructure;

/// <summary>
/// The built portal (the Portal.dll beside the tests) run the way an operator runs it: a process of
/// its own, settings from environment variables, what it says on stdout and stderr, its exit code.
/// </summary>
public static class PortalProcess
{
    public sealed record Exit(int Code, string Output, string Error)
    {
        public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    /// <summary>
    /// Runs the portal with <paramref name="args"/> (a command, or none for the web start) until it
    /// exits, in <paramref name="environment"/> with <paramref name="settings"/> written as keys
    /// ("Section:Key"). A process still running at the deadline is killed and the test fails.
    /// </summary>
    public static async Task<Exit> RunAsync(string environment, IReadOnlyDictionary<string, string> settings, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Portal.dll"), .. args])
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = environment;
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        try
        {
            await Patience.For(process.WaitForExitAsync(), $"the portal ({string.Join(' ', args)}) to exit");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        return new Exit(process.ExitCode, await output, await error);
    }
}
