using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;
using MimeKit.Text;
using Portal.Background;
using Portal.Data;
using Portal.Features.Outbox;

namespace Portal.Email;

/// <summary>
/// Delivers queued messages in the background. A message stays Queued until its delivery is
/// confirmed, so a crash or a restart loses nothing (at worst the same message, with the same
/// Message-ID, goes out twice). Failures are retried with exponential backoff and jitter until
/// <see cref="EmailOptions.MaxAttempts"/>, then marked Failed for an admin to see and retry. A message
/// the recipient's server refused for good also puts the address on the <see cref="SuppressionList"/>.
/// Nodes sharing the database each claim their own batches (<see cref="Leases"/>).
/// </summary>
public sealed class OutboxDispatcher(
    IDbContextFactory<PortalDbContext> dbFactory,
    IMailDelivery delivery,
    SuppressionList suppressions,
    IOptions<EmailOptions> options,
    IOptions<PortalOptions> portal,
    TimeProvider clock,
    ILogger<OutboxDispatcher> logger) : BackgroundService
{
    private readonly WorkLoop _loop = new(clock);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        _loop.RunAsync(
            async cancellationToken => await DeliverDueAsync(cancellationToken) >= options.Value.BatchSize,
            options.Value.PollInterval,
            ex => logger.LogError(ex, "Outbox dispatch failed; trying again in {Interval}", options.Value.PollInterval),
            stoppingToken);

    /// <summary>
    /// Has the background dispatcher deliver every message due now, without waiting for its next
    /// look, and completes once each has been attempted.
    /// </summary>
    public Task DeliverNowAsync(CancellationToken cancellationToken = default) => _loop.WorkedOffAsync(cancellationToken);

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
            due = await Leases.ClaimAsync(db, db.OutboxMessages.Where(m => m.Status == OutboxStatus.Queued), db.OutboxMessages,
                nameof(PortalDbContext.OutboxMessages), $"\"Status\" = {(int)OutboxStatus.Queued}", claim, now, until, settings.BatchSize, cancellationToken);
        }

        var done = new bool[due.Count];
        var taken = -1;
        // A send starts only if it ends within the claim: once that runs out, another node may
        // take the rest and send them too.
        var lastStart = until - settings.LongestSend;
        // Sends go out on every connection at once; one writer records what became of them, a
        // group at a time (on SQLite, writers side by side would only wait on each other).
        var outcomes = Channel.CreateUnbounded<Outcome>(new UnboundedChannelOptions { SingleReader = true });
        var recording = RecordAllAsync(outcomes.Reader, done);
        async Task SendInTurnAsync()
        {
            int next;
            while ((next = Interlocked.Increment(ref taken)) < due.Count
                && !cancellationToken.IsCancellationRequested && clock.GetUtcNow().UtcDateTime < lastStart)
            {
                outcomes.Writer.TryWrite(await SendAsync(next, due[next], cancellationToken));
            }
        }

        try
        {
            await Task.WhenAll(Enumerable.Range(0, Math.Min(delivery.Connections, due.Count)).Select(_ => SendInTurnAsync()));
        }
        finally
        {
            // What went out is recorded even when the node is stopping.
            outcomes.Writer.TryComplete();
            await recording;
            // What was not sent, or was being sent when the node stopped, goes back for another node.
            var unsent = due.Where((_, i) => !done[i]).Select(m => m.Id).ToList();
            if (unsent.Count > 0)
            {
                await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
                await Leases.ReleaseAsync(db.OutboxMessages, claim, unsent, CancellationToken.None);
            }
        }
        return due.Count;
    }

    /// <summary>What became of one send: the message's next state, and the server's reply if it refused the recipient for good.</summary>
    private sealed record Outcome(int Index, long Id, string Recipient, OutboxStatus Status, DateTime NextAttemptAt, DateTime? SentAt, string? Error, string? Bounce);

    private async Task<Outcome> SendAsync(int index, OutboxMessage message, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        try
        {
            using var mail = Compose(message);
            await delivery.SendAsync(mail, cancellationToken);
            var now = clock.GetUtcNow().UtcDateTime;
            return new Outcome(index, message.Id, message.Recipient, OutboxStatus.Sent, message.NextAttemptAt, now, null, null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var error = Describe(ex);
            var attempts = message.Attempts + 1;
            var permanent = ex is PermanentDeliveryException or FormatException;
            var status = permanent || attempts >= settings.MaxAttempts ? OutboxStatus.Failed : OutboxStatus.Queued;
            logger.LogWarning("Delivery of outbox message {Id} failed (attempt {Attempt}, now {Status}): {Error}",
                message.Id, attempts, status, error);
            return new Outcome(index, message.Id, message.Recipient, status, clock.GetUtcNow().UtcDateTime + Backoff(attempts, settings), null, error,
                (ex as PermanentDeliveryException)?.Bounce);
        }
    }

    /// <summary>Records outcomes as they come, as many as are waiting in one transaction; marks each recorded one done.</summary>
    private async Task RecordAllAsync(ChannelReader<Outcome> outcomes, bool[] done)
    {
        while (await outcomes.WaitToReadAsync(CancellationToken.None))
        {
            var group = new List<Outcome>();
            while (group.Count < RecordedTogether && outcomes.TryRead(out var outcome))
            {
                group.Add(outcome);
            }
            try
            {
                await RecordAsync(group);
            }
            catch (DbUpdateException e) when (group.Any(o => o.Bounce is not null) && DbErrors.IsUniqueViolation(e))
            {
                // Another node suppressed an address a moment earlier: record again, beside its entry.
                await RecordAsync(group);
            }
            foreach (var outcome in group)
            {
                done[outcome.Index] = true;
            }
        }
    }

    private const int RecordedTogether = 200;

    /// <summary>Records the outcomes in one transaction; a bounce suppresses its recipient in the same one.</summary>
    private async Task RecordAsync(IReadOnlyList<Outcome> group)
    {
        await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
        await using var transaction = await db.Database.BeginTransactionAsync(CancellationToken.None);
        foreach (var outcome in group)
        {
            await db.OutboxMessages.Where(m => m.Id == outcome.Id).ExecuteUpdateAsync(s => s
                .SetProperty(m => m.Status, outcome.Status)
                .SetProperty(m => m.Attempts, m => m.Attempts + 1)
                .SetProperty(m => m.NextAttemptAt, outcome.NextAttemptAt)
                .SetProperty(m => m.SentAt, outcome.SentAt)
                .SetProperty(m => m.LastError, outcome.Error)
                .SetProperty(m => m.ClaimId, (Guid?)null)
                .SetProperty(m => m.ClaimedUntil, (DateTime?)null), CancellationToken.None);
            if (outcome.Bounce is not null)
            {
                await suppressions.AddAsync(db, outcome.Recipient, outcome.Bounce, CancellationToken.None);
            }
        }
        await transaction.CommitAsync(CancellationToken.None);
    }

    public static TimeSpan Backoff(int attempts, EmailOptions settings) =>
        Background.Backoff.Delay(attempts, settings.FirstRetryDelay, settings.MaxRetryDelay);

    private static readonly FormatOptions LongHeaderLines = new() { MaxLineLength = 998 };

    public MimeMessage Compose(OutboxMessage message)
    {
        var settings = options.Value;
        var mail = new MimeMessage
        {
            Subject = message.Subject,
            // Kept with the outbox row, so a message sent again after a crash is the same message.
            MessageId = message.MessageId.Trim('<', '>'),
            Date = clock.GetUtcNow(),
        };
        mail.From.Add(new MailboxAddress(string.IsNullOrWhiteSpace(settings.FromName) ? portal.Value.SiteName : settings.FromName, settings.FromAddress));
        mail.To.Add(MailboxAddress.Parse(message.Recipient));
        if (message.Headers is not null)
        {
            foreach (var (name, value) in JsonSerializer.Deserialize<Dictionary<string, string>>(message.Headers)!)
            {
                // Not folded before the line limit: a folded List-Unsubscribe puts its address on a
                // line of its own, which some readers take as part of the value.
                var header = new Header(name, string.Empty);
                header.SetValue(LongHeaderLines, Encoding.UTF8, value);
                mail.Headers.Add(header);
            }
        }
        // Plain text first, HTML last: in multipart/alternative the last part is the preferred one.
        mail.Body = new MultipartAlternative
        {
            new TextPart(TextFormat.Plain) { Text = message.TextBody.ReplaceLineEndings("\r\n") },
            new TextPart(TextFormat.Html) { Text = message.HtmlBody.ReplaceLineEndings("\r\n") },
        };
        return mail;
    }

    private static string Describe(Exception ex)
    {
        var text = ex.InnerException is null ? ex.Message : $"{ex.Message} ({ex.InnerException.Message})";
        return text.Length <= 2000 ? text : text[..2000];
    }
}
