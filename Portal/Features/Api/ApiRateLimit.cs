using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Portal.Identity;

namespace Portal.Features.Api;

/// <summary>
/// Each token's share of the API: <see cref="ApiOptions.RequestsPerToken"/> requests in
/// <see cref="ApiOptions.RateWindow"/>, coming back evenly across it (a token bucket, so a quiet
/// client may burst up to the whole window's requests). Beyond it: a 429 problem with Retry-After.
/// </summary>
public sealed class ApiRateLimit(IOptionsMonitor<ApiOptions> options) : IRateLimiterPolicy<string>
{
    public const string PolicyName = "api-token";

    /// <summary>Tokens come back at most once a second, in a batch, rather than on a timer of milliseconds.</summary>
    private static readonly TimeSpan ShortestPeriod = TimeSpan.FromSeconds(1);

    public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected { get; } = async (rejected, _) =>
    {
        var context = rejected.HttpContext;
        context.RefuseForNow(rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : ShortestPeriod);
        await ApiProblems.Of(StatusCodes.Status429TooManyRequests, ApiProblems.RateLimited).ExecuteAsync(context);
    };

    /// <summary>The partition is the token as presented (hashed, as tokens are everywhere): a request without one is refused before it costs anything.</summary>
    public RateLimitPartition<string> GetPartition(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (header.Length == 0)
        {
            return RateLimitPartition.GetNoLimiter(string.Empty);
        }
        var limit = options.CurrentValue;
        var period = limit.RateWindow / limit.RequestsPerToken;
        var perPeriod = 1;
        if (period < ShortestPeriod)
        {
            perPeriod = (int)Math.Ceiling(limit.RequestsPerToken * (ShortestPeriod / limit.RateWindow));
            period = ShortestPeriod;
        }
        return RateLimitPartition.GetTokenBucketLimiter(Secrets.Hash(header), _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = limit.RequestsPerToken,
            TokensPerPeriod = perPeriod,
            ReplenishmentPeriod = period,
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }
}
