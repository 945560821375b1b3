using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.OpenApi;
using Portal.Identity;
using Scalar.AspNetCore;

namespace Portal.Features.Api;

public static class ApiSetup
{
    public const string DocsPath = "/api/docs";
    public const string DocumentPath = "/openapi/v1.json";

    public static IServiceCollection AddPortalApi(this IServiceCollection services)
    {
        services.AddSingleton<ApiTokens>();
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
        });
        return services;
    }

    /// <summary>The API under /api/v1 (bearer tokens only), its OpenAPI document, and the documentation for signed-in admins.</summary>
    public static IEndpointRouteBuilder MapPortalApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGroup("/api/v1")
            .DisableAntiforgery()
            // Errors are problem details; the status pages are for people.
            .WithMetadata(new Microsoft.AspNetCore.Mvc.SkipStatusCodePagesAttribute())
            .AddEndpointFilter(RefuseWhatTheServiceRefuses)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .MapInvitationsApi()
            .MapBulkInvitationsApi();
        endpoints.MapOpenApi(DocumentPath.Replace("v1", "{documentName}", StringComparison.Ordinal));
        endpoints.MapScalarApiReference(DocsPath, o => o.WithTitle("Portal API").DisableDefaultFonts().WithNonce())
            .RequireAuthorization(Policies.Admin);
        return endpoints;
    }

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
