using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.Razor.Language;
using Microsoft.Extensions.DependencyModel;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Primitives;
using RazorLight;
using RazorLight.Caching;
using RazorLight.Compilation;
using RazorLight.Generation;
using RazorLight.Razor;

namespace Portal.Email;

/// <summary>A template that does not compile: the file, the line (1-based; 0 when unknown) and why.</summary>
public sealed record TemplateError(string File, int Line, string Reason)
{
    public override string ToString() => Line > 0 ? $"{File}:{Line}: {Reason}" : $"{File}: {Reason}";
}

/// <summary>
/// The .cshtml templates in the templates folder, compiled by RazorLight. Every template is
/// compiled by <see cref="CompileAsync"/>, at start and again when its file changes; one that
/// compiles is used from the next message on, one that does not is reported (<see cref="Errors"/>)
/// and its last good version stays in use. Each compilation loads an assembly that is never
/// unloaded (under a megabyte): fine for an operator's edits, not for anything done per message.
/// </summary>
public sealed class MailTemplateEngine : IDisposable
{
    private readonly LastGoodTemplates _inUse = new();
    private readonly RazorLightEngine _engine;
    private readonly ConcurrentDictionary<string, (DateTime, long)> _compiled = new();
    private readonly ConcurrentDictionary<string, IReadOnlyList<TemplateError>> _errors = new();
    private readonly SemaphoreSlim _compiling = new(1, 1);
    private readonly PhysicalFileProvider? _files;

    public MailTemplateEngine(string root)
    {
        Root = Path.GetFullPath(root);
        _engine = Build(_inUse);
        // Polled (every four seconds) rather than watched through inotify, whose instances are few per
        // user and which some mounted folders never signal.
        _files = Directory.Exists(Root) ? new PhysicalFileProvider(Root) { UsePollingFileWatcher = true, UseActivePolling = true } : null;
    }

    /// <summary>The templates folder, absolute.</summary>
    public string Root { get; }

    /// <summary>Every template that does not compile as it is now on disk.</summary>
    public IReadOnlyList<TemplateError> Errors => [.. _errors.OrderBy(e => e.Key, StringComparer.Ordinal).SelectMany(e => e.Value)];

    /// <summary>The errors of one template file, such as "Invitations/Invitation.cshtml", and of the shared ones (_Layout, partials).</summary>
    public IReadOnlyList<TemplateError> ErrorsOf(string template) =>
        [.. _errors.Where(e => e.Key == Key(template) || Path.GetFileName(e.Key).StartsWith('_')).SelectMany(e => e.Value)];

    /// <summary>Every template file, as a path in the templates folder.</summary>
    public IEnumerable<string> Files() => Directory.Exists(Root)
        ? Directory.EnumerateFiles(Root, "*.cshtml", SearchOption.AllDirectories).Select(f => Key(Path.GetRelativePath(Root, f))).Order(StringComparer.Ordinal)
        : [];

    /// <summary>Renders a message template; its layout writes the plain-text parts into <paramref name="rendering"/>.</summary>
    public async Task<string> RenderAsync(string template, object model, MailRendering rendering)
    {
        try
        {
            return await _engine.CompileRenderAsync(Key(template), model, rendering.ToViewBag());
        }
        catch (Exception e) when (Describe(e, template) is { } errors)
        {
            throw new MailTemplateException(errors, e);
        }
    }

    /// <summary>
    /// Compiles every template file that changed since it was last compiled (all of them the first
    /// time), each in a compilation of its own: which ones compiled, and the errors of the others.
    /// </summary>
    public async Task<TemplateCompilation> CompileAsync(CancellationToken cancellationToken)
    {
        await _compiling.WaitAsync(cancellationToken);
        try
        {
            // A fresh engine: the one in use keeps what it compiled until a replacement compiles.
            var fresh = new LastGoodTemplates();
            var engine = Build(fresh);
            var compiled = new List<string>();
            var found = new List<TemplateError>();
            if (!Directory.Exists(Root))
            {
                found.Add(new TemplateError(Root, 0, "the templates folder does not exist (Email:TemplatesDirectory)"));
            }
            foreach (var key in Files())
            {
                cancellationToken.ThrowIfCancellationRequested();
                var file = new FileInfo(Path.Combine(Root, key));
                var stamp = (file.LastWriteTimeUtc, file.Length);
                if (_compiled.TryGetValue(key, out var last) && last == stamp)
                {
                    continue;
                }
                try
                {
                    // Off the caller's thread: a compilation takes a while and blocks.
                    await Task.Run(() => engine.CompileTemplateAsync(key), cancellationToken);
                    _inUse.Replace(key, fresh.Factory(key));
                    _errors.TryRemove(key, out _);
                    compiled.Add(key);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    var errors = Describe(e, key) ?? [new TemplateError(file.FullName, 0, e.Message)];
                    _errors[key] = errors;
                    found.AddRange(errors);
                }
                _compiled[key] = stamp;
            }
            return new TemplateCompilation(compiled, found);
        }
        finally
        {
            _compiling.Release();
        }
    }

    /// <summary>Fires when a template file is changed, added or removed.</summary>
    public IChangeToken Watch() => _files?.Watch("**/*.cshtml") ?? NullChangeToken.Singleton;

    public void Dispose()
    {
        _files?.Dispose();
        _compiling.Dispose();
    }

    private RazorLightEngine Build(ICachingProvider cache) => new RazorLightEngineBuilder()
        .UseProject(new TemplateFolder(Root))
        .UseCachingProvider(cache)
        .SetOperatingAssembly(typeof(MailTemplateEngine).Assembly)
        .AddDefaultNamespaces("Portal.Email", "Portal.Email.Mails")
        .ExcludeAssemblies(NotForTemplates.Value)
        .Build();

