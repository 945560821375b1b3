using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using MimeKit;
using SmtpServer;
using SmtpServer.IO;
using SmtpServer.Mail;
using SmtpServer.Net;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Portal.Tests.TestInfrastructure;

/// <summary>A message as an SMTP server received it, with the client's address and port.</summary>
public sealed record ReceivedMail(string Peer, byte[] Raw)
{
    public MimeMessage Message => MimeMessage.Load(new MemoryStream(Raw));
}

/// <summary>
/// A real SMTP server in the test process, on a loopback port (the SmtpServer package). It keeps
/// every message it accepts as it came, and tells a test waiting for a number of messages the
/// moment that many have arrived; it can be told to refuse an address (<see cref="Refuse"/>,
/// <see cref="RefuseData"/>), to answer or drop a given message (<see cref="AnswerData"/>,
/// <see cref="DropData"/>), and to hold messages until several arrive at once. Its
/// connections answer without Nagle's delay, as mail servers tuned for throughput do, so the
/// client's speed is what a test sees.
/// </summary>
public sealed class SmtpSink : IAsyncDisposable
{
    private readonly List<ReceivedMail> _received = [];
    private readonly List<(int Count, TaskCompletionSource Reached)> _waiting = [];
    private readonly ConcurrentDictionary<string, string> _refused = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, string> _refusedData = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<int, SmtpResponse?> _script = new();
    private readonly TaskCompletionSource _together = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _dataCount;
    private int _holding;
    private int _holdUntil;
    private readonly CancellationTokenSource _stop = new();
    private Task _running = Task.CompletedTask;

    private SmtpSink()
    {
    }

    public int Port { get; private set; }

    public IReadOnlyList<ReceivedMail> Received
    {
        get
        {
            lock (_received)
            {
                return [.. _received];
            }
        }
    }

    public static async Task<SmtpSink> StartAsync()
    {
        var sink = new SmtpSink();
        var listeners = new PromptListenerFactory();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(listeners);
        services.Add(new Store(sink));
        services.Add(new Refusals(sink));
        var options = new SmtpServerOptionsBuilder()
            .ServerName("smtp.test")
            .Endpoint(endpoint => endpoint.Endpoint(new IPEndPoint(IPAddress.Loopback, 0)))
            .Build();
        sink._running = new SmtpServer.SmtpServer(options, services).StartAsync(sink._stop.Token);
        sink.Port = await Patience.For(listeners.Listening, "the SMTP server to listen");
        return sink;
    }

    /// <summary>
    /// From now on, answers a MAIL FROM or RCPT TO naming <paramref name="address"/> (in any letter case)
    /// with 550 and <paramref name="reply"/>, as a mail server refuses an unknown mailbox or a sender it
    /// does not take. The SmtpServer package adds how many errors the session has left.
    /// </summary>
    public void Refuse(string address, string reply) => _refused[address] = reply;

    /// <summary>
    /// From now on, takes <paramref name="address"/> as a recipient but answers the data of a message to
    /// it with 550 and <paramref name="reply"/>, as servers that look at a message (or a mailbox) late do.
    /// </summary>
    public void RefuseData(string address, string reply) => _refusedData[address] = reply;

    /// <summary>
    /// Answers the data of the <paramref name="number"/>th message to arrive (counting from 1, over
    /// every connection) with <paramref name="code"/> and <paramref name="text"/> instead of taking it:
    /// a 451 to try later, a 421 closing the connection.
    /// </summary>
    public void AnswerData(int number, int code, string text) => _script[number] = new SmtpResponse((SmtpReplyCode)code, text);

    /// <summary>Closes the connection the <paramref name="number"/>th message arrives on before answering its data, as a server that dies does.</summary>
    public void DropData(int number) => _script[number] = null;

    /// <summary>Holds each message's data until <paramref name="count"/> messages are being received at once.</summary>
    public void HoldDataUntilTogether(int count) => _holdUntil = count;

