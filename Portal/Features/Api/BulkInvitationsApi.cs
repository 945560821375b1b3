using System.Security.Claims;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Features.Invitations;
using Portal.Features.Invitations.Bulk;
using Portal.Identity;
using Portal.Localization;

namespace Portal.Features.Api;

/// <summary>The options of a run, as on the upload's page; rows' own values win over them. Left out: the site's defaults.</summary>
/// <paramref name="Resend"/>: rows whose address has a pending invitation get a new link.
public sealed record StartBulkInvitationRequest(string? Role = null, string? Message = null, int? ExpiryDays = null, string? Language = null, bool Resend = false);

/// <summary>
/// An upload as its page shows it: the dry run's classes, the run's options and progress, and once it runs
/// how its invitations fare; <paramref name="RemainingSeconds"/> estimates the rest of a run going on.
/// </summary>
public sealed record BulkInvitationJob(BulkJobView Job, BulkFunnel? Funnel, int? RemainingSeconds);

public sealed record BulkJobList(IReadOnlyList<BulkJobView> Items, int Total, int Page, int PageSize);

public sealed record BulkRowList(IReadOnlyList<BulkJobRowView> Items, int Total, int Page, int PageSize);

/// <summary>
/// The bulk invitation endpoints of the API: a CSV file uploaded and analysed (nothing sent), its run started,
/// followed, stopped or resumed, and its results file; the same services and rules as the bulk invitation pages.
/// </summary>
public static class BulkInvitationsApi
{
    private const string Route = "/api/v1/bulk-invitations";

    private static readonly StaticTexts Texts = new(typeof(ApiProblems));

    public static RouteGroupBuilder MapBulkInvitationsApi(this RouteGroupBuilder api)
    {
        var bulk = api.MapGroup("/bulk-invitations").WithTags("Bulk invitations");
        bulk.MapPost("", UploadAsync).RequireAuthorization(ApiScopes.InvitationsWrite)
            .WithName("UploadBulkInvitations").WithSummary("Uploads a CSV file of addresses and analyses it; nothing is sent yet")
            .Accepts<string>("text/csv").Idempotent()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        bulk.MapGet("", ListAsync).RequireAuthorization(ApiScopes.InvitationsRead)
            .WithName("ListBulkInvitations").WithSummary("Lists the uploads, newest first")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        bulk.MapGet("/{id:long}", GetAsync).RequireAuthorization(ApiScopes.InvitationsRead)
            .WithName("GetBulkInvitation").WithSummary("One upload: its dry run, its options and the progress of its run")
            .ProducesProblem(StatusCodes.Status404NotFound);
        bulk.MapGet("/{id:long}/rows", RowsAsync).RequireAuthorization(ApiScopes.InvitationsRead)
            .WithName("ListBulkInvitationRows").WithSummary("The rows of an upload, by line, with their class and outcome")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        bulk.MapGet("/{id:long}/results", ResultsAsync).RequireAuthorization(ApiScopes.InvitationsRead)
            .WithName("GetBulkInvitationResults").WithSummary("The results file: line, email, outcome and reason of every row")
            .Produces<string>(StatusCodes.Status200OK, "text/csv")
            .ProducesProblem(StatusCodes.Status404NotFound);
        bulk.MapPost("/{id:long}/start", StartAsync).RequireAuthorization(ApiScopes.InvitationsWrite).Idempotent()
            .WithName("StartBulkInvitation").WithSummary("Starts the run of an analysed upload; it goes on in the background")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        bulk.MapPost("/{id:long}/cancel", CancelAsync).RequireAuthorization(ApiScopes.InvitationsWrite)
            .WithName("CancelBulkInvitation").WithSummary("Discards an upload not started, or stops its run between two batches")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        bulk.MapPost("/{id:long}/resume", ResumeAsync).RequireAuthorization(ApiScopes.InvitationsWrite)
            .WithName("ResumeBulkInvitation").WithSummary("Puts a failed run back in the queue; it goes on where it stopped")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return api;
    }