    /// <summary>
    /// The app's libraries the templates are compiled without: they see .NET's base library, RazorLight
    /// (with the HTML and Razor types its pages use) and the portal's own mail types. Compiling against
    /// all of the app's 350 libraries took half a second and 40 MB more.
    /// </summary>
    private static readonly Lazy<string[]> NotForTemplates = new(() =>
        [.. (DependencyContext.Load(typeof(MailTemplateEngine).Assembly)?.CompileLibraries ?? []).Select(l => l.Name).Where(n => !ForTemplates(n))]);

    private static readonly string[] TemplateLibraryPrefixes =
        ["System", "Microsoft.AspNetCore.Html", "Microsoft.AspNetCore.Razor", "Microsoft.Extensions.Primitives", "Microsoft.Win32"];

    private static bool ForTemplates(string library) =>
        library is "Portal" or "RazorLight" or "netstandard" or "mscorlib" or "Microsoft.CSharp"
        || TemplateLibraryPrefixes.Any(prefix => library.StartsWith(prefix, StringComparison.Ordinal));

    /// <summary>The absolute path of a template file RazorLight names (a key or a path), else of <paramref name="template"/>.</summary>
    private string FileOf(string? named, string template) =>
        Path.Combine(Root, Key(string.IsNullOrEmpty(named) ? template : Path.IsPathRooted(named) ? Path.GetRelativePath(Root, named) : named));

    /// <summary>A template's path in the templates folder, as RazorLight and the caches know it.</summary>
    internal static string Key(string template) => template.Replace('\\', '/').TrimStart('/');

    /// <summary>
    /// The errors an exception from RazorLight stands for, each with its file and line where RazorLight
    /// knows them, else under <paramref name="template"/> (the template being compiled or rendered).
    /// </summary>
    private List<TemplateError>? Describe(Exception e, string template) => e switch
    {
        TemplateCompilationException c => [.. c.CompilationDiagnostics.Select(d => new TemplateError(
            FileOf(d.LineSpan?.Path, template), d.LineSpan is { } span ? span.StartLinePosition.Line + 1 : 0, d.ErrorMessage))],
        TemplateGenerationException g when g.Diagnostics is { Count: > 0 } => [.. g.Diagnostics.Select(d => new TemplateError(
            FileOf(d.Span.FilePath, template), d.Span == SourceSpan.Undefined ? 0 : d.Span.LineIndex + 1, d.GetMessage(CultureInfo.InvariantCulture)))],
        TemplateGenerationException g => [new TemplateError(FileOf(null, template), 0, g.Message)],
        MissingTemplateFileException m => [new TemplateError(FileOf(null, template), 0,
            m.Key == Key(template) ? "the file does not exist" : $"it uses {m.Key}, which is not in {Root}")],
        _ => null,
    };
}

/// <summary>What one compilation pass did: the templates it compiled, and the errors of those it could not.</summary>
public sealed record TemplateCompilation(IReadOnlyList<string> Compiled, IReadOnlyList<TemplateError> Errors);

/// <summary>A template that does not compile (or a layout or partial it uses), with the errors.</summary>
public sealed class MailTemplateException(IReadOnlyList<TemplateError> errors, Exception inner)
    : Exception(string.Join(Environment.NewLine, errors), inner)
{
    public IReadOnlyList<TemplateError> Errors { get; } = errors;
}

/// <summary>A template file that is not there: a layout or partial a template names, or a removed template.</summary>
internal sealed class MissingTemplateFileException(string key) : Exception($"The mail template {key} does not exist.")
{
    public string Key { get; } = key;
}

/// <summary>
/// The template files as RazorLight reads them, unwatched: RazorLight's own file-system project
/// watches every folder it is given, one inotify instance per engine, never released. The folder is
/// watched once, by <see cref="MailTemplateEngine.Watch"/>.
/// </summary>
internal sealed class TemplateFolder(string root) : RazorLightProject
{
    public override Task<RazorLightProjectItem> GetItemAsync(string templateKey)
    {
        var file = new FileInfo(Path.Combine(root, MailTemplateEngine.Key(templateKey)));
        return file.Exists
            ? Task.FromResult<RazorLightProjectItem>(new FileSystemRazorProjectItem(templateKey, file))
            : throw new MissingTemplateFileException(MailTemplateEngine.Key(templateKey));
    }

    public override Task<IEnumerable<RazorLightProjectItem>> GetImportsAsync(string templateKey) =>
        Task.FromResult(Enumerable.Empty<RazorLightProjectItem>());
}

/// <summary>
/// RazorLight's template cache, keeping a template until it is replaced: the engine's own cache
/// drops a template when its file changes and compiles the file as it is, broken or not.
/// </summary>
internal sealed class LastGoodTemplates : ICachingProvider
{
    private readonly ConcurrentDictionary<string, TemplateCacheItem> _templates = new(StringComparer.Ordinal);

    public void CacheTemplate(string key, Func<ITemplatePage> pageFactory, IChangeToken expirationToken) =>
        _templates[Key(key)] = new TemplateCacheItem(Key(key), pageFactory);

    public bool Contains(string key) => _templates.ContainsKey(Key(key));

    public void Remove(string key) => _templates.TryRemove(Key(key), out _);

    public TemplateCacheLookupResult RetrieveTemplate(string key) =>
        _templates.TryGetValue(Key(key), out var item) ? new TemplateCacheLookupResult(item) : new TemplateCacheLookupResult();

    public Func<ITemplatePage> Factory(string key) => _templates[Key(key)].TemplatePageFactory;

    public void Replace(string key, Func<ITemplatePage> factory) => CacheTemplate(key, factory, NullChangeToken.Singleton);

    private static string Key(string key) => MailTemplateEngine.Key(key);
}
