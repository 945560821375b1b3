using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Features.Audit;
using Portal.Features.Users;
using Portal.Features.Webhooks;
using Portal.Identity;
using Portal.Localization;

namespace Portal.Features.Registration;

/// <summary>An account that signed up and has not used its activation link.</summary>
/// <param name="ExpiresAt">When the live link stops working; null when the account has no live link.</param>
public sealed record PendingActivationRow(
    string UserId, string Email, string UserName, DateTime RegisteredAt, DateTime? ExpiresAt, bool Expired, int Resends);

public enum PendingActivationFilter
{
    All,
    Expired,
    NotExpired,
}

public sealed record PendingActivationQuery(string? Search = null, PendingActivationFilter Filter = PendingActivationFilter.All);

/// <summary>How many of the accounts asked for were handled, and how many were left because they no longer qualified.</summary>
public sealed record BulkResult(int Done, int Skipped);

/// <summary>
/// The admins' view of accounts awaiting activation: list them, send a new link, activate by hand,
/// or delete an account that was never used. Every action takes many accounts and audits each.
/// </summary>
public sealed class PendingActivations(
    IDbContextFactory<PortalDbContext> dbFactory,
    ActivationKeys keys,
    AuditLog audit,
    WebhookEvents webhooks,
    TimeProvider clock)
{
    public async Task<Page<PendingActivationRow>> ListAsync(
        Actor actor, PendingActivationQuery query, PageRequest page, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Admin);
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var users = Pending(db.Users.AsNoTracking());
        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            var pattern = Like.Contains(query.Search);
            users = users.Where(u => EF.Functions.Like(u.UserName!.ToLower(), pattern, Like.Escape) || EF.Functions.Like(u.Email!.ToLower(), pattern, Like.Escape));
        }
        var live = db.ActivationKeys.Where(k => k.SpentAt == null && k.RevokedAt == null);
        users = query.Filter switch
        {
            PendingActivationFilter.Expired => users.Where(u => !live.Any(k => k.UserId == u.Id && k.ExpiresAt > now)),
            PendingActivationFilter.NotExpired => users.Where(u => live.Any(k => k.UserId == u.Id && k.ExpiresAt > now)),
            _ => users,
        };

        var columns = new Dictionary<string, Expression<Func<PortalUser, object?>>>
        {
            [nameof(PendingActivationRow.Email)] = u => u.Email,
            [nameof(PendingActivationRow.UserName)] = u => u.UserName,
            [nameof(PendingActivationRow.RegisteredAt)] = u => u.CreatedAt,
            [nameof(PendingActivationRow.ExpiresAt)] = u => live.Where(k => k.UserId == u.Id).Max(k => (DateTime?)k.ExpiresAt),
            [nameof(PendingActivationRow.Resends)] = u => db.SignUps.Where(s => s.UserId == u.Id).Max(s => (int?)s.Resends),
        };
        var rows = await users.ToPageAsync(page, columns, q => q.OrderByDescending(u => u.CreatedAt).ThenBy(u => u.Id),
            u => new
            {
                u.Id, u.Email, u.UserName, u.CreatedAt,
                ExpiresAt = live.Where(k => k.UserId == u.Id).Max(k => (DateTime?)k.ExpiresAt),
                Resends = db.SignUps.Where(s => s.UserId == u.Id).Max(s => (int?)s.Resends),
            },
            cancellationToken);
        return new Page<PendingActivationRow>(
            [.. rows.Items.Select(u => new PendingActivationRow(
                u.Id, u.Email ?? "", u.UserName ?? "", u.CreatedAt, u.ExpiresAt, u.ExpiresAt is not { } expires || expires <= now, u.Resends ?? 0))],
            rows.Total);
    }

    /// <summary>Sends each account a new activation link; the links sent before stop working.</summary>
    public Task<BulkResult> ResendAsync(Actor actor, IReadOnlyCollection<string> userIds, CancellationToken cancellationToken = default) =>
        EachAsync(actor, userIds, cancellationToken, async (db, user, application, now) =>
        {
            await keys.IssueAsync(db, user, now, cancellationToken);
            if (application is not null)
            {
                application.Resends++;
            }
            audit.Record(db, actor, AuditActions.RegistrationResent, UserTarget(user), $"new activation link, valid until {now + keys.Lifetime:yyyy-MM-dd HH:mm} UTC");
        });

    /// <summary>Activates each account as its link would have (the person asked support, say); audited as done by an admin.</summary>
    public async Task<BulkResult> ActivateAsync(Actor actor, IReadOnlyCollection<string> userIds, CancellationToken cancellationToken = default)
    {
        return await EachAsync(actor, userIds, cancellationToken, async (db, user, application, now) =>
        {
            AccountActivation.Activate(user, application, now);
            audit.Record(db, actor, AuditActions.RegistrationActivated, UserTarget(user), "activated by admin");
            await AccountActivation.RaiseActivatedAsync(webhooks, db, user, application, cancellationToken);
        });
    }

    /// <summary>
    /// Deletes accounts that were never activated; their applications stay, marked deleted with who
    /// and when, and the audit entry keeps only a masked address.
    /// </summary>
    public Task<BulkResult> DeleteAsync(Actor actor, IReadOnlyCollection<string> userIds, CancellationToken cancellationToken = default) =>
        EachAsync(actor, userIds, cancellationToken, async (db, user, application, now) =>
        {
            if (application is not null)
            {
                await db.SignUps.Where(s => s.Id == application.Id)
                    .DecideAsync(SignUpStatus.Deleted, actor, now, RecordedTexts.Record("DeletedBeforeActivation"), cancellationToken);
            }
            audit.Record(db, actor, AuditActions.RegistrationDeleted, new AuditTarget(UserAdmin.AuditTargetType, user.Id, EmailAddress.Mask(user.Email!)),
                $"registered {user.CreatedAt:yyyy-MM-dd}, never activated, deleted by an admin");
            db.Users.Remove(user);
        });

    /// <summary>Accounts that signed up and were never active, nor deactivated by an admin.</summary>
    internal static IQueryable<PortalUser> Pending(IQueryable<PortalUser> users) =>
        users.Where(u => u.State == AccountState.AwaitingActivation && u.ActivatedAt == null && u.DeactivatedAt == null);

    /// <summary>
    /// Applies <paramref name="change"/> to each account that still awaits activation, one
    /// transaction per account (saved with its audit entry); the others are skipped.
    /// </summary>
    private async Task<BulkResult> EachAsync(
        Actor actor, IReadOnlyCollection<string> userIds, CancellationToken cancellationToken,
        Func<PortalDbContext, PortalUser, SignUp?, DateTime, Task> change)
    {
        actor.Require(Roles.Admin);
        var done = 0;
        foreach (var userId in userIds.Distinct())
        {
            var now = clock.GetUtcNow().UtcDateTime;
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var user = await Pending(db.Users).FirstOrDefaultAsync(u => u.Id == userId, cancellationToken);
            if (user is null)
            {
                continue;
            }
            var application = await db.SignUps.Where(s => s.UserId == user.Id && s.Status == SignUpStatus.AwaitingActivation)
                .OrderByDescending(s => s.Id).FirstOrDefaultAsync(cancellationToken);
            await change(db, user, application, now);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            done++;
        }
        return new BulkResult(done, userIds.Distinct().Count() - done);
    }

    private static AuditTarget UserTarget(PortalUser user) => new(UserAdmin.AuditTargetType, user.Id, user.Email);
}
