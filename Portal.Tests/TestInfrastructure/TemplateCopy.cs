namespace Portal.Tests.TestInfrastructure;

/// <summary>
/// The mail templates copied to a temporary folder, for a test that edits them: point a portal at
/// it with <see cref="Configure"/>. Deleted on dispose.
/// </summary>
public sealed class TemplateCopy : IDisposable
{
    public TemplateCopy()
    {
        var source = Path.Combine(AppContext.BaseDirectory, "Templates");
        foreach (var file in Directory.EnumerateFiles(source, "*.cshtml", SearchOption.AllDirectories))
        {
            var target = Path.Combine(Root, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "portal-templates", Guid.NewGuid().ToString("N"));

    public string PathOf(string template) => Path.Combine(Root, template);

    /// <summary>Rewrites a template file, such as "Invitations/Invitation.cshtml".</summary>
    public void Edit(string template, Func<string, string> change)
    {
        var path = PathOf(template);
        var edited = change(File.ReadAllText(path));
        Assert.NotEqual(File.ReadAllText(path), edited);
        File.WriteAllText(path, edited);
    }

    public void Configure(TestPortal portal) => portal.Settings["Email:TemplatesDirectory"] = Root;

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
