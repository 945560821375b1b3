using Portal.Data;
using Portal.Features.Webhooks;

namespace Portal.Features.Registration;

/// <summary>The one way a signed-up account becomes active: by its link, by an admin, or by a moderator's approval.</summary>
public static class AccountActivation
{
    /// <summary>
    /// Marks the tracked account active (a new concurrency stamp, so an admin's form opened before
    /// does not save over it) and its application done; the caller saves, audits and raises <see cref="UserActivated"/>.
    /// </summary>
    public static void Activate(PortalUser user, SignUp? application, DateTime now)
    {
        user.State = AccountState.Active;
        user.ConcurrencyStamp = Guid.NewGuid().ToString();
        user.ActivatedAt ??= now;
        user.EmailConfirmed = true;
        if (application is not null)
        {
            application.Status = SignUpStatus.Active;
            application.ConfirmedAt ??= now;
        }
    }

    /// <summary>
    /// Tells the webhooks, in the activation's transaction, that an account became active by its link
    /// or by an admin's hand (a moderator's approval is an event of its own).
    /// </summary>
    public static Task RaiseActivatedAsync(WebhookEvents webhooks, PortalDbContext db, PortalUser user, SignUp? application, CancellationToken cancellationToken) =>
        webhooks.RaiseAsync(db, WebhookEventTypes.RegistrationActivated,
            new { UserId = user.Id, user.UserName, user.Email, SignUpId = application?.Id }, cancellationToken);
}
