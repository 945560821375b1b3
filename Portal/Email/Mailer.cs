using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Email.Mails;

namespace Portal.Email;

/// <summary>
/// Queues messages. The message is added to the caller's context and saved with the caller's
/// change, in one transaction; the dispatcher delivers it afterwards.
/// </summary>
public sealed class Mailer(MailRenderer renderer, IOptions<PortalOptions> portal, TimeProvider clock)
{
    public async Task<OutboxMessage> QueueAsync<TMail>(
        PortalDbContext db, string recipient, TMail mail, IReadOnlyDictionary<string, string>? headers = null)
        where TMail : IMail<TMail>
    {
        var rendered = await renderer.RenderAsync(mail);
        var message = Create(typeof(TMail).Name, recipient, rendered, headers);
        db.OutboxMessages.Add(message);
        return message;
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