    /// <summary>Completes once <paramref name="count"/> messages have arrived, with all that have.</summary>
    public async Task<IReadOnlyList<ReceivedMail>> WaitForAsync(int count)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_received)
        {
            if (_received.Count >= count)
            {
                return [.. _received];
            }
            _waiting.Add((count, reached));
        }
        await Patience.For(reached.Task, $"{count} messages at the SMTP server", () => $"{Received.Count} arrived");
        return Received;
    }

    /// <summary>The messages read by Python's email package: a MIME parser independent of the one that wrote them.</summary>
    public IReadOnlyList<ParsedMail> ParsedByPython()
    {
        var directory = Directory.CreateTempSubdirectory("portal-smtp-");
        try
        {
            var files = Received.Select((mail, i) =>
            {
                var path = Path.Combine(directory.FullName, $"{i:D6}.eml");
                File.WriteAllBytes(path, mail.Raw);
                return path;
            }).ToList();
            return MailParser.ParseEml(files);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private void Add(ReceivedMail mail)
    {
        lock (_received)
        {
            _received.Add(mail);
            foreach (var waiting in _waiting.Where(w => _received.Count >= w.Count).ToList())
            {
                waiting.Reached.TrySetResult();
                _waiting.Remove(waiting);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _running;
        }
        catch (OperationCanceledException)
        {
            // Stopped, as asked.
        }
        _stop.Dispose();
    }

    private const string ClientKey = "portal.tcp-client";

    private sealed class Store(SmtpSink sink) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            if (sink._holdUntil > 0)
            {
                if (Interlocked.Increment(ref sink._holding) >= sink._holdUntil)
                {
                    sink._together.TrySetResult();
                }
                await Patience.For(sink._together.Task, $"{sink._holdUntil} messages arriving at once", () => $"{sink._holding} arrived");
            }
            if (sink._script.TryGetValue(Interlocked.Increment(ref sink._dataCount), out var scripted))
            {
                if (scripted is null)
                {
                    ((TcpClient)context.Properties[ClientKey]).Client.Close();
                }
                return scripted ?? SmtpResponse.Ok;
            }
            foreach (var to in transaction.To)
            {
                if (sink._refusedData.TryGetValue($"{to.User}@{to.Host}", out var reply))
                {
                    return new SmtpResponse(SmtpReplyCode.MailboxUnavailable, reply);
                }
            }
            var peer = context.Properties.TryGetValue(EndpointListener.RemoteEndPointKey, out var endpoint) ? endpoint.ToString()! : "unknown";
            sink.Add(new ReceivedMail(peer, buffer.ToArray()));
            return SmtpResponse.Ok;
        }
    }

    private sealed class Refusals(SmtpSink sink) : IMailboxFilter
    {
        public Task<bool> CanAcceptFromAsync(ISessionContext context, IMailbox from, int size, CancellationToken cancellationToken) =>
            Accept(from);

        public Task<bool> CanDeliverToAsync(ISessionContext context, IMailbox to, IMailbox from, CancellationToken cancellationToken) =>
            Accept(to);

        private Task<bool> Accept(IMailbox mailbox) => sink._refused.TryGetValue($"{mailbox.User}@{mailbox.Host}", out var reply)
            ? throw new SmtpResponseException(new SmtpResponse(SmtpReplyCode.MailboxUnavailable, reply))
            : Task.FromResult(true);
    }

    /// <summary>Listens where the endpoint says and hands over each connection with Nagle's algorithm off.</summary>
    private sealed class PromptListenerFactory : IEndpointListenerFactory
    {
        private readonly TaskCompletionSource<int> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Completes with the port once the server listens.</summary>
        public Task<int> Listening => _listening.Task;

        public IEndpointListener CreateListener(IEndpointDefinition endpointDefinition)
        {
            var listener = new TcpListener(endpointDefinition.Endpoint);
            listener.Start();
            _listening.TrySetResult(((IPEndPoint)listener.LocalEndpoint).Port);
            return new Listener(listener);
        }
    }

    private sealed class Listener(TcpListener listener) : IEndpointListener
    {
        public async Task<ISecurableDuplexPipe> GetPipeAsync(ISessionContext context, CancellationToken cancellationToken)
        {
            var client = await listener.AcceptTcpClientAsync(cancellationToken);
            client.NoDelay = true;
            context.Properties[EndpointListener.RemoteEndPointKey] = client.Client.RemoteEndPoint!;
            context.Properties[ClientKey] = client;
            return new Pipe(client);
        }

        public void Dispose() => listener.Stop();
    }

    private sealed class Pipe(TcpClient client) : ISecurableDuplexPipe
    {
        private readonly NetworkStream _stream = client.GetStream();

        public PipeReader Input { get; } = PipeReader.Create(client.GetStream());

        public PipeWriter Output { get; } = PipeWriter.Create(client.GetStream());

        public bool IsSecure => false;

        public SslProtocols SslProtocol => SslProtocols.None;

        /// <summary>The server has no certificate, so it never offers STARTTLS.</summary>
        public Task UpgradeAsync(X509Certificate certificate, SslProtocols protocols, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException("The test SMTP server offers no TLS.");

        public void Dispose()
        {
            _stream.Dispose();
            client.Dispose();
        }
    }
}
