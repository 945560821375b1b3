using System.Linq.Expressions;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Features.Audit;
using Portal.Features.Confirmations;
using Portal.Identity;
using Portal.Localization;

namespace Portal.Features.Users;

public sealed record UserRow(
    string Id, string UserName, string Email, AccountStatus Status, IReadOnlyList<string> Roles,
    DateTime CreatedAt, DateTime? LastSignInAt, bool LockedOut);

public sealed record UserQuery(string? Search = null, AccountStatus? Status = null, string? Role = null);

/// <summary>
/// Accounts by status. Only people who signed up or accepted an invitation have an account here: an
/// invitee who has not yet is counted with the pending invitations.
/// </summary>
public sealed record UserCounts(int Accounts, int Active, int AwaitingActivation, int Deactivated)
{
    /// <summary>Awaiting activation or a moderator's approval.</summary>
    public int NotYetActive => Accounts - Active - Deactivated;
}

/// <summary>The outcome of an admin's change to an account, with a sentence to show.</summary>
public sealed record UserChangeResult(bool Succeeded, string Message);

/// <summary>Admins list accounts, deactivate and reactivate them, and grant and remove roles.</summary>
public sealed class UserAdmin(IDbContextFactory<PortalDbContext> dbFactory, AuditLog audit, TimeProvider clock)
{
    public const string AuditTargetType = "user";

    private static readonly StaticTexts Texts = new(typeof(UserAdmin));

    private static readonly Dictionary<string, Expression<Func<PortalUser, object?>>> Columns = new()
    {
        [nameof(UserRow.UserName)] = u => u.UserName,
        [nameof(UserRow.Email)] = u => u.Email,
        [nameof(UserRow.CreatedAt)] = u => u.CreatedAt,
        [nameof(UserRow.LastSignInAt)] = u => u.LastSignInAt,
        [nameof(UserRow.Status)] = u => u.DeactivatedAt != null ? 3 : (int)u.State,
    };

