using Portal.Data;
using Portal.Features.Audit;
using Portal.Features.Settings;
using Portal.Features.Users;
using Portal.Features.Webhooks;
using Portal.Identity;

namespace Portal.Features.Registration;

/// <summary>What pressing Activate did to the account.</summary>
public enum ActivationOutcome
{
    /// <summary>The account is active; the person can sign in.</summary>
    Activated,

    /// <summary>The address is confirmed; the account waits for a moderator.</summary>
    AwaitingApproval,
}

/// <summary>
/// What a used activation link does to its account, inside the activation's transaction, chosen by
/// the registration mode at that moment: activate, or, when sign-ups need approval, confirm the
/// address and put the account in the moderators' queue. The caller saves, commits and raises
/// <see cref="UserActivated"/> when the outcome is Activated.
/// </summary>
public sealed class ActivationStep(SiteSettings settings, AuditLog audit, WebhookEvents webhooks)
{
    public async Task<ActivationOutcome> ApplyAsync(PortalDbContext db, PortalUser user, SignUp? signUp, DateTime now, CancellationToken cancellationToken)
    {
        var actor = Actor.Self(user);
        var target = new AuditTarget(UserAdmin.AuditTargetType, user.Id, user.UserName);
        if (await settings.RegistrationModeAsync(cancellationToken) == RegistrationMode.ApprovalRequired)
        {
            user.State = AccountState.AwaitingApproval;
            user.EmailConfirmed = true;
            if (signUp is not null)
            {
                signUp.Status = SignUpStatus.AwaitingApproval;
                signUp.ConfirmedAt = now;
            }
            audit.Record(db, actor, AuditActions.RegistrationConfirmed, target, "address confirmed by the activation link; waiting for approval");
            return ActivationOutcome.AwaitingApproval;
        }
        AccountActivation.Activate(user, signUp, now);
        audit.Record(db, actor, AuditActions.RegistrationActivated, target, "activated by the activation link");
        await AccountActivation.RaiseActivatedAsync(webhooks, db, user, signUp, cancellationToken);
        return ActivationOutcome.Activated;
    }
}
