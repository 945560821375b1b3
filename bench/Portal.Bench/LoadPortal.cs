using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Logging;
using Portal.Data;
using Portal.Features.Registration;

namespace Portal.Bench;

/// <summary>
/// The whole portal as its entry point builds it, on a real Kestrel server on a loopback port, with
/// its data (and SQLite database) in <paramref name="dataDirectory"/>, or its database on PostgreSQL
/// at <paramref name="postgres"/>. Registration is open and the per-IP sign-up limit is out of the
/// way: every request comes from one address. Its log, at warning level and above, is kept rather
/// than written out.
/// </summary>
// Any type of the portal's assembly names its entry point; the bench's own Program hides the portal's.
internal sealed class LoadPortal(string dataDirectory, string? postgres) : WebApplicationFactory<Registrations>
{
    private readonly int _port = FreePort();

    public Uri BaseAddress => new($"http://127.0.0.1:{_port}/");

    public LogCapture Log { get; } = new();

    /// <summary>Starts Kestrel; the database is migrated before it listens.</summary>
    public void Start()
    {
        UseKestrel(options => options.Listen(IPAddress.Loopback, _port));
        StartServer();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        // The content root dotnet run gives the portal: the repository, with the settings and wwwroot.
        builder.UseSolutionRelativeContentRoot(".");
        builder.UseSetting("Portal:DataDirectory", dataDirectory);
        if (postgres is not null)
        {
            builder.UseSetting("Database:Provider", nameof(DatabaseProvider.Postgres));
            builder.UseSetting("ConnectionStrings:Portal", postgres);
        }
        builder.UseSetting("Portal:PublicBaseUrl", BaseAddress.ToString());
        builder.UseSetting("Registration:Mode", nameof(RegistrationMode.Open));
        builder.UseSetting("RateLimits:SignUp:PerIp", "1000");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        // The portal's log goes here only: the bench prints what matters among the figures.
        builder.ConfigureLogging(logging => logging.ClearProviders().AddProvider(Log));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>Keeps every log line it is given, with its level and any exception, in order.</summary>
internal sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<(LogLevel Level, string Line)> _lines = new();

    /// <summary>How many lines so far: a mark to count from.</summary>
    public int Count => _lines.Count;

    /// <summary>The lines at <paramref name="level"/> or above, from the mark <paramref name="from"/> on.</summary>
    public IReadOnlyList<string> AtLeast(LogLevel level, int from = 0) =>
        _lines.Skip(from).Where(l => l.Level >= level).Select(l => l.Line).ToList();

    public IReadOnlyList<string> Mentioning(string text) =>
        _lines.Where(l => l.Line.Contains(text, StringComparison.OrdinalIgnoreCase)).Select(l => l.Line).ToList();

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<(LogLevel, string)> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue((logLevel, $"{category} {logLevel}: {formatter(state, exception)} {exception}"));
    }
}
