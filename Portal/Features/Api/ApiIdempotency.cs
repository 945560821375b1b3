using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Localization;

namespace Portal.Features.Api;

/// <summary>Marks a call that creates or starts something: it honours an <c>Idempotency-Key</c>.</summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class)]
public sealed class IdempotentAttribute : Attribute;

/// <summary>What becomes of a call that came with a key.</summary>
public abstract record IdempotentCall
{
    /// <summary>The first call with the key (or a take-over of one whose node stopped): run it, then keep its answer.</summary>
    public sealed record Run(long Id) : IdempotentCall;

    /// <summary>The key was used before for this very request: answer as the first call was answered.</summary>
    public sealed record Replay(ApiIdempotencyKey First) : IdempotentCall;

    /// <summary>The key was used before for another request.</summary>
    public sealed record Mismatch : IdempotentCall;

    /// <summary>The first call with the key has not answered yet.</summary>
    public sealed record Running : IdempotentCall;
}

/// <summary>
/// <c>Idempotency-Key</c> (the IETF draft's header, as Stripe and others use it) on the calls marked
/// <see cref="IdempotentAttribute"/>: per token, a repeated call with the same key and the same request
/// gets the first call's answer again, with <c>Idempotency-Replayed: true</c>, and has no second effect.
/// Only successful answers are kept: after a refusal or a failure the key is free, and a retry runs again.
/// The same key with another request is a 422; while the first call runs, a retry is a 409.
/// </summary>
public sealed class ApiIdempotency(IDbContextFactory<PortalDbContext> dbFactory, IOptionsMonitor<ApiOptions> options, TimeProvider clock)
{
    public const string HeaderName = "Idempotency-Key";
    public const string ReplayedHeaderName = "Idempotency-Replayed";

    /// <summary>How often keys past their lifetime are cleared out: not on every call, which is the hot path.</summary>
    private static readonly TimeSpan PurgeInterval = TimeSpan.FromMinutes(10);

    private static readonly StaticTexts Texts = new(typeof(ApiProblems));

    private long _nextPurge;

