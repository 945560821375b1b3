using MimeKit;

namespace Portal.Email;

/// <summary>Hands a message to the world: an .eml file in the pickup folder, or an SMTP server.</summary>
public interface IMailDelivery
{
    /// <summary>How many messages it may be given at once (an SMTP pool's connections); one by default.</summary>
    int Connections => 1;

    /// <summary>Throws <see cref="PermanentDeliveryException"/> when retrying cannot help.</summary>
    Task SendAsync(MimeMessage message, CancellationToken cancellationToken);
}

/// <summary>
/// The receiving side refused the message for good (an unknown mailbox, a refused address).
/// <paramref name="bounce"/> is the server's reply when it refused this recipient or this message;
/// it is null when the server refused the sender or the session, which says nothing about the
/// recipient and would refuse every other message alike.
/// </summary>
public sealed class PermanentDeliveryException(string message, Exception? inner = null, string? bounce = null) : Exception(message, inner)
{
    public string? Bounce { get; } = bounce;
}
