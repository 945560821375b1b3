using Microsoft.Extensions.Primitives;

namespace Portal.Email;

/// <summary>
/// Compiles the mail templates in the background: at start, so no message waits on the first
/// compilation (a couple of seconds), and again whenever a template file changes; each pass then
/// renders every message with its sample data. A template that does not compile or render (a layout
/// or partial it uses is missing, say) is logged as an error with its file and line; the portal goes
/// on with the last good version of it, if it had one.
/// </summary>
public sealed partial class MailTemplateCompiler(MailTemplateEngine templates, MailRenderer renderer, ILogger<MailTemplateCompiler> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Yield first: starting the host must not wait for this.
        await Task.Yield();
        for (var first = true; !stoppingToken.IsCancellationRequested; first = false)
        {
            // Watched before compiling, so a change made while compiling is not missed.
            var changed = templates.Watch();
            var pass = await templates.CompileAsync(stoppingToken);
            var errors = pass.Errors.Union(await renderer.RenderSamplesAsync(stoppingToken)).ToList();
            foreach (var error in errors)
            {
                LogBroken(error);
            }
            if (first)
            {
                LogStarted(pass.Compiled.Count, templates.Root, errors.Count);
            }
            else
            {
                foreach (var template in pass.Compiled)
                {
                    LogChanged(Path.Combine(templates.Root, template));
                }
            }
            await WhenChangedAsync(changed, stoppingToken);
        }
    }

    private static async Task WhenChangedAsync(IChangeToken token, CancellationToken stoppingToken)
    {
        var changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (token.RegisterChangeCallback(_ => changed.TrySetResult(), null))
        using (stoppingToken.Register(() => changed.TrySetCanceled(stoppingToken)))
        {
            await changed.Task;
        }
    }

    [LoggerMessage(LogLevel.Error, "A mail template does not compile or render: {Error}. The last good version of it stays in use, if there is one.")]
    private partial void LogBroken(TemplateError error);

    [LoggerMessage(LogLevel.Information, "Compiled {Count} mail templates in {Root}; {Errors} errors.")]
    private partial void LogStarted(int count, string root, int errors);

    [LoggerMessage(LogLevel.Information, "The mail template {File} changed and compiled: it is used from the next message on.")]
    private partial void LogChanged(string file);
}
