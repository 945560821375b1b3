using System.Collections.Concurrent;
using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Portal.Email;

/// <summary>
/// Sends through an SMTP server with MailKit over a pool of persistent connections (at most
/// <see cref="SmtpOptions.Connections"/>, each kept between messages and closed after
/// <see cref="SmtpOptions.IdleTimeout"/> unused). Each socket is connected here with Nagle's
/// algorithm off: otherwise the last small write of each message waits for the server's delayed
/// acknowledgement, tens of milliseconds a message. A connection found dead (a 421, a protocol or
/// socket error) is dropped, and a message that failed on a reused one is tried once more on a new one.
/// </summary>
public sealed class SmtpDelivery(IOptions<EmailOptions> options, TimeProvider clock, ILogger<SmtpDelivery> logger) : IMailDelivery, IAsyncDisposable
{
    private readonly SemaphoreSlim _slots = new(options.Value.Smtp.Connections, options.Value.Smtp.Connections);
    private readonly ConcurrentStack<Connection> _idle = new();

    public int Connections => options.Value.Smtp.Connections;

    public async Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken);
        try
        {
            var connection = await TakeIdleAsync();
            try
            {
                await SendOnceAsync(connection, message, cancellationToken);
            }
            catch (Exception ex) when (connection is not null && IsConnectionLost(ex))
            {
                // The server may have closed a connection that sat idle: one more try on a new one.
                logger.LogInformation(ex, "SMTP send on a reused connection failed; retrying on a new connection");
                await SendOnceAsync(null, message, cancellationToken);
            }
        }
        finally
        {
            _slots.Release();
        }
    }

    /// <summary>
    /// Sends on the connection (a new one when null), which then waits for the next message; one
    /// that broke is closed instead. A refusal leaves the connection usable.
    /// </summary>
    private async Task SendOnceAsync(Connection? connection, MimeMessage message, CancellationToken cancellationToken)
    {
        connection ??= new Connection(await ConnectAsync(cancellationToken));
        try
        {
            await connection.Client.SendAsync(message, cancellationToken);
            connection.LastUsed = clock.GetUtcNow();
        }
        catch (Exception ex) when (IsConnectionLost(ex))
        {
            await CloseAsync(connection);
            throw;
        }
        catch (SmtpCommandException ex) when ((int)ex.StatusCode >= 500)
        {
            // The server refused this message for good. Only a refusal of the recipient (RCPT) or of
            // the message (DATA) is a bounce of the address.
            _idle.Push(connection);
            var bounce = ex.ErrorCode is SmtpErrorCode.RecipientNotAccepted or SmtpErrorCode.MessageNotAccepted
                ? $"{(int)ex.StatusCode} {ex.Message}"
                : null;
            throw new PermanentDeliveryException($"The server refused the message for good ({(int)ex.StatusCode}): {ex.Message}", ex, bounce);
        }
        catch (SmtpCommandException)
        {
            // A 4xx: the message is tried again later; the connection stays usable.
            _idle.Push(connection);
            throw;
        }
        catch
        {
            // Stopped mid-message, or anything else: the exchange is broken off, and so is the connection.
            await CloseAsync(connection);
            throw;
        }
        _idle.Push(connection);
    }

    /// <summary>The most recently used idle connection, closing those idle for too long; null when there is none.</summary>
    private async Task<Connection?> TakeIdleAsync()
    {
        while (_idle.TryPop(out var connection))
        {
            if (clock.GetUtcNow() - connection.LastUsed <= options.Value.Smtp.IdleTimeout && connection.Client.IsConnected)
            {
                return connection;
            }
            await CloseAsync(connection);
        }
        return null;
    }

    /// <summary>
    /// A 421 ("closing the connection"), a broken protocol exchange or a socket error: the
    /// connection is gone. Other replies leave it usable.
    /// </summary>
    private static bool IsConnectionLost(Exception ex) => ex
        is SmtpCommandException { StatusCode: SmtpStatusCode.ServiceNotAvailable }
        or SmtpProtocolException or IOException or SocketException or ServiceNotConnectedException;

    private async Task<SmtpClient> ConnectAsync(CancellationToken cancellationToken)
    {
        var smtp = options.Value.Smtp;
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var client = new SmtpClient { Timeout = (int)smtp.Timeout.TotalMilliseconds };
        try
        {
            using (var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                connectTimeout.CancelAfter(smtp.Timeout);
                await socket.ConnectAsync(smtp.Host!, smtp.Port, connectTimeout.Token);
            }
            var security = smtp.Security switch
            {
                SmtpSecurity.Tls => SecureSocketOptions.SslOnConnect,
                SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
                _ => SecureSocketOptions.None,
            };
            await client.ConnectAsync(socket, smtp.Host!, smtp.Port, security, cancellationToken);
            if (!string.IsNullOrEmpty(smtp.UserName))
            {
                await client.AuthenticateAsync(smtp.UserName, smtp.Password ?? "", cancellationToken);
            }
            return client;
        }
        catch
        {
            client.Dispose();
            socket.Dispose();
            throw;
        }
    }

    private static async Task CloseAsync(Connection connection)
    {
        try
        {
            if (connection.Client.IsConnected)
            {
                await connection.Client.DisconnectAsync(quit: true);
            }
        }
        catch (Exception ex) when (IsConnectionLost(ex))
        {
            // It was going anyway.
        }
        connection.Client.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        while (_idle.TryPop(out var connection))
        {
            await CloseAsync(connection);
        }
        _slots.Dispose();
    }

    private sealed class Connection(SmtpClient client)
    {
        public SmtpClient Client { get; } = client;

        public DateTimeOffset LastUsed { get; set; }
    }
}
