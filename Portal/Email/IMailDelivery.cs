using MimeKit;

namespace Portal.Email;

/// <summary>Hands a message to the world: an .eml file in the pickup folder, or an SMTP server.</summary>
public interface IMailDelivery
{
    /// <summary>Throws <see cref="PermanentDeliveryException"/> when retrying cannot help.</summary>
    Task SendAsync(MimeMessage message, CancellationToken cancellationToken);
}

/// <summary>The receiving side refused the message for good (an unknown mailbox, a refused address).</summary>
public sealed class PermanentDeliveryException(string message, Exception? inner = null) : Exception(message, inner);
