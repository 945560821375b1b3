using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Portal.Localization;

namespace Portal.Features.Api;

/// <summary>
/// The API's errors as RFC 9457 problem details. Each kind has a stable <c>type</c>, a URN
/// (<c>urn:portal:problem:token-expired</c>) that does not depend on where the portal is served; the
/// title is in the reader's language.
/// </summary>
public static class ApiProblems
{
    public const string TypePrefix = "urn:portal:problem:";

    public const string TokenMissing = "token-missing";
    public const string TokenMalformed = "token-malformed";
    public const string TokenUnknown = "token-unknown";
    public const string TokenRevoked = "token-revoked";
    public const string TokenExpired = "token-expired";
    public const string TokenOwnerWithoutRights = "token-owner-without-rights";
    public const string InsufficientScope = "insufficient-scope";
    public const string Forbidden = "forbidden";
    public const string InvalidField = "invalid-field";
    public const string NotFound = "not-found";
    public const string NotPending = "not-pending";
    public const string NotResendable = "not-resendable";
    public const string RateLimited = "rate-limited";
    public const string IdempotencyKeyReused = "idempotency-key-reused";
    public const string IdempotencyKeyInUse = "idempotency-key-in-use";
    public const string InvalidRequest = "invalid-request";
    public const string UnsupportedMediaType = "unsupported-media-type";
    public const string MethodNotAllowed = "method-not-allowed";
    public const string AlreadyDecided = "already-decided";
    public const string ClaimedByOther = "claimed-by-other";
    public const string FourEyes = "four-eyes";
    public const string VersionChanged = "version-changed";
    public const string FileTooLarge = "file-too-large";
    public const string BulkNotStartable = "bulk-not-startable";
    public const string BulkNotCancellable = "bulk-not-cancellable";
    public const string BulkNotResumable = "bulk-not-resumable";

    private static readonly StaticTexts Texts = new(typeof(ApiProblems));

    public static string Slug(ApiTokenProblem problem) => problem switch
    {
        ApiTokenProblem.Missing => TokenMissing,
        ApiTokenProblem.Malformed => TokenMalformed,
        ApiTokenProblem.Unknown => TokenUnknown,
        ApiTokenProblem.Revoked => TokenRevoked,
        ApiTokenProblem.Expired => TokenExpired,
        _ => TokenOwnerWithoutRights,
    };

    public static ProblemHttpResult Of(int status, string slug, string? detail = null, IDictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(detail, statusCode: status, title: Texts[slug], type: TypePrefix + slug, extensions: extensions);

    /// <summary>
    /// A 400 naming the request's field and what is wrong with it. The name is written as the JSON or the
    /// query string writes it (a C# name is camel-cased), or as given when <paramref name="asWritten"/>.
    /// </summary>
    public static ProblemHttpResult Invalid(string field, string detail, bool asWritten = false)
    {
        var name = asWritten ? field : JsonNamingPolicy.CamelCase.ConvertName(field);
        return Of(StatusCodes.Status400BadRequest, InvalidField, detail, new Dictionary<string, object?>
        {
            ["field"] = name,
            ["errors"] = new Dictionary<string, string[]> { [name] = [detail] },
        });
    }
}
