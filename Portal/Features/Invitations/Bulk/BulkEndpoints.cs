using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Portal.Identity;

namespace Portal.Features.Invitations.Bulk;

/// <summary>The files an admin downloads: the results of a run, and a template to start from.</summary>
public static class BulkEndpoints
{
    public static IEndpointRouteBuilder MapBulkInviteEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var files = endpoints.MapGroup("/admin/invitations/bulk").RequireAuthorization(Policies.Admin);
        files.MapGet("/template.csv", () => Results.Text(BulkAnalysis.TemplateCsv, "text/csv; charset=utf-8"))
            .WithMetadata(new ResponseCacheAttribute { NoStore = true });
        files.MapGet("/{id:long}/results.csv", async (long id, HttpContext context, BulkQueries queries, ActorLookup actors) =>
        {
            // The cookie may still carry a role removed since it was issued: the database decides.
            var actor = await actors.CurrentAsync(context.User, context.RequestAborted);
            if (!actor.IsInAnyRole(Roles.Admin))
            {
                await actors.RecordRefusalAsync(actor, context.Request.Path, "The results file needs the role Admin.", context.RequestAborted);
                return Results.Forbid();
            }
            var job = await queries.GetAsync(actor, id, context.RequestAborted);
            if (job is null)
            {
                return Results.NotFound();
            }
            return ResultsFile(queries, actor, job, context.RequestAborted);
        });
        return endpoints;
    }

    /// <summary>The results file of an upload as a download, written as it streams out: from the admin page and from the API.</summary>
    public static PushStreamHttpResult ResultsFile(BulkQueries queries, Actor actor, BulkJobView job, CancellationToken cancellationToken) =>
        TypedResults.Stream(stream => queries.WriteResultsAsync(actor, job.Id, stream, cancellationToken), "text/csv; charset=utf-8",
            $"{Path.GetFileNameWithoutExtension(job.FileName)}-results.csv");
}
