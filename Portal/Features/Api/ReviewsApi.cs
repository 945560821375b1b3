using System.Security.Claims;
using System.Xml;
using Microsoft.AspNetCore.Http.HttpResults;
using Portal.Data;
using Portal.Features.Confirmations;
using Portal.Features.Registration;
using Portal.Identity;
using Portal.Localization;

namespace Portal.Features.Api;

/// <summary>One page of what waits for a moderator, as the review inbox lists it, with the counts per kind.</summary>
/// <param name="Total">How many items match the filters; paging reaches the first <paramref name="Reachable"/> of them, filters the rest.</param>
public sealed record ReviewList(IReadOnlyList<InboxItem> Items, IReadOnlyList<InboxKindCount> Counts, int Total, int Reachable, int Page, int PageSize);

/// <summary>
/// One change as the review page shows it: each field as it was asked from, as it is now and as
/// proposed (as the page shows moderators the values they decide on: not masked), and the record's
/// earlier changes. <paramref name="Version"/> is what an approval applies.
/// </summary>
public sealed record ChangeReview(
    long Id, string Kind, string Title, ChangeStatus Status, string RequestedByName, DateTime CreatedAt, int Version,
    bool TargetChanged, bool TargetGone, int ApprovalsGiven, int ApprovalsNeeded, string? FirstApproverName,
    string? ClaimedByName, DateTime? ClaimedUntil, IReadOnlyList<FieldDiff> Fields, IReadOnlyList<EarlierChange> History)
{
    public static ChangeReview From(ChangeDetail detail)
    {
        var c = detail.Change;
        return new(c.Id, c.Kind, c.Title, c.Status, c.RequestedByName, c.CreatedAt, c.Version, c.TargetChanged, detail.TargetGone,
            c.ApprovalsGiven, c.ApprovalsNeeded, c.FirstApproverName, c.ClaimedByName, c.ClaimedUntil, detail.Fields,
            [.. detail.History.Select(h => new EarlierChange(h.Id, h.Kind, h.Title, h.Status, h.CreatedAt, RecordedTexts.Show(h.Reason), h.Fields))]);
    }
}

/// <summary>An earlier change of the same record, as the review page's history lists it.</summary>
public sealed record EarlierChange(long Id, string Kind, string Title, ChangeStatus Status, DateTime CreatedAt, string? Reason, IReadOnlyList<FieldDiff> Fields);

/// <summary>Approves the change at <paramref name="Version"/>, the one the program read; without it, at the version there is now.</summary>
public sealed record ApproveChangeRequest(int? Version = null);

/// <summary>Why the change or sign-up is rejected; the member is told it.</summary>
public sealed record RejectRequest(string? Reason);

/// <summary>What became of a decision on a change, in the review page's words.</summary>
public sealed record ChangeDecision(long Id, ChangeOutcome Outcome, string Message);

/// <summary>What became of a decision on a sign-up: the application's status now, in the inbox's words.</summary>
public sealed record SignUpDecision(long Id, SignUpStatus Status, string Message);

/// <summary>
/// The review endpoints of the API: the moderators' inbox, one change, and decisions on changes and
/// sign-ups, through the services the review pages call, under their rules (four eyes, claims,
/// versions, reasons).
/// </summary>
public static class ReviewsApi
{
    public const int MaxPageSize = 100;

    private static readonly StaticTexts Texts = new(typeof(ApiProblems));

