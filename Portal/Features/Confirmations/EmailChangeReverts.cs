using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Email;
using Portal.Features.Audit;
using Portal.Identity;
using Portal.Email.Mails.Confirmations;
using Portal.Localization;

namespace Portal.Features.Confirmations;

/// <summary>What an undo link shows before it is pressed: the address it gives back, the new one masked, until when it works; or why it does not.</summary>
public sealed record RevertLink(string? Address, string? NewAddressMasked, DateTime? Until, ChangeOutcome? Problem, string? Message);

/// <summary>
/// The standard defence against taking over an account by changing its address: once a change of
/// address takes effect, the old address gets a link that for <see cref="ConfirmationsOptions.RevertWindow"/>
/// gives the account its old address back and signs it out everywhere (a new security stamp ends
/// every session within the stamp's check interval). Opening the link changes nothing; pressing does.
/// </summary>
public sealed class EmailChangeReverts(
    IDbContextFactory<PortalDbContext> dbFactory, IOptions<ConfirmationsOptions> options, IOptions<PortalOptions> portal,
    ILookupNormalizer normalizer, Mailer mailer, AuditLog audit, TimeProvider clock)
{
    private static readonly StaticTexts Texts = new(typeof(EmailChangeReverts));

    /// <summary>Where the undo link points: GET shows, POST undoes.</summary>
    public const string LinkPath = "account/changes/revert";

    /// <summary>In the transaction applying a change of address: makes the undo link and mails it to the old address. The caller saves.</summary>
    public async Task OfferAsync(PortalDbContext db, DeferredChange change, PortalUser user, string oldEmail, string newEmail, DateTime now, CancellationToken cancellationToken)
    {
        var (token, hash) = Secrets.NewToken();
        var window = options.Value.RevertWindow;
        var until = now + window;
        await db.DeferredChanges.Where(c => c.Id == change.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.RevertHash, hash).SetProperty(c => c.RevertUntil, until), cancellationToken);
        await mailer.QueueAsync(db, oldEmail, new EmailChangedMail(user.UserName!, EmailAddress.Mask(newEmail), portal.Value.Link($"{LinkPath}/{token}"), window),
            language: user.Language);
    }

    public async Task<RevertLink> OpenAsync(string token, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var change = await FindAsync(db, token, cancellationToken);
        return change is null
            ? new RevertLink(null, null, null, ChangeOutcome.NotFound, Texts["NotKnown"])
            : new RevertLink(OldAddress(change), change.Destination, change.RevertUntil, Problem(change)?.Outcome, Problem(change)?.Message);
    }

    /// <summary>Gives the account the address it had before the change, and signs it out everywhere.</summary>
    public async Task<ChangeResult> RevertAsync(string token, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var now = Now;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var change = await FindAsync(db, token, cancellationToken);
        if (change is null)
        {
            return new ChangeResult(ChangeOutcome.NotFound, Texts["NotKnown"]);
        }
        if (Problem(change) is { } problem)
        {
            return problem;
        }
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == change.TargetId, cancellationToken);
        var address = OldAddress(change)!;
        if (user is null)
        {
            return new ChangeResult(ChangeOutcome.Failed, Texts["AccountGone"], change.Id);
        }
        var normalized = normalizer.NormalizeEmail(address);
        if (await db.Users.AnyAsync(u => u.NormalizedEmail == normalized && u.Id != user.Id, cancellationToken))
        {
            return new ChangeResult(ChangeOutcome.Failed,
                Texts.Format("AddressTaken", portal.Value.SupportEmail), change.Id);
        }
        // The link works once: the conditional update lets only one press through.
        var moved = await db.DeferredChanges.Where(c => c.Id == change.Id && c.Status == ChangeStatus.Applied && c.RevertHash == change.RevertHash)
            .ExecuteUpdateAsync(s => s
                .SetProperty(c => c.Status, ChangeStatus.Reverted)
                .SetProperty(c => c.StatusAt, now)
                .SetProperty(c => c.Reason, Undone)
                .SetProperty(c => c.Version, c => c.Version + 1), cancellationToken);
        if (moved != 1)
        {
            return new ChangeResult(ChangeOutcome.NotPending, Texts["AlreadyUndone"], change.Id);
        }
        audit.Record(db, Actor.Visitor, AuditActions.ChangeReverted, await ChangeLifecycle.AuditTargetAsync(db, change, EmailChangeKind.KindTitle, cancellationToken),
            $"undone from the old address {address}; the account was signed out everywhere");
        await EmailChangeKind.MoveAsync(db, normalizer, user, address, exceptChange: null, RecordedTexts.Record("AddressChangeUndone"), now, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new ChangeResult(ChangeOutcome.Reverted, Texts["Reverted"], change.Id);
    }

    /// <summary>The stored reason, in the records' language whoever acts.</summary>
    private static readonly string Undone = RecordedTexts.Record("Undone");

    private ChangeResult? Problem(DeferredChange change) => change switch
    {
        { Status: ChangeStatus.Reverted } => new ChangeResult(ChangeOutcome.NotPending, Texts["AlreadyUndone"], change.Id),
        { Status: not ChangeStatus.Applied } => new ChangeResult(ChangeOutcome.NotPending, Texts["NotInEffect"], change.Id),
        _ when change.RevertUntil is not { } until || until <= Now => new ChangeResult(ChangeOutcome.Expired,
            Texts.Format("RanOut", Email.Mails.Duration.Describe(options.Value.RevertWindow), portal.Value.SupportEmail), change.Id),
        _ => null,
    };

    private static async Task<DeferredChange?> FindAsync(PortalDbContext db, string token, CancellationToken cancellationToken)
    {
        if (!Secrets.IsWellFormed(token))
        {
            return null;
        }
        var hash = Secrets.Hash(token);
        // A used link still finds its change, which then says it was undone already.
        return await db.DeferredChanges.AsNoTracking().FirstOrDefaultAsync(c => c.RevertHash == hash, cancellationToken);
    }

    private static string? OldAddress(DeferredChange change) =>
        JsonSerializer.Deserialize<Dictionary<string, string?>>(change.BeforeJson)?.GetValueOrDefault(EmailChangeKind.Field);

    private DateTime Now => clock.GetUtcNow().UtcDateTime;
}