    /// <summary>The file is the request's body, read as it streams in, as the upload page reads it.</summary>
    private static async Task<Results<Created<BulkInvitationJob>, ProblemHttpResult>> UploadAsync(
        HttpContext context, ClaimsPrincipal user, BulkAnalysis analysis, BulkQueries queries, IOptions<BulkInviteOptions> limits, TimeProvider clock,
        CancellationToken cancellationToken, string? fileName = null)
    {
        var maxBytes = limits.Value.MaxBytes;
        if (context.Request.ContentLength > maxBytes)
        {
            return ApiProblems.Of(StatusCodes.Status413PayloadTooLarge, ApiProblems.FileTooLarge, CsvInvitationFile.TooLarge(maxBytes));
        }
        // The dry run counts the bytes against the portal's own limit, which may be above the server's.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = null;
        }
        var actor = Actor.FromPrincipal(user);
        long id;
        try
        {
            id = await analysis.AnalyzeAsync(actor, fileName ?? "", context.Request.Body, cancellationToken);
        }
        catch (CsvFileException ex)
        {
            return ApiProblems.Invalid("file", ex.Message);
        }
        return TypedResults.Created($"{Route}/{id}", await JobAsync(queries, actor, id, clock, cancellationToken));
    }

    private static async Task<Results<Ok<BulkJobList>, ProblemHttpResult>> ListAsync(
        ClaimsPrincipal user, BulkQueries queries, CancellationToken cancellationToken, int page = 1, int pageSize = ApiLists.DefaultPageSize)
    {
        if (ApiLists.PagingProblem(page, pageSize) is { } problem)
        {
            return problem;
        }
        var jobs = await queries.JobsAsync(Actor.FromPrincipal(user), ApiLists.Paging(page, pageSize), cancellationToken);
        return TypedResults.Ok(new BulkJobList(jobs.Items, jobs.Total, page, pageSize));
    }

    private static async Task<Results<Ok<BulkInvitationJob>, ProblemHttpResult>> GetAsync(
        long id, ClaimsPrincipal user, BulkQueries queries, TimeProvider clock, CancellationToken cancellationToken) =>
        await JobAsync(queries, Actor.FromPrincipal(user), id, clock, cancellationToken) is { } job
            ? TypedResults.Ok(job)
            : NotFound();

    private static async Task<Results<Ok<BulkRowList>, ProblemHttpResult>> RowsAsync(
        long id, ClaimsPrincipal user, BulkQueries queries, CancellationToken cancellationToken,
        string? @class = null, int page = 1, int pageSize = ApiLists.DefaultPageSize)
    {
        BulkRowClass? wanted = null;
        if (@class is not null)
        {
            if (!ApiLists.TryName<BulkRowClass>(@class, out var parsed))
            {
                return ApiProblems.Invalid(nameof(@class), Texts.Format("NotAClass", @class, string.Join(", ", Enum.GetNames<BulkRowClass>())));
            }
            wanted = parsed;
        }
        if (ApiLists.PagingProblem(page, pageSize) is { } problem)
        {
            return problem;
        }
        var actor = Actor.FromPrincipal(user);
        if (await queries.GetAsync(actor, id, cancellationToken) is null)
        {
            return NotFound();
        }
        var rows = await queries.RowsAsync(actor, id, wanted, ApiLists.Paging(page, pageSize), cancellationToken);
        return TypedResults.Ok(new BulkRowList(rows.Items, rows.Total, page, pageSize));
    }

    private static async Task<Results<PushStreamHttpResult, ProblemHttpResult>> ResultsAsync(
        long id, ClaimsPrincipal user, BulkQueries queries, CancellationToken cancellationToken)
    {
        var actor = Actor.FromPrincipal(user);
        return await queries.GetAsync(actor, id, cancellationToken) is { } job
            ? BulkEndpoints.ResultsFile(queries, actor, job, cancellationToken)
            : NotFound();
    }

    private static async Task<Results<Accepted<BulkInvitationJob>, ProblemHttpResult>> StartAsync(
        long id, StartBulkInvitationRequest? request, ClaimsPrincipal user, BulkQueries queries, BulkRuns runs, InvitationService invitations,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        var actor = Actor.FromPrincipal(user);
        if (await queries.GetAsync(actor, id, cancellationToken) is not { } job)
        {
            return NotFound();
        }
        request ??= new StartBulkInvitationRequest();
        var options = new BulkRunOptions(request.Role, request.Message, request.Resend, request.ExpiryDays ?? job.Options.ExpiryDays, request.Language);
        if (invitations.FindOptionProblem(options.AsInviteOptions()) is { } problem)
        {
            return ApiProblems.Invalid(problem.Field, problem.Error);
        }
        if (await runs.StartAsync(actor, id, options, cancellationToken) is { } refusal)
        {
            return ApiProblems.Of(StatusCodes.Status409Conflict, ApiProblems.BulkNotStartable, refusal);
        }
        return TypedResults.Accepted($"{Route}/{id}", await JobAsync(queries, actor, id, clock, cancellationToken));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> CancelAsync(
        long id, ClaimsPrincipal user, BulkQueries queries, BulkRuns runs, CancellationToken cancellationToken)
    {
        var actor = Actor.FromPrincipal(user);
        if (await queries.GetAsync(actor, id, cancellationToken) is null)
        {
            return NotFound();
        }
        return await runs.CancelAsync(actor, id, cancellationToken)
            ? TypedResults.NoContent()
            : ApiProblems.Of(StatusCodes.Status409Conflict, ApiProblems.BulkNotCancellable);
    }

    private static async Task<Results<Accepted<BulkInvitationJob>, ProblemHttpResult>> ResumeAsync(
        long id, ClaimsPrincipal user, BulkQueries queries, BulkRuns runs, TimeProvider clock, CancellationToken cancellationToken)
    {
        var actor = Actor.FromPrincipal(user);
        if (await queries.GetAsync(actor, id, cancellationToken) is null)
        {
            return NotFound();
        }
        return await runs.ResumeAsync(actor, id, cancellationToken)
            ? TypedResults.Accepted($"{Route}/{id}", await JobAsync(queries, actor, id, clock, cancellationToken))
            : ApiProblems.Of(StatusCodes.Status409Conflict, ApiProblems.BulkNotResumable);
    }

    /// <summary>The upload with what its page shows beside it: how its invitations fare once it has run, and the time left while it runs.</summary>
    private static async Task<BulkInvitationJob?> JobAsync(BulkQueries queries, Actor actor, long id, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (await queries.GetAsync(actor, id, cancellationToken) is not { } job)
        {
            return null;
        }
        var funnel = job.Status == BulkJobStatus.Analyzed ? null : await queries.FunnelAsync(actor, id, cancellationToken);
        var remaining = job.Active ? job.Remaining(clock.GetUtcNow().UtcDateTime) : null;
        return new BulkInvitationJob(job, funnel, remaining is { } left ? (int)Math.Ceiling(left.TotalSeconds) : null);
    }

    private static ProblemHttpResult NotFound() => ApiProblems.Of(StatusCodes.Status404NotFound, ApiProblems.NotFound);
}
