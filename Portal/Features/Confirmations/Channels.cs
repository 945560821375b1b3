using Portal.Data;

namespace Portal.Features.Confirmations;

/// <summary>Sends text messages. The message is added to the caller's context and goes out with its change.</summary>
public interface ISmsSender
{
    Task SendAsync(PortalDbContext db, string to, string body, long changeId, CancellationToken cancellationToken);
}

/// <summary>One letter to print and post.</summary>
public sealed record LetterRequest(long ChangeId, string UserId, string RecipientName, string AddressBlock, string Code);

/// <summary>Queues printed letters. The letter is added to the caller's context and saved with its change.</summary>
public interface ILetterSender
{
    Task SendAsync(PortalDbContext db, LetterRequest letter, CancellationToken cancellationToken);
}

/// <summary>
/// The development text-message gateway: messages land in the SMS outbox table, where admins see
/// them. Replace the registration of <see cref="ISmsSender"/> to use a real gateway.
/// </summary>
public sealed class OutboxSmsSender(TimeProvider clock) : ISmsSender
{
    public Task SendAsync(PortalDbContext db, string to, string body, long changeId, CancellationToken cancellationToken)
    {
        db.SmsMessages.Add(new SmsMessage { To = to, Body = body, ChangeId = changeId, CreatedAt = clock.GetUtcNow().UtcDateTime });
        return Task.CompletedTask;
    }
}

/// <summary>
/// Letters are printed in-house: they wait in the letters table until an admin prints a batch and
/// marks it posted.
/// </summary>
public sealed class PrintQueueLetterSender(TimeProvider clock) : ILetterSender
{
    public Task SendAsync(PortalDbContext db, LetterRequest letter, CancellationToken cancellationToken)
    {
        db.Letters.Add(new Letter
        {
            ChangeId = letter.ChangeId,
            UserId = letter.UserId,
            RecipientName = letter.RecipientName,
            AddressBlock = letter.AddressBlock,
            Code = letter.Code,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        });
        return Task.CompletedTask;
    }
}
