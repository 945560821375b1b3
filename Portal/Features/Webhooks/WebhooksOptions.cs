using System.ComponentModel.DataAnnotations;

namespace Portal.Features.Webhooks;

/// <summary>The "Webhooks" configuration section.</summary>
public sealed class WebhooksOptions : IValidatableObject
{
    public const string Section = "Webhooks";

    /// <summary>
    /// Lets endpoints be plain http and on this machine (loopback): for development and tests only.
    /// Private, link-local and unique-local addresses stay refused.
    /// </summary>
    public bool AllowInsecureUrls { get; set; }

    /// <summary>How long one request may take before it counts as failed.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:01:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a delivery is retried after its event before it is marked Failed.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan RetryFor { get; set; } = TimeSpan.FromHours(24);

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromHours(2);

    /// <summary>How often the dispatcher looks for due deliveries.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    [Range(1, 1000)]
    public int BatchSize { get; set; } = 50;

    /// <summary>How long a node holds the deliveries it took before another node may send the ones it has not.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(5);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MaxRetryDelay < FirstRetryDelay)
        {
            yield return new ValidationResult($"must not be shorter than Webhooks:FirstRetryDelay, {FirstRetryDelay} (it is {MaxRetryDelay})", [nameof(MaxRetryDelay)]);
        }
        if (LeaseDuration <= Timeout)
        {
            yield return new ValidationResult(
                $"must be longer than Webhooks:Timeout, {Timeout}: a request that may take that long has to end within its claim (it is {LeaseDuration})",
                [nameof(LeaseDuration)]);
        }
    }
}
