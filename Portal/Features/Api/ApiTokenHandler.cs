using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Portal.Identity;

namespace Portal.Features.Api;

/// <summary>
/// The API's authentication: <c>Authorization: Bearer portal_…</c>. Refusals are problem details: 401 with
/// <c>WWW-Authenticate: Bearer</c> for a token missing or not accepted, 403 for one without the scope.
/// </summary>
public sealed class ApiTokenHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiTokens tokens)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiToken";

    /// <summary>The token's id: what its Idempotency-Keys belong to.</summary>
    public const string TokenIdClaimType = "portal:token-id";

    private ApiTokenProblem? _problem;

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        // A header that is there but not "Bearer <token>" is a malformed token, not a missing one.
        var presented = header.Length == 0 ? null
            : header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : "";
        var (caller, problem) = await tokens.AuthenticateAsync(presented, Context.RequestAborted);
        if (caller is null)
        {
            _problem = problem;
            return problem == ApiTokenProblem.Missing ? AuthenticateResult.NoResult() : AuthenticateResult.Fail(problem.ToString()!);
        }
        var actor = caller.Actor;
        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, actor.UserId!),
                new Claim(ClaimTypes.Name, actor.Name),
                new Claim(Actor.TokenClaimType, actor.Token!),
                new Claim(TokenIdClaimType, caller.TokenId.ToString(CultureInfo.InvariantCulture)),
                .. actor.Roles.Select(r => new Claim(ClaimTypes.Role, r)),
                .. caller.Scopes.Select(s => new Claim(ApiScopes.ClaimType, s)),
            ],
            SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var problem = _problem ?? ApiTokenProblem.Missing;
        // RFC 6750: no error code when the request carried no credentials at all.
        Response.Headers.WWWAuthenticate = problem == ApiTokenProblem.Missing ? "Bearer" : "Bearer error=\"invalid_token\"";
        return ApiProblems.Of(StatusCodes.Status401Unauthorized, ApiProblems.Slug(problem)).ExecuteAsync(Context);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer error=\"insufficient_scope\"";
        return ApiProblems.Of(StatusCodes.Status403Forbidden, ApiProblems.InsufficientScope).ExecuteAsync(Context);
    }
}
