using System.ComponentModel.DataAnnotations;

namespace Portal.Features.Api;

/// <summary>The "Api" configuration section.</summary>
public sealed class ApiOptions
{
    public const string Section = "Api";

    /// <summary>How many requests one token may make in <see cref="RateWindow"/>; beyond it the answer is 429 with Retry-After.</summary>
    [Range(1, 1_000_000)]
    public int RequestsPerToken { get; set; } = 600;

    /// <summary>The window of <see cref="RequestsPerToken"/>; requests come back evenly across it.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan RateWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a retry with the same Idempotency-Key gets the first answer again.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan IdempotencyKeyLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// How long a call with a key may run before a retry with the key may take it over (the node that
    /// ran it stopped before it answered). Until then a retry is told the call is still running.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:05", "01:00:00")]
    public TimeSpan IdempotencyLockTimeout { get; set; } = TimeSpan.FromMinutes(1);
}
