using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Identity;

namespace Portal.Features.Registration;

/// <summary>How an application is closed (approved, rejected, deleted, expired): what, by whom, when and why, kept after its account goes.</summary>
internal static class SignUpDecisions
{
    /// <summary>Records the decision on the applications in one update; returns how many it changed.</summary>
    public static Task<int> DecideAsync(
        this IQueryable<SignUp> signUps, SignUpStatus decision, Actor actor, DateTime now, string? reason, CancellationToken cancellationToken) =>
        signUps.ExecuteUpdateAsync(s => s
            .SetProperty(x => x.Status, decision)
            .SetProperty(x => x.DecidedAt, now)
            .SetProperty(x => x.DecidedById, actor.UserId)
            .SetProperty(x => x.DecidedByName, actor.Name)
            .SetProperty(x => x.Reason, reason), cancellationToken);
}
