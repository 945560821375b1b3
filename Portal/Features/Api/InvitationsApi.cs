using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Portal.Data;
using Portal.Features.Invitations;
using Portal.Identity;
using Portal.Localization;

namespace Portal.Features.Api;

/// <summary>What a program sends to invite one address; anything left out takes the site's default.</summary>
/// <paramref name="Resend"/>: an address invited and still pending gets a new link, as the invite dialog's choice.
public sealed record CreateInvitationRequest(
    string? Email, string? Name = null, string? Role = null, string? Message = null, int? ExpiryDays = null, string? Language = null, bool Resend = false);

/// <summary>
/// The outcome of inviting (or re-sending to) an address, as the admin page tells it: no more. The
/// invitation's id is there when one was sent, or is pending already.
/// </summary>
public sealed record InvitationOutcome(string Email, InviteOutcome Outcome, long? InvitationId, string Description);

public sealed record InvitationList(IReadOnlyList<InvitationRow> Items, int Total, int Page, int PageSize);

/// <summary>The invitation endpoints of the API: the invitation service's operations, under the same rules as the admin pages.</summary>
public static class InvitationsApi
{
    private static readonly StaticTexts Texts = new(typeof(ApiProblems));

    public static RouteGroupBuilder MapInvitationsApi(this RouteGroupBuilder api)
    {
        var invitations = api.MapGroup("/invitations").WithTags("Invitations");
        invitations.MapPost("", CreateAsync).RequireAuthorization(ApiScopes.InvitationsWrite)
            .WithName("CreateInvitation").WithSummary("Invites one address")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        invitations.MapGet("", ListAsync).RequireAuthorization(ApiScopes.InvitationsRead)
            .WithName("ListInvitations").WithSummary("Lists invitations, filtered and paged")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        invitations.MapGet("/{id:long}", GetAsync).RequireAuthorization(ApiScopes.InvitationsRead)
            .WithName("GetInvitation").WithSummary("One invitation")
            .ProducesProblem(StatusCodes.Status404NotFound);
        invitations.MapPost("/{id:long}/resend", ResendAsync).RequireAuthorization(ApiScopes.InvitationsWrite)
            .WithName("ResendInvitation").WithSummary("Sends an invitation again, with a new link")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        invitations.MapPost("/{id:long}/revoke", RevokeAsync).RequireAuthorization(ApiScopes.InvitationsWrite)
            .WithName("RevokeInvitation").WithSummary("Withdraws a pending invitation")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return api;
    }

    private static async Task<Results<Created<InvitationOutcome>, Ok<InvitationOutcome>, ProblemHttpResult>> CreateAsync(
        CreateInvitationRequest request, ClaimsPrincipal user, InvitationService invitations, CancellationToken cancellationToken)
    {
        var email = EmailAddress.Check(request.Email ?? "");
        if (!email.IsValid)
        {
            return ApiProblems.Invalid(nameof(request.Email), request.Email is null ? Texts["FieldRequired"] : email.Error!);
        }
        var choices = new InviteOptions(request.Role, request.Message, request.ExpiryDays, request.Language, request.Name);
        if (invitations.FindOptionProblem(choices) is { } problem)
        {
            return ApiProblems.Invalid(problem.Field, problem.Error);
        }
        var result = await invitations.InviteAsync(request.Email!, Actor.FromPrincipal(user), request.Resend, choices, cancellationToken);
        var outcome = Outcome(result);
        return result.Outcome == InviteOutcome.Sent
            ? TypedResults.Created($"/api/v1/invitations/{result.InvitationId}", outcome)
            : TypedResults.Ok(outcome);
    }

    private static async Task<Results<Ok<InvitationList>, ProblemHttpResult>> ListAsync(
        ClaimsPrincipal user, InvitationService invitations, CancellationToken cancellationToken,
        string? status = null, string? search = null, string? inviter = null, string? from = null, string? to = null, int page = 1, int pageSize = ApiQuery.DefaultPageSize)
    {
        InvitationStatus? wanted = null;
        if (status is not null)
        {
            if (!ApiQuery.TryName<InvitationStatus>(status, out var parsed))
            {
                return ApiProblems.Invalid(nameof(status), Texts.Format("NotAStatus", status, string.Join(", ", Enum.GetNames<InvitationStatus>())));
            }
            wanted = parsed;
        }
        if (!TryDate(from, out var fromDate))
        {
            return ApiProblems.Invalid(nameof(from), Texts.Format("NotADate", from));
        }
        if (!TryDate(to, out var toDate))
        {
            return ApiProblems.Invalid(nameof(to), Texts.Format("NotADate", to));
        }
        if (ApiQuery.PageProblem(page, pageSize) is { } pageProblem)
        {
            return pageProblem;
        }
        var rows = await invitations.SearchAsync(Actor.FromPrincipal(user), new InvitationQuery(wanted, search, inviter, fromDate, toDate),
            ApiQuery.Page(page, pageSize), cancellationToken);
        return TypedResults.Ok(new InvitationList(rows.Items, rows.Total, page, pageSize));
    }

    private static async Task<Results<Ok<InvitationRow>, ProblemHttpResult>> GetAsync(
        long id, ClaimsPrincipal user, InvitationService invitations, CancellationToken cancellationToken) =>
        await invitations.FindAsync(Actor.FromPrincipal(user), id, cancellationToken) is { } row
            ? TypedResults.Ok(row)
            : ApiProblems.Of(StatusCodes.Status404NotFound, ApiProblems.NotFound);

    private static async Task<Results<Ok<InvitationOutcome>, ProblemHttpResult>> ResendAsync(
        long id, ClaimsPrincipal user, InvitationService invitations, CancellationToken cancellationToken)
    {
        var actor = Actor.FromPrincipal(user);
        if (await invitations.FindAsync(actor, id, cancellationToken) is null)
        {
            return ApiProblems.Of(StatusCodes.Status404NotFound, ApiProblems.NotFound);
        }
        return await invitations.ResendAsync(actor, id, cancellationToken) is { } result
            ? TypedResults.Ok(Outcome(result))
            : ApiProblems.Of(StatusCodes.Status409Conflict, ApiProblems.NotResendable);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(
        long id, ClaimsPrincipal user, InvitationService invitations, CancellationToken cancellationToken)
    {
        var actor = Actor.FromPrincipal(user);
        if (await invitations.FindAsync(actor, id, cancellationToken) is null)
        {
            return ApiProblems.Of(StatusCodes.Status404NotFound, ApiProblems.NotFound);
        }
        return await invitations.RevokeAsync(actor, id, cancellationToken)
            ? TypedResults.NoContent()
            : ApiProblems.Of(StatusCodes.Status409Conflict, ApiProblems.NotPending);
    }

    /// <summary>As the admin page tells it: an opted-out address is not tied to anything the portal holds.</summary>
    private static InvitationOutcome Outcome(InviteResult result) =>
        new(result.Address, result.Outcome, result.Outcome == InviteOutcome.OptedOut ? null : result.InvitationId, result.Description);

    private static bool TryDate(string? text, out DateTime? date)
    {
        date = null;
        if (text is null)
        {
            return true;
        }
        var ok = DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed);
        date = ok ? parsed : null;
        return ok;
    }

}