    public async Task<IdempotentCall> BeginAsync(long tokenId, string key, string requestHash, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var settings = options.CurrentValue;
        var expired = now - settings.IdempotencyKeyLifetime;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (now.Ticks >= Interlocked.Read(ref _nextPurge))
        {
            Interlocked.Exchange(ref _nextPurge, (now + PurgeInterval).Ticks);
            await db.ApiIdempotencyKeys.Where(k => k.CreatedAt < expired).ExecuteDeleteAsync(cancellationToken);
        }
        var first = await db.ApiIdempotencyKeys.AsNoTracking().SingleOrDefaultAsync(k => k.TokenId == tokenId && k.Key == key, cancellationToken);
        if (first is not null && first.CreatedAt < expired)
        {
            // Past its lifetime the key promises nothing any more: it starts again.
            await db.ApiIdempotencyKeys.Where(k => k.Id == first.Id).ExecuteDeleteAsync(cancellationToken);
            first = null;
        }
        if (first is null)
        {
            var call = new ApiIdempotencyKey { TokenId = tokenId, Key = key, RequestHash = requestHash, CreatedAt = now };
            db.ApiIdempotencyKeys.Add(call);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return new IdempotentCall.Run(call.Id);
            }
            catch (DbUpdateException)
            {
                // The same key arrived twice at once: the other call holds it.
                return new IdempotentCall.Running();
            }
        }
        if (first.RequestHash != requestHash)
        {
            return new IdempotentCall.Mismatch();
        }
        if (first.CompletedAt is not null)
        {
            return new IdempotentCall.Replay(first);
        }
        if (first.CreatedAt >= now - settings.IdempotencyLockTimeout)
        {
            return new IdempotentCall.Running();
        }
        // The node that ran the first call stopped before it answered: this call takes the key over, once.
        var taken = await db.ApiIdempotencyKeys
            .Where(k => k.Id == first.Id && k.CompletedAt == null && k.CreatedAt == first.CreatedAt)
            .ExecuteUpdateAsync(s => s.SetProperty(k => k.CreatedAt, now), cancellationToken);
        return taken == 1 ? new IdempotentCall.Run(first.Id) : new IdempotentCall.Running();
    }

    public async Task CompleteAsync(long id, int statusCode, string? contentType, string? location, string body)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync();
        await db.ApiIdempotencyKeys.Where(k => k.Id == id).ExecuteUpdateAsync(s => s
            .SetProperty(k => k.CompletedAt, now)
            .SetProperty(k => k.StatusCode, statusCode)
            .SetProperty(k => k.ContentType, contentType)
            .SetProperty(k => k.Location, location)
            .SetProperty(k => k.Body, body));
    }

    /// <summary>Frees the key: the call was refused or failed, and a retry should run again.</summary>
    public async Task ReleaseAsync(long id)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        await db.ApiIdempotencyKeys.Where(k => k.Id == id).ExecuteDeleteAsync();
    }

    /// <summary>The middleware: after authorization, so the key belongs to the token that sent it.</summary>
    public static async Task HandleAsync(HttpContext context, RequestDelegate next)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<IdempotentAttribute>() is null
            || !context.Request.Headers.TryGetValue(HeaderName, out var values)
            || !long.TryParse(context.User.FindFirstValue(ApiTokenHandler.TokenIdClaimType), out var tokenId))
        {
            await next(context);
            return;
        }
        var key = values.ToString();
        if (values.Count != 1 || key.Length is 0 or > ApiIdempotencyLimits.KeyLength || key.Any(c => c is < '!' or > '~'))
        {
            await ApiProblems.Invalid(HeaderName, Texts.Format("IdempotencyKeyForm", ApiIdempotencyLimits.KeyLength), asWritten: true).ExecuteAsync(context);
            return;
        }
        var store = context.RequestServices.GetRequiredService<ApiIdempotency>();
        switch (await store.BeginAsync(tokenId, key, await RequestHashAsync(context.Request), context.RequestAborted))
        {
            case IdempotentCall.Replay { First: var first }:
                context.Response.StatusCode = first.StatusCode;
                context.Response.ContentType = first.ContentType;
                if (first.Location is not null)
                {
                    context.Response.Headers.Location = first.Location;
                }
                context.Response.Headers[ReplayedHeaderName] = "true";
                await context.Response.WriteAsync(first.Body ?? "", context.RequestAborted);
                return;
            case IdempotentCall.Mismatch:
                await ApiProblems.Of(StatusCodes.Status422UnprocessableEntity, ApiProblems.IdempotencyKeyReused).ExecuteAsync(context);
                return;
            case IdempotentCall.Running:
                context.Response.Headers.RetryAfter = "1";
                await ApiProblems.Of(StatusCodes.Status409Conflict, ApiProblems.IdempotencyKeyInUse).ExecuteAsync(context);
                return;
            case IdempotentCall.Run { Id: var id }:
                await RunAndKeepAsync(context, next, store, id);
                return;
        }
    }

    private static async Task RunAndKeepAsync(HttpContext context, RequestDelegate next, ApiIdempotency store, long id)
    {
        var original = context.Response.Body;
        using var answer = new MemoryStream();
        context.Response.Body = answer;
        try
        {
            await next(context);
        }
        catch
        {
            await store.ReleaseAsync(id);
            throw;
        }
        finally
        {
            context.Response.Body = original;
        }
        var response = context.Response;
        if (response.StatusCode is >= 200 and < 300)
        {
            await store.CompleteAsync(id, response.StatusCode, response.ContentType, response.Headers.Location.ToString() is { Length: > 0 } location ? location : null, Encoding.UTF8.GetString(answer.ToArray()));
        }
        else
        {
            await store.ReleaseAsync(id);
        }
        answer.Position = 0;
        await answer.CopyToAsync(original, context.RequestAborted);
    }

    /// <summary>The method, path, query and body, hashed; the body stays readable for the endpoint.</summary>
    private static async Task<string> RequestHashAsync(HttpRequest request)
    {
        request.EnableBuffering();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{request.Method} {request.Path}{request.QueryString}\n"));
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(buffer, request.HttpContext.RequestAborted)) > 0)
        {
            hash.AppendData(buffer, 0, read);
        }
        request.Body.Position = 0;
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
