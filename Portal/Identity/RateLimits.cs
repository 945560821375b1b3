using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Portal.Identity;

/// <summary>How many requests of one kind a client address, and an email address, may make in a window.</summary>
public sealed class RateLimit
{
    [Range(1, 1_000_000)]
    public int PerIp { get; set; }

    [Range(1, 1_000_000)]
    public int PerAddress { get; set; }

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan Window { get; set; }
}

/// <summary>The "RateLimits" configuration section.</summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimits";

    /// <summary>Requests that send mail to an address: password reset, confirmation resend, activation resend.</summary>
    public RateLimit AccountMail { get; set; } = new() { PerIp = 10, PerAddress = 3, Window = TimeSpan.FromMinutes(15) };

    /// <summary>Sign-ups (each sends mail to the address typed).</summary>
    public RateLimit SignUp { get; set; } = new() { PerIp = 10, PerAddress = 3, Window = TimeSpan.FromHours(1) };

    /// <summary>Presses of Activate; the "address" is the activation key in the link.</summary>
    public RateLimit Activation { get; set; } = new() { PerIp = 20, PerAddress = 5, Window = TimeSpan.FromMinutes(15) };

    /// <summary>Sign-in attempts (lockout also counts failures per account).</summary>
    public RateLimit SignIn { get; set; } = new() { PerIp = 30, PerAddress = 10, Window = TimeSpan.FromMinutes(5) };

    /// <summary>Codes entered and link buttons pressed for deferred changes; the "address" is the link token, or for codes the signed-in account.</summary>
    public RateLimit ChangeConfirmation { get; set; } = new() { PerIp = 30, PerAddress = 10, Window = TimeSpan.FromMinutes(15) };
}

/// <summary>
/// Rate limits on the forms that send mail or check passwords, per client IP and per email address
/// (the address as typed, canonicalised, whether or not an account has it, so the limit says
/// nothing about who is registered). Over the limit the answer is 429 with Retry-After and the
/// portal's "too many attempts" page.
/// </summary>
public static class RateLimits
{
    public const string RetryAfterItem = "portal.retry-after";
    private const string AddressItem = "portal.rate-limit-address";
    private const int SegmentsPerWindow = 5;

    /// <summary>
    /// A limited form: at <see cref="Path"/> with the address in a form field, or, without a field, at
    /// any path one segment below it (followed by <see cref="Suffix"/> when given) with the key as that segment.
    /// <see cref="BySignedInAccount"/>: the key is the signed-in account instead, so the limit spans all its changes.
    /// </summary>
    private sealed record LimitedForm(string Path, string? AddressField, Func<RateLimitOptions, RateLimit> Limit, string Suffix = "", bool BySignedInAccount = false);

    private static readonly LimitedForm[] Forms =
    [
        new("/Identity/Account/ForgotPassword", "Input.Email", o => o.AccountMail),
        new("/Identity/Account/ResendEmailConfirmation", "Input.Email", o => o.AccountMail),
        new("/Identity/Account/Login", "Input.Email", o => o.SignIn),
        new("/register", "Input.Email", o => o.SignUp),
        new("/activate/resend", "Input.Email", o => o.AccountMail),
        new("/activate", null, o => o.Activation),
        new("/account/changes/confirm", null, o => o.ChangeConfirmation),
        new("/account/changes/cancel", null, o => o.ChangeConfirmation),
        new("/account/changes/revert", null, o => o.ChangeConfirmation),
        new("/account/changes", null, o => o.ChangeConfirmation, "/code", BySignedInAccount: true),
    ];

