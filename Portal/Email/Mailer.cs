using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Email.Mails;
using Portal.Localization;

namespace Portal.Email;

/// <summary>
/// Queues messages. The message is added to the caller's context and saved with the caller's
/// change, in one transaction; the dispatcher delivers it afterwards.
/// </summary>
public sealed class Mailer(MailRenderer renderer, IOptions<PortalOptions> portal, IOptions<LanguageOptions> languages, TimeProvider clock)
{
    /// <param name="language">The recipient's language as stored ("de"); the site's default when null or not offered.</param>
    public async Task<OutboxMessage> QueueAsync<TMail>(
        PortalDbContext db, string recipient, TMail mail, IReadOnlyDictionary<string, string>? headers = null, string? language = null)
        where TMail : IMail<TMail>
    {
        var rendered = await renderer.RenderAsync(mail, languages.Value.Find(language));
        var message = Create(typeof(TMail).Name, recipient, rendered, headers);
        db.OutboxMessages.Add(message);
        return message;
    }

    /// <summary>
    /// Queues many messages of one kind, rendered side by side on every core (a bulk run's batch);
    /// they are added to the context in the order given.
    /// </summary>
    public async Task QueueAllAsync<TMail>(PortalDbContext db, IReadOnlyList<QueuedMail<TMail>> mails, CancellationToken cancellationToken)
        where TMail : IMail<TMail>
    {
        var rendered = new RenderedMail[mails.Count];
        if (mails.Count > 0)
        {
            // The first alone: a template not compiled yet is compiled once, not by every worker.
            rendered[0] = await renderer.RenderAsync(mails[0].Mail, languages.Value.Find(mails[0].Language));
        }
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken };
        await Parallel.ForAsync(1, mails.Count, parallel, async (i, _) => rendered[i] = await renderer.RenderAsync(mails[i].Mail, languages.Value.Find(mails[i].Language)));
        for (var i = 0; i < mails.Count; i++)
        {
            db.OutboxMessages.Add(Create(typeof(TMail).Name, mails[i].Recipient, rendered[i], mails[i].Headers));
        }
    }

    public OutboxMessage Create(string template, string recipient, RenderedMail rendered, IReadOnlyDictionary<string, string>? headers)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return new OutboxMessage
        {
            Template = template,
            Recipient = recipient,
            Subject = rendered.Subject,
            HtmlBody = rendered.Html,
            TextBody = rendered.Text,
            Headers = headers is { Count: > 0 } ? JsonSerializer.Serialize(headers) : null,
            MessageId = NewMessageId(),
            Status = OutboxStatus.Queued,
            CreatedAt = now,
            NextAttemptAt = now,
        };
    }

    private string NewMessageId() =>
        $"<{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))}@{portal.Value.BaseUri.IdnHost}>";
}

/// <summary>A message for <see cref="Mailer.QueueAllAsync"/>: who it goes to, what it says, any extra headers, and its language as stored (the site's when null).</summary>
public sealed record QueuedMail<TMail>(string Recipient, TMail Mail, IReadOnlyDictionary<string, string>? Headers, string? Language = null);