    public static RouteGroupBuilder MapReviewsApi(this RouteGroupBuilder api)
    {
        var reviews = api.MapGroup("/reviews").WithTags("Reviews");
        reviews.MapGet("", ListAsync).RequireAuthorization(ApiScopes.ReviewsRead)
            .WithName("ListReviews").WithSummary("Lists what waits for a moderator: deferred changes and sign-ups, filtered and paged")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        reviews.MapGet("/changes/{id:long}", GetChangeAsync).RequireAuthorization(ApiScopes.ReviewsRead)
            .WithName("GetChange").WithSummary("One change as the review page shows it, with its version; reading it does not claim it")
            .ProducesProblem(StatusCodes.Status404NotFound);
        reviews.MapPost("/changes/{id:long}/approve", ApproveChangeAsync).RequireAuthorization(ApiScopes.ReviewsWrite)
            .WithName("ApproveChange").WithSummary("Approves a change (at the version read, when given); four eyes and claims as on the page")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        reviews.MapPost("/changes/{id:long}/reject", RejectChangeAsync).RequireAuthorization(ApiScopes.ReviewsWrite)
            .WithName("RejectChange").WithSummary("Rejects a change with a reason the member is told")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        reviews.MapPost("/sign-ups/{id:long}/approve", ApproveSignUpAsync).RequireAuthorization(ApiScopes.ReviewsWrite)
            .WithName("ApproveSignUp").WithSummary("Approves a sign-up waiting for a moderator; the account becomes active")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        reviews.MapPost("/sign-ups/{id:long}/reject", RejectSignUpAsync).RequireAuthorization(ApiScopes.ReviewsWrite)
            .WithName("RejectSignUp").WithSummary("Rejects a sign-up with a reason the applicant is told; the account is removed")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return api;
    }

    private static async Task<Results<Ok<ReviewList>, ProblemHttpResult>> ListAsync(
        ClaimsPrincipal user, ReviewInbox inbox, CancellationToken cancellationToken,
        string? kind = null, string? olderThan = null, string? requester = null, string? order = null, int page = 1, int pageSize = ApiLists.DefaultPageSize)
    {
        var wanted = kind is null ? null : inbox.Kinds.FirstOrDefault(k => string.Equals(k.Kind, kind, StringComparison.OrdinalIgnoreCase))?.Kind;
        if (kind is not null && wanted is null)
        {
            return ApiProblems.Invalid(nameof(kind), Texts.Format("NotAKind", kind, string.Join(", ", inbox.Kinds.Select(k => k.Kind))));
        }
        if (!TryDuration(olderThan, out var age))
        {
            return ApiProblems.Invalid(nameof(olderThan), Texts.Format("NotADuration", olderThan));
        }
        if (order is not null && order is not ("oldest" or "newest"))
        {
            return ApiProblems.Invalid(nameof(order), Texts.Format("NotAnOrder", order));
        }
        if (ApiLists.PagingProblem(page, pageSize, MaxPageSize) is { } paging)
        {
            return paging;
        }
        var listed = await inbox.ListAsync(Actor.FromPrincipal(user), new InboxFilter(wanted, age, requester, order == "newest"),
            ApiLists.Paging(page, pageSize), cancellationToken);
        return TypedResults.Ok(new ReviewList(listed.Items, listed.Counts, listed.Matching, ReviewInbox.Reachable(listed.Matching), page, pageSize));
    }

    /// <summary>Reading a change leaves it unclaimed: a program that reads holds no moderator off.</summary>
    private static async Task<Results<Ok<ChangeReview>, ProblemHttpResult>> GetChangeAsync(
        long id, ClaimsPrincipal user, ChangeModeration changes, CancellationToken cancellationToken) =>
        await changes.ReviewAsync(Actor.FromPrincipal(user), id, cancellationToken) is { } detail
            ? TypedResults.Ok(ChangeReview.From(detail))
            : ApiProblems.Of(StatusCodes.Status404NotFound, ApiProblems.NotFound);

    /// <summary>As the review page approves: the change as read now, at the version given (or the one read).</summary>
    private static async Task<Results<Ok<ChangeDecision>, ProblemHttpResult>> ApproveChangeAsync(
        long id, ApproveChangeRequest? request, ClaimsPrincipal user, ChangeModeration changes, ReviewInbox inbox, CancellationToken cancellationToken)
    {
        var actor = Actor.FromPrincipal(user);
        if (await changes.ReviewAsync(actor, id, cancellationToken) is not { } detail)
        {
            return ApiProblems.Of(StatusCodes.Status404NotFound, ApiProblems.NotFound);
        }
        var item = InboxItem.From(detail.Change);
        return Answer((await inbox.ApproveAsync(actor, [item with { Version = request?.Version ?? item.Version }], cancellationToken))[0]);
    }

