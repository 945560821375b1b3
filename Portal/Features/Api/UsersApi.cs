using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Portal.Data;
using Portal.Features.Users;
using Portal.Identity;
using Portal.Localization;

namespace Portal.Features.Api;

public sealed record UserList(IReadOnlyList<UserRow> Items, int Total, int Page, int PageSize);

/// <summary>
/// The user endpoints of the API: the accounts as the Users page lists them, with its filters, and no
/// more than it shows (no password, stamp, key or lockout detail).
/// </summary>
public static class UsersApi
{
    private static readonly StaticTexts Texts = new(typeof(ApiProblems));

    public static RouteGroupBuilder MapUsersApi(this RouteGroupBuilder api)
    {
        var users = api.MapGroup("/users").WithTags("Users");
        users.MapGet("", ListAsync).RequireAuthorization(ApiScopes.UsersRead)
            .WithName("ListUsers").WithSummary("Lists the accounts as the Users page does, filtered and paged, newest first")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        users.MapGet("/{id}", GetAsync).RequireAuthorization(ApiScopes.UsersRead)
            .WithName("GetUser").WithSummary("One account as the Users page shows it")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    private static async Task<Results<Ok<UserList>, ProblemHttpResult>> ListAsync(
        ClaimsPrincipal user, UserAdmin users, CancellationToken cancellationToken,
        string? search = null, string? status = null, string? role = null, int page = 1, int pageSize = ApiLists.DefaultPageSize)
    {
        if (ApiLists.StatusProblem<AccountStatus>(status, out var wanted) is { } badStatus)
        {
            return badStatus;
        }
        if (!string.IsNullOrWhiteSpace(role) && !Roles.All.Contains(role, StringComparer.OrdinalIgnoreCase))
        {
            return ApiProblems.Invalid(nameof(role), Texts.Format("NotARole", role, string.Join(", ", Roles.All)));
        }
        if (ApiLists.PagingProblem(page, pageSize) is { } badPaging)
        {
            return badPaging;
        }
        var rows = await users.SearchAsync(Actor.FromPrincipal(user), new UserQuery(search, wanted, role), ApiLists.Paging(page, pageSize), cancellationToken);
        return TypedResults.Ok(new UserList(rows.Items, rows.Total, page, pageSize));
    }

    private static async Task<Results<Ok<UserRow>, ProblemHttpResult>> GetAsync(
        string id, ClaimsPrincipal user, UserAdmin users, CancellationToken cancellationToken) =>
        await users.FindAsync(Actor.FromPrincipal(user), id, cancellationToken) is { } row
            ? TypedResults.Ok(row)
            : ApiProblems.Of(StatusCodes.Status404NotFound, ApiProblems.NotFound);
}
