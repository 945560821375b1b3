using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Portal.Tests.TestInfrastructure;

/// <summary>
/// Captures every log message at every level, to prove what never appears in logs, and tells a
/// test the moment a line it waits for is logged.
/// </summary>
public sealed class LogCapture : ILoggerProvider
{
    private readonly List<(string Text, TaskCompletionSource<string> Logged)> _waiting = [];

    public ConcurrentQueue<string> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, this);

    /// <summary>Completes with the first line, logged before or after this call, that contains <paramref name="text"/>.</summary>
    public Task<string> LineAsync(string text)
    {
        var logged = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waiting)
        {
            if (Lines.FirstOrDefault(line => line.Contains(text, StringComparison.Ordinal)) is { } line)
            {
                return Task.FromResult(line);
            }
            _waiting.Add((text, logged));
        }
        return Patience.For(logged.Task, $"a log line with \"{text}\"");
    }

    private void Add(string line)
    {
        lock (_waiting)
        {
            Lines.Enqueue(line);
            foreach (var waiting in _waiting.Where(w => line.Contains(w.Text, StringComparison.Ordinal)).ToList())
            {
                waiting.Logged.TrySetResult(line);
                _waiting.Remove(waiting);
            }
        }
    }

    public void Dispose()
    {
    }

    private sealed class Logger(string category, LogCapture capture) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull
        {
            capture.Add($"{category} scope: {state}");
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            capture.Add($"{category} {logLevel}: {formatter(state, exception)} {exception}");
    }
}
