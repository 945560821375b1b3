using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Features.Audit;
using Portal.Features.Users;
using Portal.Identity;
using Portal.Localization;

namespace Portal.Features.Registration;

/// <summary>An account the cleanup deletes (or would): the address masked, when it signed up, and why it goes.</summary>
public sealed record CleanupAccount(string UserId, string MaskedEmail, DateTime RegisteredAt, string Reason);

/// <summary>
/// What a cleanup did, or would do: how many accounts and spent or replaced activation keys, and
/// the first <see cref="RegistrationCleanup.ListLimit"/> of the accounts.
/// </summary>
public sealed record CleanupReport(bool DryRun, int AccountCount, int KeyCount, IReadOnlyList<CleanupAccount> Accounts)
{
    private static readonly StaticTexts Texts = new(typeof(RegistrationCleanup));

    public string AccountText => Texts.Format(AccountCount == 1 ? "AccountOne" : "AccountMany", AccountCount);

    public string KeyText => Texts.Format(KeyCount == 1 ? "KeyOne" : "KeyMany", KeyCount);
}

/// <summary>
/// Removes what self-registration leaves behind: accounts never activated whose every link has
/// expired, and spent or replaced activation keys past their retention. Works in batches, so a
/// backlog of any size never sits in memory or in one transaction.
/// </summary>
public sealed class RegistrationCleanup(
    IDbContextFactory<PortalDbContext> dbFactory,
    AuditLog audit,
    IOptions<RegistrationOptions> options,
    TimeProvider clock)
{
    public const int ListLimit = 1000;
    private const int BatchSize = 2000;

    /// <summary>What <see cref="RunAsync"/> would delete now.</summary>
    public Task<CleanupReport> PreviewAsync(Actor actor, CancellationToken cancellationToken = default) =>
        RunAsync(actor, dryRun: true, cancellationToken: cancellationToken);

    /// <summary>
    /// Removes old spent and replaced keys and deletes every account the cleanup may remove, calling
    /// <paramref name="each"/> for each account as it goes; with <paramref name="dryRun"/> only counts and lists.
    /// </summary>
    public async Task<CleanupReport> RunAsync(
        Actor actor, bool dryRun, Func<CleanupAccount, Task>? each = null, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Admin);
        var now = clock.GetUtcNow().UtcDateTime;
        // Keys first: an account's keys go with the account, and the preview must count the same keys as the run.
        var keyCount = await RemoveOldKeysAsync(now, dryRun, cancellationToken);
        var listed = new List<CleanupAccount>();
        var accountCount = 0;
        string? after = null;
        while (true)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            // The candidates are read inside the transaction that deletes them: an account activated or
            // resent a moment earlier is no longer one.
            await using var transaction = dryRun ? null : await db.Database.BeginTransactionAsync(cancellationToken);
            var batch = await CandidatesAsync(db, now, after, cancellationToken);
            if (batch.Count == 0)
            {
                break;
            }
            after = batch[^1].Id;
            var doomed = await WithoutPendingInvitationsAsync(db, batch, cancellationToken);
            var accounts = doomed.Select(c => new CleanupAccount(c.Id, EmailAddress.Mask(c.Email), c.CreatedAt, Reason(c.LastExpiry))).ToList();
            if (transaction is not null && doomed.Count > 0)
            {
                await DeleteAsync(db, actor, accounts, now, cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }
            accountCount += accounts.Count;
            listed.AddRange(accounts.Take(ListLimit - listed.Count));
            if (each is not null)
            {
                foreach (var account in accounts)
                {
                    await each(account);
                }
            }
            if (batch.Count < BatchSize)
            {
                break;
            }
        }
        return new CleanupReport(dryRun, accountCount, keyCount, listed);
    }

    private sealed record Candidate(string Id, string Email, DateTime CreatedAt, DateTime? LastExpiry);

    /// <summary>
    /// The next batch after <paramref name="after"/> (by id) of accounts never activated, not
    /// deactivated, without a live link and without a pending invitation for the account.
    /// </summary>
    private static Task<List<Candidate>> CandidatesAsync(PortalDbContext db, DateTime now, string? after, CancellationToken cancellationToken)
    {
        var users = PendingActivations.Pending(db.Users.AsNoTracking())
            .Where(u => !db.ActivationKeys.Any(k => k.UserId == u.Id && k.SpentAt == null && k.RevokedAt == null && k.ExpiresAt > now))
            .Where(u => !db.Invitations.Any(i => i.UserId == u.Id && i.Status == InvitationStatus.Pending));
        if (after is not null)
        {
            users = users.Where(u => string.Compare(u.Id, after) > 0);
        }
        return users.OrderBy(u => u.Id).Take(BatchSize)
            .Select(u => new Candidate(u.Id, u.Email!, u.CreatedAt, db.ActivationKeys.Where(k => k.UserId == u.Id).Max(k => (DateTime?)k.ExpiresAt)))
            .ToListAsync(cancellationToken);
    }

    /// <summary>
    /// Drops the accounts whose address has a pending invitation of its own (matched by the address
    /// key, which is computed here: SQL cannot lower-case every script).
    /// </summary>
    private static async Task<List<Candidate>> WithoutPendingInvitationsAsync(PortalDbContext db, List<Candidate> batch, CancellationToken cancellationToken)
    {
        var keys = batch.ToDictionary(c => c.Id, c => EmailAddress.Key(EmailAddress.Canonicalize(c.Email) ?? c.Email));
        var values = keys.Values.Distinct().ToList();
        var invited = (await db.Invitations
                .Where(i => i.Status == InvitationStatus.Pending && values.Contains(i.EmailKey!))
                .Select(i => i.EmailKey!)
                .ToListAsync(cancellationToken))
            .ToHashSet();
        return [.. batch.Where(c => !invited.Contains(keys[c.Id]))];
    }

    private async Task DeleteAsync(PortalDbContext db, Actor actor, List<CleanupAccount> accounts, DateTime now, CancellationToken cancellationToken)
    {
        var ids = accounts.Select(a => a.UserId).ToList();
        foreach (var account in accounts)
        {
            audit.Record(db, actor, AuditActions.RegistrationExpired, new AuditTarget(UserAdmin.AuditTargetType, account.UserId, account.MaskedEmail),
                $"registered {account.RegisteredAt:yyyy-MM-dd}; {account.Reason}");
        }
        await db.SaveChangesAsync(cancellationToken);
        // Before the accounts go, while the applications still name them.
        foreach (var group in accounts.GroupBy(a => a.Reason))
        {
            var groupIds = group.Select(a => a.UserId).ToList();
            await db.SignUps.Where(s => groupIds.Contains(s.UserId!) && s.Status == SignUpStatus.AwaitingActivation)
                .DecideAsync(SignUpStatus.Expired, actor, now, group.Key, cancellationToken);
        }
        await db.Users.Where(u => ids.Contains(u.Id)).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>Removes (or counts) spent and replaced keys older than the retention period, in batches.</summary>
    private async Task<int> RemoveOldKeysAsync(DateTime now, bool dryRun, CancellationToken cancellationToken)
    {
        var cutoff = now.AddDays(-options.Value.KeyRetentionDays);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var old = db.ActivationKeys.Where(k => k.SpentAt < cutoff || k.RevokedAt < cutoff);
        if (dryRun)
        {
            return await old.CountAsync(cancellationToken);
        }
        var removed = 0;
        int deleted;
        do
        {
            deleted = await db.ActivationKeys.Where(k => old.OrderBy(o => o.Id).Take(BatchSize).Select(o => o.Id).Contains(k.Id))
                .ExecuteDeleteAsync(cancellationToken);
            removed += deleted;
        }
        while (deleted == BatchSize);
        return removed;
    }

    private static string Reason(DateTime? lastExpiry) => lastExpiry is { } expiry
        ? $"never activated; the activation link expired on {expiry:yyyy-MM-dd}"
        : "never activated; it has no activation link";
}
