using System.Net.Mail;
using System.Net.Mime;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;

namespace Portal.Email;

/// <summary>
/// Delivers queued messages in the background. A message stays Queued until its delivery is
/// confirmed, so a crash or a restart loses nothing (at worst the same message, with the same
/// Message-ID, goes out twice). Failures are retried with exponential backoff and jitter until
/// <see cref="EmailOptions.MaxAttempts"/>, then marked Failed for an admin to see and retry.
/// Nodes sharing the database each claim their own batches (<see cref="OutboxClaims"/>).
/// </summary>
public sealed class OutboxDispatcher(
    IDbContextFactory<PortalDbContext> dbFactory,
    IMailDelivery delivery,
    IOptions<EmailOptions> options,
    IOptions<PortalOptions> portal,
    TimeProvider clock,
    ILogger<OutboxDispatcher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var handled = 0;
            try
            {
                handled = await DeliverDueAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(ex, "Outbox dispatch failed; trying again in {Interval}", options.Value.PollInterval);
            }
            if (handled < options.Value.BatchSize)
            {
                try
                {
                    await Task.Delay(options.Value.PollInterval, clock, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>
    /// Claims one batch of due messages and delivers it; returns how many were claimed. Messages
    /// left unsent (the node is stopping, or the claim ran out) are released for another node.
    /// </summary>
    public async Task<int> DeliverDueAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var claim = Guid.NewGuid();
        var now = clock.GetUtcNow().UtcDateTime;
        var until = now + settings.LeaseDuration;
        List<OutboxMessage> due;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            due = await OutboxClaims.ClaimAsync(db, claim, now, until, settings.BatchSize, cancellationToken);
        }

        var attempted = 0;
        try
        {
            // A send starts only if it ends within the claim: once that runs out, another node may
            // take the rest and send them too.
            var lastStart = until - settings.LongestSend;
            while (attempted < due.Count && !cancellationToken.IsCancellationRequested && clock.GetUtcNow().UtcDateTime < lastStart)
            {
                await DeliverAsync(due[attempted], cancellationToken);
                attempted++;
            }
        }
        finally
        {
            if (attempted < due.Count)
            {
                await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
                await OutboxClaims.ReleaseAsync(db, claim, due.Skip(attempted).Select(m => m.Id).ToList(), CancellationToken.None);
            }
        }
        return due.Count;
    }

    private async Task DeliverAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        OutboxStatus status;
        DateTime next = message.NextAttemptAt;
        string? error = null;
        try
        {
            using var mail = Compose(message);
            await delivery.SendAsync(mail, cancellationToken);
            status = OutboxStatus.Sent;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            error = Describe(ex);
            var attempts = message.Attempts + 1;
            var permanent = ex is PermanentDeliveryException or FormatException;
            status = permanent || attempts >= settings.MaxAttempts ? OutboxStatus.Failed : OutboxStatus.Queued;
            next = clock.GetUtcNow().UtcDateTime + Backoff(attempts, settings);
            logger.LogWarning("Delivery of outbox message {Id} failed (attempt {Attempt}, now {Status}): {Error}",
                message.Id, attempts, status, error);
        }

        var done = clock.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
        // Record the outcome even when shutting down: the message has gone out.
        await db.OutboxMessages.Where(m => m.Id == message.Id).ExecuteUpdateAsync(s => s
            .SetProperty(m => m.Status, status)
            .SetProperty(m => m.Attempts, m => m.Attempts + 1)
            .SetProperty(m => m.NextAttemptAt, next)
            .SetProperty(m => m.SentAt, status == OutboxStatus.Sent ? done : null)
            .SetProperty(m => m.LastError, error)
            .SetProperty(m => m.ClaimId, (Guid?)null)
            .SetProperty(m => m.ClaimedUntil, (DateTime?)null), CancellationToken.None);
    }

    /// <summary>Exponential backoff with "equal jitter": half the delay fixed, half random.</summary>
    public static TimeSpan Backoff(int attempts, EmailOptions settings)
    {
        var exponential = settings.FirstRetryDelay * Math.Pow(2, Math.Min(attempts - 1, 30));
        var capped = exponential < settings.MaxRetryDelay ? exponential : settings.MaxRetryDelay;
        return capped / 2 + capped / 2 * Random.Shared.NextDouble();
    }

    public MailMessage Compose(OutboxMessage message)
    {
        var settings = options.Value;
        var mail = new MailMessage
        {
            From = new MailAddress(settings.FromAddress, string.IsNullOrWhiteSpace(settings.FromName) ? portal.Value.SiteName : settings.FromName, Encoding.UTF8),
            Subject = message.Subject,
            SubjectEncoding = Encoding.UTF8,
            HeadersEncoding = Encoding.UTF8,
        };
        mail.To.Add(new MailAddress(message.Recipient));
        mail.Headers["Message-ID"] = message.MessageId;
        if (message.Headers is not null)
        {
            foreach (var (name, value) in JsonSerializer.Deserialize<Dictionary<string, string>>(message.Headers)!)
            {
                mail.Headers[name] = value;
            }
        }
        // Plain text first, HTML last: in multipart/alternative the last part is the preferred one.
        mail.AlternateViews.Add(View(message.TextBody, MediaTypeNames.Text.Plain));
        mail.AlternateViews.Add(View(message.HtmlBody, MediaTypeNames.Text.Html));
        return mail;
    }

    private static AlternateView View(string content, string mediaType)
    {
        // Base64: System.Net.Mail's quoted-printable writes every line break as "=0D=0A", and 8-bit
        // text could exceed SMTP's line length. Lines end in CRLF, as text in mail does.
        var view = AlternateView.CreateAlternateViewFromString(content.ReplaceLineEndings("\r\n"), Encoding.UTF8, mediaType);
        view.TransferEncoding = TransferEncoding.Base64;
        return view;
    }

    private static string Describe(Exception ex)
    {
        var text = ex.InnerException is null ? ex.Message : $"{ex.Message} ({ex.InnerException.Message})";
        return text.Length <= 2000 ? text : text[..2000];
    }
}