    public async Task<Page<UserRow>> SearchAsync(Actor actor, UserQuery query, PageRequest page, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Admin);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var users = db.Users.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            var pattern = Like.Contains(query.Search);
            users = users.Where(u => EF.Functions.Like(u.UserName!.ToLower(), pattern, Like.Escape) || EF.Functions.Like(u.Email!.ToLower(), pattern, Like.Escape));
        }
        users = query.Status switch
        {
            null => users,
            AccountStatus.Deactivated => users.Where(u => u.DeactivatedAt != null),
            var status => users.Where(u => u.DeactivatedAt == null && u.State == (AccountState)status),
        };
        if (!string.IsNullOrWhiteSpace(query.Role))
        {
            var roleId = query.Role.ToLowerInvariant();
            users = users.Where(u => db.UserRoles.Any(r => r.UserId == u.Id && r.RoleId == roleId));
        }
        return await RowsAsync(db, users, page, cancellationToken);
    }

    /// <summary>One account as the list shows it; null when there is none with that id.</summary>
    public async Task<UserRow?> FindAsync(Actor actor, string userId, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Admin);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await RowsAsync(db, db.Users.AsNoTracking().Where(u => u.Id == userId), new PageRequest(Take: 1), cancellationToken);
        return rows.Items.SingleOrDefault();
    }

    private async Task<Page<UserRow>> RowsAsync(PortalDbContext db, IQueryable<PortalUser> users, PageRequest page, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var rows = await users.ToPageAsync(page, Columns, q => q.OrderByDescending(u => u.CreatedAt).ThenBy(u => u.Id),
            u => new
            {
                u.Id, u.UserName, u.Email, u.State, u.DeactivatedAt, u.CreatedAt, u.LastSignInAt, u.LockoutEnd,
                Roles = db.UserRoles.Where(r => r.UserId == u.Id).Join(db.Roles, ur => ur.RoleId, r => r.Id, (ur, r) => r.Name!).ToList(),
            },
            cancellationToken);
        return new Page<UserRow>(
            [.. rows.Items.Select(u => new UserRow(
                u.Id, u.UserName ?? "", u.Email ?? "",
                u.DeactivatedAt is null ? (AccountStatus)u.State : AccountStatus.Deactivated,
                u.Roles, u.CreatedAt, u.LastSignInAt, u.LockoutEnd > now))],
            rows.Total);
    }

    public async Task<UserCounts> CountsAsync(Actor actor, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Admin);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var byState = await db.Users.Where(u => u.State != AccountState.Invited)
            .GroupBy(u => new { u.State, Deactivated = u.DeactivatedAt != null })
            .Select(g => new { g.Key.State, g.Key.Deactivated, Count = g.Count() })
            .ToListAsync(cancellationToken);
        int Count(AccountState state) => byState.Where(g => !g.Deactivated && g.State == state).Sum(g => g.Count);
        return new UserCounts(
            byState.Sum(g => g.Count), Count(AccountState.Active), Count(AccountState.AwaitingActivation),
            byState.Where(g => g.Deactivated).Sum(g => g.Count));
    }

    public Task<UserChangeResult> DeactivateAsync(Actor actor, string userId, CancellationToken cancellationToken = default) =>
        ChangeAsync(actor, userId, AuditActions.UserDeactivated, cancellationToken, async (db, user) =>
        {
            if (user.Id == actor.UserId)
            {
                return Texts["OwnAccount"];
            }
            if (user.DeactivatedAt is not null)
            {
                return Texts.Format("AlreadyDeactivated", user.UserName);
            }
            var now = clock.GetUtcNow().UtcDateTime;
            user.DeactivatedAt = now;
            // A new stamp ends the account's sessions and voids every link issued to it; pending
            // invitations are withdrawn, so no invitation link can bring the account back either.
            user.SecurityStamp = NewStamp();
            foreach (var invitation in await db.Invitations.Where(i => i.UserId == user.Id && i.Status == InvitationStatus.Pending).ToListAsync(cancellationToken))
            {
                invitation.Status = InvitationStatus.Revoked;
                invitation.RevokedAt = now;
                invitation.RevokedBy = actor.Name;
            }
            // The links and codes of the account's pending changes die as well.
            await ChangeLifecycle.RevokeSecretsAsync(db, user.Id, except: null, RecordedTexts.Record("Deactivated"), now, cancellationToken);
            return null;
        }, user => Texts.Format("Deactivated", user.UserName));

    public Task<UserChangeResult> ReactivateAsync(Actor actor, string userId, CancellationToken cancellationToken = default) =>
        ChangeAsync(actor, userId, AuditActions.UserReactivated, cancellationToken, (_, user) =>
        {
            if (user.DeactivatedAt is null)
            {
                return Task.FromResult<string?>(Texts.Format("NotDeactivated", user.UserName));
            }
            user.DeactivatedAt = null;
            return Task.FromResult<string?>(null);
        }, user => Texts.Format("Reactivated", user.UserName));

    public Task<UserChangeResult> GrantRoleAsync(Actor actor, string userId, string role, CancellationToken cancellationToken = default) =>
        ChangeAsync(actor, userId, AuditActions.UserRoleGranted, cancellationToken, async (db, user) =>
        {
            if (!Roles.All.Contains(role))
            {
                return Texts.Format("NoSuchRole", role);
            }
            var roleId = role.ToLowerInvariant();
            if (await db.UserRoles.AnyAsync(r => r.UserId == user.Id && r.RoleId == roleId, cancellationToken))
            {
                return Texts.Format("AlreadyHasRole", user.UserName, role);
            }
            db.UserRoles.Add(new IdentityUserRole<string> { UserId = user.Id, RoleId = roleId });
            return null;
        }, user => Texts.Format("RoleGranted", user.UserName, role), role);

    public Task<UserChangeResult> RemoveRoleAsync(Actor actor, string userId, string role, CancellationToken cancellationToken = default) =>
        ChangeAsync(actor, userId, AuditActions.UserRoleRemoved, cancellationToken, async (db, user) =>
        {
            var roleId = role.ToLowerInvariant();
            var membership = await db.UserRoles.FirstOrDefaultAsync(r => r.UserId == user.Id && r.RoleId == roleId, cancellationToken);
            if (membership is null)
            {
                return Texts.Format("DoesNotHaveRole", user.UserName, role);
            }
            if (role == Roles.Admin && user.Id == actor.UserId)
            {
                return Texts["OwnAdminRole"];
            }
            db.UserRoles.Remove(membership);
            // Signs the account out everywhere, so the role is gone from open sessions too.
            user.SecurityStamp = NewStamp();
            return null;
        }, user => Texts.Format("RoleRemoved", user.UserName, role), role);

    /// <summary>
    /// Loads the account, lets <paramref name="change"/> refuse (returning why) or change it, then
    /// saves the change with its audit entry in one transaction.
    /// </summary>
    private async Task<UserChangeResult> ChangeAsync(
        Actor actor, string userId, string action, CancellationToken cancellationToken,
        Func<PortalDbContext, PortalUser, Task<string?>> change, Func<PortalUser, string> done, string? details = null)
    {
        actor.Require(Roles.Admin);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user is null)
        {
            return new UserChangeResult(false, Texts["Gone"]);
        }
        var refusal = await change(db, user);
        if (refusal is not null)
        {
            return new UserChangeResult(false, refusal);
        }
        user.ConcurrencyStamp = Guid.NewGuid().ToString();
        audit.Record(db, actor, action, new AuditTarget(AuditTargetType, user.Id, user.Email), details);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return new UserChangeResult(false, Texts["ChangedMeanwhile"]);
        }
        return new UserChangeResult(true, done(user));
    }

    private static string NewStamp() => Convert.ToHexString(RandomNumberGenerator.GetBytes(20));
}
