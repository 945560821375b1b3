using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Components;
using Portal.Data;
using Portal.Email.Mails.Invitations;
using Portal.Email;
using Portal.Features;
using Portal.Identity;

namespace Portal.Bench;

/// <summary>
/// Messages a second from the outbox to a local SMTP server: rendered invitations (about 5 KB each)
/// queued on SQLite, then the dispatcher's batches until every one is sent, as a node delivers them.
/// The server answers at once, or after <c>--delay-ms</c> per message like a relay that checks mail.
/// </summary>
public static class SmtpBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var messages = Option(args, "--messages", 20_000);
        var delay = TimeSpan.FromMilliseconds(Option(args, "--delay-ms", 0));
        var connections = Option(args, "--connections", 4);
        using var server = new Relay(delay);
        var dataDirectory = Path.Combine(Path.GetTempPath(), "portal-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDirectory);
        try
        {
            await using var app = await BenchPortal.BuildAsync(dataDirectory, new Dictionary<string, string>
            {
                ["Email:Delivery"] = "Smtp",
                ["Email:BatchSize"] = "1000",
                ["Email:Smtp:Host"] = "127.0.0.1",
                ["Email:Smtp:Port"] = server.Port.ToString(CultureInfo.InvariantCulture),
                ["Email:Smtp:Security"] = "None",
                ["Email:Smtp:Connections"] = connections.ToString(CultureInfo.InvariantCulture),
            });

            var size = await QueueAsync(app.Services, messages);
            var dispatcher = app.Services.GetRequiredService<OutboxDispatcher>();
            var clock = Stopwatch.StartNew();
            while (await dispatcher.DeliverDueAsync(CancellationToken.None) > 0)
            {
            }
            var elapsed = clock.Elapsed;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{messages} messages of {size / 1024.0:0.0} KB, {connections} connections, server delay {delay.TotalMilliseconds:0} ms: {elapsed.TotalSeconds:0.00} s, {messages / elapsed.TotalSeconds:0} messages/s ({server.Received} received)"));
            return server.Received == messages ? 0 : 1;
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    /// <summary>Queues the invitations, rendered once as the bulk run does; returns one message's size in bytes.</summary>
    private static async Task<int> QueueAsync(IServiceProvider services, int count)
    {
        var brand = services.GetRequiredService<IOptions<PortalOptions>>().Value.Brand;
        var rendered = await services.GetRequiredService<MailRenderer>().RenderAsync(InvitationMail.Sample(brand));
        var mailer = services.GetRequiredService<Mailer>();
        await using var db = await services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        for (var i = 0; i < count; i++)
        {
            db.OutboxMessages.Add(mailer.Create(nameof(InvitationMail), $"invitee{i}@example.org", rendered, null));
        }
        await db.SaveChangesAsync();
        return Encoding.UTF8.GetByteCount(rendered.Html) + Encoding.UTF8.GetByteCount(rendered.Text);
    }

    private static int Option(string[] args, string name, int fallback) =>
        Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;

    /// <summary>
    /// The least SMTP server that takes mail as a relay does: greets, answers each command, reads the
    /// data to its end and accepts it (after the delay, when given). Nagle is off on its side too.
    /// </summary>
    private sealed class Relay : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly TimeSpan _delay;
        private int _received;

        public Relay(TimeSpan delay)
        {
            _delay = delay;
            _listener.Start();
            _ = AcceptAsync();
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public int Received => Volatile.Read(ref _received);

        private async Task AcceptAsync()
        {
            while (true)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync();
                }
                catch (ObjectDisposedException)
                {
                    return;
                }
                client.NoDelay = true;
                _ = ServeAsync(client);
            }
        }

        private async Task ServeAsync(TcpClient client)
        {
            using (client)
            {
                var stream = client.GetStream();
                using var reader = new StreamReader(stream, Encoding.Latin1);
                await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
                await writer.WriteLineAsync("220 relay.bench ESMTP");
                while (await reader.ReadLineAsync() is { } line)
                {
                    var verb = line.Length >= 4 ? line[..4].ToUpperInvariant() : line.ToUpperInvariant();
                    switch (verb)
                    {
                        case "EHLO":
                            await writer.WriteAsync("250-relay.bench\r\n250-8BITMIME\r\n250 SIZE 52428800\r\n");
                            break;
                        case "DATA":
                            await writer.WriteLineAsync("354 End data with <CR><LF>.<CR><LF>");
                            while (await reader.ReadLineAsync() is { } data && data != ".")
                            {
                            }
                            if (_delay > TimeSpan.Zero)
                            {
                                await Task.Delay(_delay);
                            }
                            Interlocked.Increment(ref _received);
                            await writer.WriteLineAsync("250 2.0.0 Ok: queued");
                            break;
                        case "QUIT":
                            await writer.WriteLineAsync("221 2.0.0 Bye");
                            return;
                        default:
                            await writer.WriteLineAsync("250 2.0.0 Ok");
                            break;
                    }
                }
            }
        }

        public void Dispose() => _listener.Stop();
    }
}
