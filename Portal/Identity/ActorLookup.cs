using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Features.Audit;

namespace Portal.Identity;

/// <summary>An account's name, security stamp, whether it is active and not deactivated, and its roles, as stored now.</summary>
public sealed record HeldAccount(string UserName, string? SecurityStamp, bool Active, IReadOnlySet<string> Roles);

/// <summary>
/// Who is acting, as the database has it at the moment of the action: the roles held now, not the
/// ones in the sign-in cookie or the open circuit. An account that is gone, deactivated or whose
/// security stamp changed since it signed in (a role removed, a password reset) acts with no role,
/// so the services refuse what it asks.
/// </summary>
public sealed class ActorLookup(IDbContextFactory<PortalDbContext> dbFactory, IOptions<IdentityOptions> identity, AuditLog audit)
{
    public async Task<Actor> CurrentAsync(ClaimsPrincipal principal, CancellationToken cancellationToken = default)
    {
        var claimed = Actor.FromPrincipal(principal);
        if (claimed.UserId is null)
        {
            return claimed;
        }
        var account = await AccountAsync(claimed.UserId, cancellationToken);
        var stamp = principal.FindFirstValue(identity.Value.ClaimsIdentity.SecurityStampClaimType);
        var current = account is { Active: true } && account.SecurityStamp == stamp;
        return claimed with { Roles = current ? account!.Roles : new HashSet<string>() };
    }

    /// <summary>The account as the database has it now: its user name, whether it may act at all, and its roles.</summary>
    public async Task<HeldAccount?> AccountAsync(string userId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        // One round trip: this runs for every action an admin page takes, and every API request.
        var user = await db.Users.AsNoTracking()
            .Where(u => u.Id == userId)
            .Select(u => new
            {
                u.UserName,
                u.SecurityStamp,
                u.State,
                u.DeactivatedAt,
                Roles = db.UserRoles.Where(r => r.UserId == u.Id).Join(db.Roles, r => r.RoleId, role => role.Id, (_, role) => role.Name!).ToList(),
            })
            .FirstOrDefaultAsync(cancellationToken);
        return user is null
            ? null
            : new HeldAccount(user.UserName!, user.SecurityStamp, user.State == AccountState.Active && user.DeactivatedAt is null, user.Roles.ToHashSet());
    }

    /// <summary>Writes down that <paramref name="actor"/> was refused <paramref name="what"/>, and why.</summary>
    public async Task RecordRefusalAsync(Actor actor, string what, string why, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        audit.Record(db, actor, AuditActions.AccessRefused, new AuditTarget("page", what), why);
        await db.SaveChangesAsync(cancellationToken);
    }
}