    public static IServiceCollection AddPortalRateLimits(this IServiceCollection services)
    {
        services.AddSettings<RateLimitOptions>(RateLimitOptions.Section);
        services.AddRateLimiter(options =>
        {
            options.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                PartitionedRateLimiter.Create<HttpContext, string>(context => Partition(context, byAddress: false)),
                PartitionedRateLimiter.Create<HttpContext, string>(context => Partition(context, byAddress: true)));
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = (rejected, _) =>
            {
                // Sliding windows give no Retry-After of their own: a permit comes back at the latest
                // when the oldest segment of the window slides out.
                rejected.HttpContext.RefuseForNow(rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait
                    : FormFor(rejected.HttpContext) is { } form ? LimitOf(rejected.HttpContext, form).Window / SegmentsPerWindow
                    : TimeSpan.FromMinutes(1));
                return ValueTask.CompletedTask;
            };
        });
        return services;
    }

    /// <summary>
    /// Answers 429 with Retry-After (whole seconds, rounded up), and keeps the wait for the page
    /// that explains it: the limiter's "too many attempts" page, or a form saying when to ask again.
    /// </summary>
    public static void RefuseForNow(this HttpContext context, TimeSpan retryAfter)
    {
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        context.Items[RetryAfterItem] = retryAfter;
    }

    /// <summary>Reads the address from a limited form before the limiter decides (the form stays readable).</summary>
    public static WebApplication UsePortalRateLimits(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            var form = FormFor(context);
            if (form is { BySignedInAccount: true }
                && (await context.AuthenticateAsync(IdentityConstants.ApplicationScheme)).Principal?.FindFirstValue(ClaimTypes.NameIdentifier) is { } account)
            {
                // Codes are entered signed in: one account cannot spread its guesses over several changes.
                context.Items[AddressItem] = $"account:{account}";
            }
            else if (form is { AddressField: null })
            {
                // Only the key's hash is kept, like everywhere else a key is held.
                context.Items[AddressItem] = Secrets.Hash(PathKey(context, form)!);
            }
            else if (form is { AddressField: { } field } && context.Request.HasFormContentType)
            {
                var fields = await context.Request.ReadFormAsync(context.RequestAborted);
                var typed = fields[field].ToString();
                context.Items[AddressItem] = EmailAddress.Canonicalize(typed)?.ToUpperInvariant() ?? typed.Trim().ToUpperInvariant();
            }
            await next(context);
        });
        app.UseRateLimiter();
        return app;
    }

    private static RateLimit LimitOf(HttpContext context, LimitedForm form) =>
        form.Limit(context.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value);

    private static LimitedForm? FormFor(HttpContext context) =>
        HttpMethods.IsPost(context.Request.Method)
            ? Forms.FirstOrDefault(f => f.AddressField is null
                ? PathKey(context, f) is not null
                : context.Request.Path.Equals(f.Path, StringComparison.OrdinalIgnoreCase))
            : null;

    /// <summary>The segment below the form's path (before its suffix), or null when the path is not the form's.</summary>
    private static string? PathKey(HttpContext context, LimitedForm form)
    {
        if (!context.Request.Path.StartsWithSegments(form.Path, StringComparison.OrdinalIgnoreCase, out var rest)
            || !rest.Value!.EndsWith(form.Suffix, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        var key = rest.Value[..^form.Suffix.Length];
        return key.LastIndexOf('/') == 0 && key.Length > 1 ? key[1..] : null;
    }

    private static RateLimitPartition<string> Partition(HttpContext context, bool byAddress)
    {
        var form = FormFor(context);
        var key = byAddress ? context.Items[AddressItem] as string : context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (form is null || string.IsNullOrEmpty(key))
        {
            return RateLimitPartition.GetNoLimiter(string.Empty);
        }
        var limit = LimitOf(context, form);
        return RateLimitPartition.GetSlidingWindowLimiter($"{form.Path}|{(byAddress ? "address" : "ip")}|{key}", _ => new SlidingWindowRateLimiterOptions
        {
            PermitLimit = byAddress ? limit.PerAddress : limit.PerIp,
            Window = limit.Window,
            SegmentsPerWindow = SegmentsPerWindow,
            QueueLimit = 0,
        });
    }
}
