using Microsoft.Extensions.Primitives;

namespace Portal.Email;

/// <summary>
/// Compiles the mail templates in the background: at start, so no message waits on the first
/// compilation (a couple of seconds), and again whenever a template file changes. A template that
/// does not compile is logged as an error with its file and line; the portal goes on with the last
/// good version of it, if it had one.
/// </summary>
public sealed partial class MailTemplateCompiler(MailTemplateEngine templates, ILogger<MailTemplateCompiler> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Yield first: starting the host must not wait for this.
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            // Watched before compiling, so a change made while compiling is not missed.
            var changed = templates.Watch();
            var errors = await templates.CompileAsync(stoppingToken);
            foreach (var error in errors)
            {
                LogBroken(error.File, error.Line, error.Reason);
            }
            LogCompiled(templates.Root, errors.Count);
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

    [LoggerMessage(LogLevel.Error, "The mail template {File} does not compile, line {Line}: {Reason}. The last good version of it stays in use, if there is one.")]
    private partial void LogBroken(string file, int line, string reason);

    [LoggerMessage(LogLevel.Information, "Mail templates in {Root} compiled; {Errors} errors.")]
    private partial void LogCompiled(string root, int errors);
}
