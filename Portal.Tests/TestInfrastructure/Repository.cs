namespace Portal.Tests.TestInfrastructure;

/// <summary>The repository the tests run in: the folder of Portal.sln, beside the settings and wwwroot.</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    /// <summary>The source files under <paramref name="folder"/> matching <paramref name="pattern"/>, not the build's copies in bin/ and obj/.</summary>
    public static IEnumerable<string> SourceFiles(string folder, string pattern) =>
        Directory.EnumerateFiles(folder, pattern, SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Portal.sln")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? AppContext.BaseDirectory;
    }
}
