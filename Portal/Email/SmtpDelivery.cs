using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Portal.Email;

/// <summary>
/// Sends through an SMTP server with MailKit over one persistent connection, kept between messages
/// (closed after <see cref="SmtpOptions.IdleTimeout"/> unused). The socket is connected here with
/// Nagle's algorithm off: otherwise the last small write of each message waits for the server's
/// delayed acknowledgement, tens of milliseconds a message. A connection found dead is replaced once.
/// </summary>
public sealed class SmtpDelivery(IOptions<EmailOptions> options, TimeProvider clock, ILogger<SmtpDelivery> logger) : IMailDelivery, IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private SmtpClient? _client;
    private DateTimeOffset _lastUsed;

    public async Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_client is not null && clock.GetUtcNow() - _lastUsed > options.Value.Smtp.IdleTimeout)
            {
                await CloseAsync();
            }
            var reused = _client is not null;
            try
            {
                await SendOnceAsync(message, cancellationToken);
            }
            catch (Exception ex) when (reused && IsConnectionLost(ex))
            {
                // The server may have closed a connection that sat idle: one more try on a new one.
                logger.LogInformation(ex, "SMTP send on a reused connection failed; retrying on a new connection");
                await SendOnceAsync(message, cancellationToken);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task SendOnceAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        try
        {
            _client ??= await ConnectAsync(cancellationToken);
            await _client.SendAsync(message, cancellationToken);
            _lastUsed = clock.GetUtcNow();
        }
        catch (SmtpCommandException ex) when ((int)ex.StatusCode >= 500)
        {
            // The server refused this message for good; the connection stays usable. Only a refusal
            // of the recipient (RCPT) or of the message (DATA) is a bounce of the address.
            var bounce = ex.ErrorCode is SmtpErrorCode.RecipientNotAccepted or SmtpErrorCode.MessageNotAccepted
                ? $"{(int)ex.StatusCode} {ex.Message}"
                : null;
            throw new PermanentDeliveryException($"The server refused the message for good ({(int)ex.StatusCode}): {ex.Message}", ex, bounce);
        }
        catch (Exception ex) when (IsConnectionLost(ex))
        {
            await CloseAsync();
            throw;
        }
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
            await client.ConnectAsync(socket, smtp.Host!, smtp.Port, smtp.StartTls ? SecureSocketOptions.StartTls : SecureSocketOptions.None, cancellationToken);
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

    private async Task CloseAsync()
    {
        if (_client is null)
        {
            return;
        }
        try
        {
            if (_client.IsConnected)
            {
                await _client.DisconnectAsync(quit: true);
            }
        }
        catch (Exception ex) when (IsConnectionLost(ex))
        {
            // It was going anyway.
        }
        _client.Dispose();
        _client = null;
    }

    public async ValueTask DisposeAsync()
    {
        await CloseAsync();
        _gate.Dispose();
    }
}
