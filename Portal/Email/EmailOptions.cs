using System.ComponentModel.DataAnnotations;

namespace Portal.Email;

public enum MailDeliveryMode
{
    /// <summary>Each message becomes an .eml file in the pickup folder.</summary>
    Pickup,

    Smtp,
}

/// <summary>The "Email" configuration section.</summary>
public sealed class EmailOptions : IValidatableObject
{
    public const string Section = "Email";

    public MailDeliveryMode Delivery { get; set; } = MailDeliveryMode.Pickup;

    /// <summary>Where Pickup delivery writes; relative to the content root; default: mail in the data directory.</summary>
    public string? PickupDirectory { get; set; }

    [Required, EmailAddress]
    public string FromAddress { get; set; } = "";

    /// <summary>The display name of the sender; the site name when empty.</summary>
    public string? FromName { get; set; }

    public SmtpOptions Smtp { get; set; } = new();

    /// <summary>Attempts before a message is marked Failed.</summary>
    [Range(1, 50)]
    public int MaxAttempts { get; set; } = 8;

    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromHours(2);

    /// <summary>How often the dispatcher looks for due messages.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    [Range(1, 1000)]
    public int BatchSize { get; set; } = 100;

    /// <summary>
    /// How long a node holds the batch it took before another node may take the messages it has not
    /// sent: longer than a batch takes to send, or a slow node and another would both send them.
    /// </summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The longest one delivery may take (an SMTP send, and one more on a new connection, each within
    /// <see cref="SmtpOptions.Timeout"/>): a send starts only while this much of its claim remains.
    /// </summary>
    public TimeSpan LongestSend => Delivery == MailDeliveryMode.Smtp ? Smtp.Timeout * 2 : TimeSpan.Zero;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Delivery == MailDeliveryMode.Smtp && string.IsNullOrWhiteSpace(Smtp.Host))
        {
            yield return new ValidationResult("Email:Smtp:Host is required when Email:Delivery is Smtp.", ["Smtp.Host"]);
        }
        if (Smtp.Port is < 1 or > 65535)
        {
            yield return new ValidationResult("Email:Smtp:Port must be between 1 and 65535.", ["Smtp.Port"]);
        }
        if (FirstRetryDelay <= TimeSpan.Zero || MaxRetryDelay < FirstRetryDelay)
        {
            yield return new ValidationResult("Email:FirstRetryDelay must be positive and not above Email:MaxRetryDelay.", [nameof(FirstRetryDelay)]);
        }
        if (PollInterval <= TimeSpan.Zero)
        {
            yield return new ValidationResult("Email:PollInterval must be positive.", [nameof(PollInterval)]);
        }
        if (LeaseDuration <= LongestSend || LeaseDuration <= TimeSpan.Zero)
        {
            yield return new ValidationResult(
                "Email:LeaseDuration must be positive and, with SMTP delivery, longer than twice Email:Smtp:Timeout: a send that may take that long has to end within its claim.",
                [nameof(LeaseDuration)]);
        }
    }
}

public sealed class SmtpOptions
{
    public string? Host { get; set; }

    public int Port { get; set; } = 587;

    /// <summary>Upgrade the connection with STARTTLS before authenticating.</summary>
    public bool StartTls { get; set; } = true;

    public string? UserName { get; set; }

    public string? Password { get; set; }

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>An open connection idle for longer is closed and a new one opened for the next message.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(60);
}
