using System.Net;
using System.Net.Sockets;

namespace Portal.Tests.TestInfrastructure;

/// <summary>
/// A webhook receiver on a free loopback port: records every request and answers each with the next
/// status of <see cref="Answers"/> (200 once they run out); a 3xx answer points elsewhere on the receiver.
/// </summary>
public sealed class WebhookReceiver : IDisposable
{
    public sealed record Request(string Path, IReadOnlyDictionary<string, string> Headers, string Body);

    private readonly HttpListener _listener = new();
    private readonly List<Request> _requests = [];

    public WebhookReceiver()
    {
        var port = FreePort();
        Url = $"http://127.0.0.1:{port}/hooks";
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _ = ServeAsync();
    }

    public string Url { get; }

    public Queue<int> Answers { get; } = new();

    /// <summary>While set, the receiver answers nothing until it completes.</summary>
    public Task? Silence { get; set; }

    /// <summary>Completes when the next request has come.</summary>
    public Task Received => _received.Task;

    private TaskCompletionSource _received = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyList<Request> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }
            using var reader = new StreamReader(context.Request.InputStream);
            var body = await reader.ReadToEndAsync();
            int status;
            lock (_requests)
            {
                _requests.Add(new Request(context.Request.Url!.AbsolutePath,
                    context.Request.Headers.AllKeys.ToDictionary(k => k!.ToLowerInvariant(), k => context.Request.Headers[k]!), body));
                status = Answers.TryDequeue(out var next) ? next : 200;
                _received.TrySetResult();
                _received = new(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            if (Silence is { } silence)
            {
                await silence;
            }
            context.Response.StatusCode = status;
            if (status is >= 300 and < 400)
            {
                context.Response.RedirectLocation = Url + "/moved";
            }
            var answer = System.Text.Encoding.UTF8.GetBytes($"answered {status}");
            await context.Response.OutputStream.WriteAsync(answer);
            context.Response.Close();
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public void Dispose() => _listener.Close();
}
