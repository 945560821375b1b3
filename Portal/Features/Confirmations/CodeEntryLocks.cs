using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Email;
using Portal.Features.Audit;
using Portal.Features.Users;
using Portal.Identity;
using Portal.Email.Mails.Confirmations;
using Portal.Localization;

namespace Portal.Features.Confirmations;

/// <summary>An account whose code entry is locked, as moderators see it.</summary>
public sealed record LockedAccount(string UserId, string UserName, string? Email, int WrongCodes, DateTime LockedUntil);

/// <summary>
/// The account-wide limit on wrong codes (NIST SP 800-63B 5.2.2): each code dies after its own
/// tries, but a member could ask for new codes and keep guessing. After
/// <see cref="ConfirmationsOptions.WrongCodesPerAccount"/> wrong codes in a row, across every code
/// the account was sent, no code is checked until <see cref="ConfirmationsOptions.CodeLockout"/> has
/// passed or a moderator opens code entry again. The member is told by mail, and it is audited.
/// </summary>
public sealed class CodeEntryLocks(
    IDbContextFactory<PortalDbContext> dbFactory, IOptions<ConfirmationsOptions> options, IOptions<PortalOptions> portal,
    Mailer mailer, AuditLog audit, TimeProvider clock)
{
    private static readonly StaticTexts Texts = new(typeof(CodeEntryLocks));

    /// <summary>The refusal while the account's code entry is locked, or null; a lock whose time is up is lifted on the way.</summary>
    public async Task<ChangeResult?> RefusalAsync(PortalDbContext db, long changeId, string userId, CancellationToken cancellationToken)
    {
        var now = Now;
        var until = await db.Users.Where(u => u.Id == userId).Select(u => u.CodeEntryLockedUntil).FirstOrDefaultAsync(cancellationToken);
        if (until is null)
        {
            return null;
        }
        if (until <= now)
        {
            // The waiting period is over: the count starts again.
            await Unlock(db.Users.Where(u => u.Id == userId && u.CodeEntryLockedUntil <= now), cancellationToken);
            return null;
        }
        return Locked(changeId, until.Value);
    }

    /// <summary>
    /// Counts a wrong code in the caller's transaction; the one that reaches the limit locks code
    /// entry, queues the mail and the audit entry (the caller saves) and returns the refusal.
    /// </summary>
    public async Task<ChangeResult?> CountWrongAsync(PortalDbContext db, Actor actor, long changeId, string userId, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        await db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(s => s.SetProperty(u => u.WrongCodes, u => u.WrongCodes + 1), cancellationToken);
        var until = Now + settings.CodeLockout;
        // A new concurrency stamp: an account edit that read the row before cannot write the lock away.
        var stamp = Guid.NewGuid().ToString();
        var locked = await db.Users.Where(u => u.Id == userId && u.WrongCodes >= settings.WrongCodesPerAccount && u.CodeEntryLockedUntil == null)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.CodeEntryLockedUntil, until).SetProperty(u => u.ConcurrencyStamp, stamp), cancellationToken);
        if (locked != 1)
        {
            return null;
        }
        var user = await db.Users.AsNoTracking().FirstAsync(u => u.Id == userId, cancellationToken);
        audit.Record(db, actor, AuditActions.AccountCodeEntryLocked, Target(user), $"{user.WrongCodes} wrong codes in a row; locked until {until:yyyy-MM-dd HH:mm} UTC");
        if (user.Email is { } email)
        {
            await mailer.QueueAsync(db, email, new CodeEntryLockedMail(user.UserName!, user.WrongCodes, until, portal.Value.Link(ChangeRequests.ProfilePath)),
                language: user.Language);
        }
        return Locked(changeId, until);
    }

    /// <summary>A right code: the count of wrong ones in a row starts again. Runs in the caller's transaction.</summary>
    public static Task ResetAsync(PortalDbContext db, string userId, CancellationToken cancellationToken) =>
        db.Users.Where(u => u.Id == userId && u.WrongCodes != 0).ExecuteUpdateAsync(s => s.SetProperty(u => u.WrongCodes, 0), cancellationToken);

    /// <summary>Accounts whose code entry is locked now, the longest-locked first.</summary>
    public async Task<IReadOnlyList<LockedAccount>> ListAsync(Actor actor, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Moderation);
        var now = Now;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Users.AsNoTracking().Where(u => u.CodeEntryLockedUntil > now).OrderBy(u => u.CodeEntryLockedUntil)
            .Select(u => new LockedAccount(u.Id, u.UserName!, u.Email, u.WrongCodes, u.CodeEntryLockedUntil!.Value))
            .ToListAsync(cancellationToken);
    }

    /// <summary>A moderator opens code entry again before its time; false when it was not locked.</summary>
    public async Task<bool> ReleaseAsync(Actor actor, string userId, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Moderation);
        var now = Now;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == userId && u.CodeEntryLockedUntil > now, cancellationToken);
        if (user is null || await Unlock(db.Users.Where(u => u.Id == userId && u.CodeEntryLockedUntil > now), cancellationToken) != 1)
        {
            return false;
        }
        audit.Record(db, actor, AuditActions.AccountCodeEntryReleased, Target(user), $"after {user.WrongCodes} wrong codes in a row");
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    private static Task<int> Unlock(IQueryable<PortalUser> users, CancellationToken cancellationToken)
    {
        var stamp = Guid.NewGuid().ToString();
        return users.ExecuteUpdateAsync(s => s
            .SetProperty(u => u.CodeEntryLockedUntil, (DateTime?)null)
            .SetProperty(u => u.WrongCodes, 0)
            .SetProperty(u => u.ConcurrencyStamp, stamp), cancellationToken);
    }

    private ChangeResult Locked(long changeId, DateTime until) =>
        new(ChangeOutcome.CodeEntryLocked,
            Texts.Format("Locked", until), changeId, TriesLeft: 0);

    private static AuditTarget Target(PortalUser user) => new(UserAdmin.AuditTargetType, user.Id, user.Email);

    private DateTime Now => clock.GetUtcNow().UtcDateTime;
}
