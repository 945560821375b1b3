using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.OpenApi;
using Portal.Data;
using Portal.Identity;
using Portal.Localization;
using Scalar.AspNetCore;

namespace Portal.Features.Api;

public static class ApiSetup
{
    public const string DocsPath = "/api/docs";
    public const string DocumentPath = "/openapi/v1.json";
    public const string BasePath = "/api/v1";

    private static readonly StaticTexts Texts = new(typeof(ApiProblems));

    public static IServiceCollection AddPortalApi(this IServiceCollection services)
    {
        services.AddSingleton<ApiTokens>();
        services.AddSingleton<ApiIdempotency>();
        services.AddSettings<ApiOptions>(ApiOptions.Section);
        services.Configure<RateLimiterOptions>(o => o.AddPolicy<string, ApiRateLimit>(ApiRateLimit.PolicyName));
        // A body or a value the endpoint cannot read becomes an exception, so the API can explain it as a problem.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, ApiTokenHandler>(ApiTokenHandler.SchemeName, null);
        var authorization = services.AddAuthorizationBuilder();
        foreach (var scope in ApiScopes.All)
        {
            // The token's scheme only: a sign-in cookie carries no scope and is never asked.
            authorization.AddPolicy(scope, p => p.AddAuthenticationSchemes(ApiTokenHandler.SchemeName).RequireClaim(ApiScopes.ClaimType, scope));
        }
        services.Configure<JsonOptions>(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        services.AddOpenApi(o =>
        {
            o.ShouldInclude = d => d.RelativePath?.StartsWith("api/v1/", StringComparison.Ordinal) == true || d.RelativePath == "api/v1";
            o.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "Portal API";
                document.Info.Description = """
                    Invitations, bulk invitation runs, the moderators' review queue and the accounts, for programs.
                    Each call is the one the admin pages make, under the same rules, and is in the audit log
                    under the token's admin and the token's name.

                    - **Tokens**: an admin makes one on the *API tokens* page, with scopes and an expiry date;
                      send it as `Authorization: Bearer portal_…`. It acts with its admin's rights as they are now.
                    - **Retries**: the calls that make something take an `Idempotency-Key`; a retry with the same
                      key and request gets the first answer again (`Idempotency-Replayed: true`) for 24 hours.
                    - **Rate limit**: each token has its share of requests a minute; beyond it, `429` with `Retry-After`.
                    - **Errors**: RFC 9457 problem details whose `type`, `urn:portal:problem:…`, never changes;
                      a bad field is named in `field`.
                    """;
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[ApiTokenHandler.SchemeName] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    Description = "A token made on the admin page API tokens: portal_ followed by 43 characters.",
                };
                document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiTokenHandler.SchemeName, document)] = [] }];
                return Task.CompletedTask;
            });
            o.AddOperationTransformer((operation, context, _) =>
            {
                if (context.Description.ActionDescriptor.EndpointMetadata.OfType<IdempotentAttribute>().Any())
                {
                    operation.Parameters ??= [];
                    operation.Parameters.Add(new OpenApiParameter
                    {
                        Name = ApiIdempotency.HeaderName,
                        In = ParameterLocation.Header,
                        Description = "Any unique value (a UUID, say) up to 255 visible ASCII characters: a retry with the same key and the same request gets the first answer again, and makes nothing twice. Kept 24 hours.",
                        Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = ApiIdempotencyLimits.KeyLength },
                    });
                }
                return Task.CompletedTask;
            });
        });
        return services;
    }

    /// <summary>The API under /api/v1 (bearer tokens only), its OpenAPI document, and the documentation for signed-in admins.</summary>
    public static IEndpointRouteBuilder MapPortalApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGroup(BasePath)
            .DisableAntiforgery()
            .RequireRateLimiting(ApiRateLimit.PolicyName)
            .AddEndpointFilter(RefuseWhatTheServiceRefuses)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .MapInvitationsApi()
            .MapBulkInvitationsApi()
            .MapReviewsApi()
            .MapUsersApi();
        endpoints.MapOpenApi(DocumentPath.Replace("v1", "{documentName}", StringComparison.Ordinal));
        // Nothing in the documentation reaches another host: no fonts, no assistant, no telemetry, no
        // sharing or deploying from its developer tools, no button that opens the document elsewhere.
        endpoints.MapScalarApiReference(DocsPath, o => o.WithTitle("Portal API").DisableDefaultFonts().WithNonce()
                .DisableAgent().DisableMcp().DisableTelemetry().HideDeveloperTools().HideClientButton())
            .RequireAuthorization(Policies.Admin);
        return endpoints;
    }

    /// <summary>
    /// What the API does around its endpoints, after authorization: a request it cannot read is
    /// explained as a problem, and the calls that create or start something honour an Idempotency-Key.
    /// </summary>
    public static WebApplication UsePortalApi(this WebApplication app)
    {
        app.UseWhen(context => context.Request.Path.StartsWithSegments(BasePath), api => api
            .Use(ExplainUnreadableRequests)
            .Use(ApiIdempotency.HandleAsync));
        return app;
    }

    /// <summary>
    /// Marks a call that creates or starts something: a retry with the same <c>Idempotency-Key</c> gets the
    /// first answer again (see <see cref="ApiIdempotency"/>).
    /// </summary>
    public static RouteHandlerBuilder Idempotent(this RouteHandlerBuilder endpoint) =>
        endpoint.WithMetadata(new IdempotentAttribute())
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

    /// <summary>
    /// Every refusal under the API is a problem: one the endpoint could not bind, and one routing gave
    /// with no body (no such path, not this method, not this content type). The status pages are for people.
    /// </summary>
    private static async Task ExplainUnreadableRequests(HttpContext context, RequestDelegate next)
    {
        if (context.Features.Get<IStatusCodePagesFeature>() is { } statusPages)
        {
            statusPages.Enabled = false;
        }
        try
        {
            await next(context);
        }
        catch (BadHttpRequestException refused) when (!context.Response.HasStarted)
        {
            await Unreadable(refused).ExecuteAsync(context);
            return;
        }
        if (!context.Response.HasStarted && RoutingRefusal(context.Response.StatusCode) is { } problem)
        {
            await problem.ExecuteAsync(context);
        }
    }

    private static ProblemHttpResult? RoutingRefusal(int status) => status switch
    {
        StatusCodes.Status404NotFound => ApiProblems.Of(status, ApiProblems.NotFound),
        StatusCodes.Status405MethodNotAllowed => ApiProblems.Of(status, ApiProblems.MethodNotAllowed),
        StatusCodes.Status415UnsupportedMediaType => ApiProblems.Of(status, ApiProblems.UnsupportedMediaType, Texts["ContentTypeTaken"]),
        _ => null,
    };

    /// <summary>A body too large or in another content type, JSON that does not parse (where), a value of the wrong type (which field), anything else the endpoint could not bind.</summary>
    private static ProblemHttpResult Unreadable(BadHttpRequestException refused) => refused switch
    {
        // Only a file comes near the server's limit on a body.
        { StatusCode: StatusCodes.Status413PayloadTooLarge } => ApiProblems.Of(StatusCodes.Status413PayloadTooLarge, ApiProblems.FileTooLarge),
        { StatusCode: StatusCodes.Status415UnsupportedMediaType } =>
            ApiProblems.Of(StatusCodes.Status415UnsupportedMediaType, ApiProblems.UnsupportedMediaType, Texts["ContentTypeTaken"]),
        { InnerException: JsonException { InnerException: JsonException } broken } =>
            ApiProblems.Of(StatusCodes.Status400BadRequest, ApiProblems.InvalidRequest, Texts.Format("JsonAt", broken.LineNumber + 1, broken.BytePositionInLine + 1)),
        { InnerException: JsonException { Path: ['$', '.', .. var field] } } =>
            ApiProblems.Invalid(field, Texts["WrongJsonValue"], asWritten: true),
        _ => ApiProblems.Of(StatusCodes.Status400BadRequest, ApiProblems.InvalidRequest),
    };

    /// <summary>The services check the actor's roles themselves; a refusal there (a role lost in between) is a 403, not a failure.</summary>
    private static async ValueTask<object?> RefuseWhatTheServiceRefuses(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (UnauthorizedAccessException)
        {
            return ApiProblems.Of(StatusCodes.Status403Forbidden, ApiProblems.Forbidden);
        }
    }
}
