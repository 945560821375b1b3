using System.Net;
using System.Net.Mail;
using Microsoft.Extensions.Options;

namespace Portal.Email;

/// <summary>
/// Sends through an SMTP server with System.Net.Mail. One SmtpClient is kept between messages, and
/// with it the connection (it sends QUIT when disposed); a connection found dead is replaced once.
/// </summary>
public sealed class SmtpDelivery(IOptions<EmailOptions> options, TimeProvider clock, ILogger<SmtpDelivery> logger) : IMailDelivery, IDisposable
{
    private static readonly SmtpStatusCode[] PermanentCodes =
    [
        SmtpStatusCode.MailboxUnavailable, SmtpStatusCode.MailboxNameNotAllowed,
        SmtpStatusCode.UserNotLocalTryAlternatePath, SmtpStatusCode.TransactionFailed,
    ];

    private readonly SemaphoreSlim _gate = new(1, 1);
    private SmtpClient? _client;
    private DateTimeOffset _lastUsed;

    public async Task SendAsync(MailMessage message, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await Task.Run(() => SendOnce(message), cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    private void SendOnce(MailMessage message)
    {
        var idle = options.Value.Smtp.IdleTimeout;
        if (_client is not null && clock.GetUtcNow() - _lastUsed > idle)
        {
            Close();
        }
        var reused = _client is not null;
        try
        {
            Send(message);
        }
        catch (SmtpException ex) when (reused)
        {
            // The server may have closed a connection that sat idle: one more try on a new one.
            logger.LogInformation(ex, "SMTP send on a reused connection failed; retrying on a new connection");
            Close();
            Send(message);
        }
    }

    private void Send(MailMessage message)
    {
        try
        {
            _client ??= CreateClient();
            _client.Send(message);
            _lastUsed = clock.GetUtcNow();
        }
        catch (SmtpException ex)
        {
            Close();
            if (IsPermanent(ex))
            {
                throw new PermanentDeliveryException($"The server refused the message for good ({(int)ex.StatusCode} {ex.StatusCode}): {ex.Message}", ex);
            }
            throw;
        }
    }

    private static bool IsPermanent(SmtpException ex) =>
        ex is SmtpFailedRecipientException && PermanentCodes.Contains(ex.StatusCode);

    private SmtpClient CreateClient()
    {
        var smtp = options.Value.Smtp;
        var client = new SmtpClient(smtp.Host, smtp.Port)
        {
            DeliveryMethod = SmtpDeliveryMethod.Network,
            DeliveryFormat = SmtpDeliveryFormat.International,
            EnableSsl = smtp.StartTls,
            Timeout = (int)smtp.Timeout.TotalMilliseconds,
        };
        if (!string.IsNullOrEmpty(smtp.UserName))
        {
            client.Credentials = new NetworkCredential(smtp.UserName, smtp.Password);
        }
        return client;
    }

    private void Close()
    {
        _client?.Dispose();
        _client = null;
    }

    public void Dispose()
    {
        Close();
        _gate.Dispose();
    }
}