    private static async Task<Results<Ok<ChangeDecision>, ProblemHttpResult>> RejectChangeAsync(
        long id, RejectRequest? request, ClaimsPrincipal user, ChangeModeration changes, ReviewInbox inbox, CancellationToken cancellationToken)
    {
        if (RegistrationReview.CheckReason(request?.Reason) is { } problem)
        {
            return ApiProblems.Invalid(nameof(RejectRequest.Reason), problem);
        }
        var actor = Actor.FromPrincipal(user);
        if (await changes.ReviewAsync(actor, id, cancellationToken) is not { } detail)
        {
            return ApiProblems.Of(StatusCodes.Status404NotFound, ApiProblems.NotFound);
        }
        return Answer((await inbox.RejectAsync(actor, [InboxItem.From(detail.Change)], request!.Reason!, cancellationToken))[0]);
    }

    private static async Task<Results<Ok<SignUpDecision>, ProblemHttpResult>> ApproveSignUpAsync(
        long id, ClaimsPrincipal user, RegistrationReview signUps, CancellationToken cancellationToken) =>
        Answer(id, SignUpStatus.Active, await signUps.ApproveAsync(Actor.FromPrincipal(user), [id], cancellationToken));

    private static async Task<Results<Ok<SignUpDecision>, ProblemHttpResult>> RejectSignUpAsync(
        long id, RejectRequest? request, ClaimsPrincipal user, RegistrationReview signUps, CancellationToken cancellationToken) =>
        RegistrationReview.CheckReason(request?.Reason) is { } problem
            ? ApiProblems.Invalid(nameof(RejectRequest.Reason), problem)
            : Answer(id, SignUpStatus.Rejected, await signUps.RejectAsync(Actor.FromPrincipal(user), [id], request!.Reason!, cancellationToken));

    /// <summary>
    /// A decision the service took or refused. Refusals are conflicts of this change at this moment,
    /// four eyes among them: the service answers them as outcomes, not as a right the admin lacks.
    /// </summary>
    private static Results<Ok<ChangeDecision>, ProblemHttpResult> Answer(InboxDecision decision) => decision.Outcome switch
    {
        ChangeOutcome.NotPending => Conflict(ApiProblems.AlreadyDecided, decision.Message),
        ChangeOutcome.ClaimedByOther => Conflict(ApiProblems.ClaimedByOther, decision.Message),
        ChangeOutcome.NotAllowed => Conflict(ApiProblems.FourEyes, decision.Message),
        ChangeOutcome.VersionChanged => Conflict(ApiProblems.VersionChanged, decision.Message),
        ChangeOutcome.Invalid => ApiProblems.Invalid(nameof(RejectRequest.Reason), decision.Message),
        { } outcome => TypedResults.Ok(new ChangeDecision(decision.Item.Id, outcome, decision.Message)),
        null => throw new InvalidOperationException($"The decision on change {decision.Item.Id} has no outcome."),
    };

    private static Results<Ok<SignUpDecision>, ProblemHttpResult> Answer(long id, SignUpStatus decided, ReviewResult result)
    {
        if (result.Skipped is not [var skipped, ..])
        {
            return TypedResults.Ok(new SignUpDecision(id, decided, ReviewInbox.Texts[decided == SignUpStatus.Active ? "Approved" : "Rejected"]));
        }
        var message = ReviewInbox.Texts.Format("SignUpSkipped", skipped.Why);
        return skipped.Cause switch
        {
            SignUpSkip.Gone => ApiProblems.Of(StatusCodes.Status404NotFound, ApiProblems.NotFound),
            SignUpSkip.OwnSignUp => Conflict(ApiProblems.FourEyes, message),
            SignUpSkip.ChangedMeanwhile => Conflict(ApiProblems.VersionChanged, message),
            _ => Conflict(ApiProblems.AlreadyDecided, message),
        };
    }

    private static ProblemHttpResult Conflict(string slug, string detail) => ApiProblems.Of(StatusCodes.Status409Conflict, slug, detail);

    /// <summary>An ISO 8601 duration (PT1H, P3D), not negative.</summary>
    private static bool TryDuration(string? text, out TimeSpan? duration)
    {
        duration = null;
        if (text is null)
        {
            return true;
        }
        try
        {
            duration = XmlConvert.ToTimeSpan(text);
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            return false;
        }
        return duration >= TimeSpan.Zero;
    }
}
