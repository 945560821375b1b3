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

    /// <summary>
    /// The folder of the mail templates (.cshtml files), relative to the content root. The published
    /// portal has them in Templates beside it; in development they are read from the repository.
    /// </summary>
    [Required]
    public string TemplatesDirectory { get; set; } = "Templates";

    [Required, EmailAddress]
    public string FromAddress { get; set; } = "";

    /// <summary>The display name of the sender; the site name when empty.</summary>
    public string? FromName { get; set; }

    public SmtpOptions Smtp { get; set; } = new();

    /// <summary>Attempts before a message is marked Failed.</summary>
    [Range(1, 50)]
    public int MaxAttempts { get; set; } = 8;

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromHours(2);

    /// <summary>How often the dispatcher looks for due messages.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    [Range(1, 1000)]
    public int BatchSize { get; set; } = 100;

    /// <summary>
    /// How long a node holds the batch it took before another node may take the messages it has not
    /// sent: longer than a batch takes to send, or a slow node and another would both send them.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
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
            yield return new ValidationResult("is required when Email:Delivery is Smtp", ["Smtp:Host"]);
        }
        if (MaxRetryDelay < FirstRetryDelay)
        {
            yield return new ValidationResult($"must not be shorter than Email:FirstRetryDelay, {FirstRetryDelay} (it is {MaxRetryDelay})", [nameof(MaxRetryDelay)]);
        }
        if (LeaseDuration <= LongestSend)
        {
            yield return new ValidationResult(
                $"must be longer than twice Email:Smtp:Timeout, {LongestSend}, with SMTP delivery: a send that may take that long has to end within its claim (it is {LeaseDuration})",
                [nameof(LeaseDuration)]);
        }
    }
}

public enum SmtpSecurity
{
    /// <summary>Upgrade the connection with STARTTLS before authenticating; refused if the server does not offer it.</summary>
    StartTls,

    /// <summary>TLS from the first byte ("implicit TLS", SMTPS).</summary>
    Tls,

    /// <summary>No encryption: only for a relay on the same machine or network.</summary>
    None,
}

public sealed class SmtpOptions
{
    public string? Host { get; set; }

    [Range(1, 65535)]
    public int Port { get; set; } = 587;

    /// <summary>How the connection is secured: STARTTLS (port 587), TLS from the start (port 465), or not at all (a relay on the same machine).</summary>
    public SmtpSecurity Security { get; set; } = SmtpSecurity.StartTls;

    /// <summary>Connections kept open to the server; a batch goes out over all of them at once.</summary>
    [Range(1, 64)]
    public int Connections { get; set; } = 4;

    public string? UserName { get; set; }

    public string? Password { get; set; }

    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>An open connection idle for longer is closed and a new one opened for the next message.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(60);
}
