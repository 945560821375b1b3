namespace Portal.Features.Audit;

/// <summary>
/// Every action the audit log records, by name, in one place. An entry's action never changes once
/// written, so a name here is never renamed.
/// </summary>
public static class AuditActions
{
    /// <summary>Someone tried what their roles no longer allow.</summary>
    public const string AccessRefused = "access.refused";

    /// <summary>An admin made a token for the HTTP API.</summary>
    public const string ApiTokenCreated = "api-token.created";

    /// <summary>An admin revoked a token of the HTTP API.</summary>
    public const string ApiTokenRevoked = "api-token.revoked";

    /// <summary>Code entry locked after too many wrong codes.</summary>
    public const string AccountCodeEntryLocked = "account.code-entry-locked";

    /// <summary>A moderator opened code entry again.</summary>
    public const string AccountCodeEntryReleased = "account.code-entry-released";

    /// <summary>An admin stopped a bulk run.</summary>
    public const string BulkInviteCancelled = "bulk-invite.cancelled";

    /// <summary>A bulk run finished.</summary>
    public const string BulkInviteCompleted = "bulk-invite.completed";

    /// <summary>An admin put a failed bulk run back in the queue.</summary>
    public const string BulkInviteResumed = "bulk-invite.resumed";

    /// <summary>An admin started the run of an analysed upload.</summary>
    public const string BulkInviteStarted = "bulk-invite.started";

    /// <summary>A confirmed change took effect.</summary>
    public const string ChangeApplied = "change.applied";

    /// <summary>A moderator approved a change.</summary>
    public const string ChangeApproved = "change.approved";

    /// <summary>A change was withdrawn or cancelled from the old address.</summary>
    public const string ChangeCancelled = "change.cancelled";

    /// <summary>A change was never confirmed in time.</summary>
    public const string ChangeExpired = "change.expired";

    /// <summary>A change could not be applied, or was closed after too many wrong codes.</summary>
    public const string ChangeFailed = "change.failed";

    /// <summary>A confirmed change waits for a moderator.</summary>
    public const string ChangeNeedsReview = "change.needs-review";

    /// <summary>A moderator rejected a change.</summary>
    public const string ChangeRejected = "change.rejected";

    /// <summary>A member asked for a change.</summary>
    public const string ChangeRequested = "change.requested";

    /// <summary>A change's confirmation went out again.</summary>
    public const string ChangeResent = "change.resent";

    /// <summary>An email change was undone from the old address.</summary>
    public const string ChangeReverted = "change.reverted";

    /// <summary>An invitee registered.</summary>
    public const string InvitationAccepted = "invitation.accepted";

    /// <summary>A pending invitation went out again with a new link.</summary>
    public const string InvitationResent = "invitation.resent";

    /// <summary>An admin revoked an invitation.</summary>
    public const string InvitationRevoked = "invitation.revoked";

    /// <summary>A new invitation went out.</summary>
    public const string InvitationSent = "invitation.sent";

    /// <summary>Letters were marked posted.</summary>
    public const string LettersPosted = "letters.posted";

    /// <summary>An admin looked up whether an address opted out (which address is not recorded).</summary>
    public const string OptOutChecked = "opt-out.checked";

    /// <summary>An invitee opted out.</summary>
    public const string OptOutRecorded = "opt-out.recorded";

    /// <summary>An admin removed an opt-out.</summary>
    public const string OptOutRemoved = "opt-out.removed";

    /// <summary>An admin queued a failed message again.</summary>
    public const string OutboxRetried = "outbox.retried";

    /// <summary>An account was activated.</summary>
    public const string RegistrationActivated = "registration.activated";

    /// <summary>A moderator approved a sign-up.</summary>
    public const string RegistrationApproved = "registration.approved";

    /// <summary>A sign-up's address was confirmed; it waits for approval.</summary>
    public const string RegistrationConfirmed = "registration.confirmed";

    /// <summary>An admin deleted an account that was never activated.</summary>
    public const string RegistrationDeleted = "registration.deleted";

    /// <summary>Cleanup removed an account whose link expired.</summary>
    public const string RegistrationExpired = "registration.expired";

    /// <summary>A moderator rejected a sign-up.</summary>
    public const string RegistrationRejected = "registration.rejected";

    /// <summary>An activation link went out again.</summary>
    public const string RegistrationResent = "registration.resent";

    /// <summary>A visitor signed up.</summary>
    public const string RegistrationSignedUp = "registration.signed-up";

    /// <summary>An admin changed who may sign up.</summary>
    public const string SettingsRegistrationMode = "settings.registration-mode";

    /// <summary>A mail server refused an address for good.</summary>
    public const string SuppressionAdded = "suppression.added";

    /// <summary>An admin removed a suppressed address.</summary>
    public const string SuppressionRemoved = "suppression.removed";

    /// <summary>Transfers were marked sent.</summary>
    public const string TransfersSent = "transfers.sent";

    /// <summary>The create-admin command made an admin.</summary>
    public const string UserAdminCreated = "user.admin-created";

    /// <summary>The create-admin command made an account an admin.</summary>
    public const string UserAdminPromoted = "user.admin-promoted";

    /// <summary>An admin deactivated an account.</summary>
    public const string UserDeactivated = "user.deactivated";

    /// <summary>An account's address changed.</summary>
    public const string UserEmailChanged = "user.email-changed";

    /// <summary>An admin reactivated an account.</summary>
    public const string UserReactivated = "user.reactivated";

    /// <summary>An admin granted a role.</summary>
    public const string UserRoleGranted = "user.role-granted";

    /// <summary>An admin removed a role.</summary>
    public const string UserRoleRemoved = "user.role-removed";

    /// <summary>An admin registered a webhook endpoint.</summary>
    public const string WebhookRegistered = "webhook.registered";

    /// <summary>An admin switched a webhook endpoint on.</summary>
    public const string WebhookEnabled = "webhook.enabled";

    /// <summary>An admin switched a webhook endpoint off.</summary>
    public const string WebhookDisabled = "webhook.disabled";

    /// <summary>An admin deleted a webhook endpoint with its deliveries.</summary>
    public const string WebhookDeleted = "webhook.deleted";

    /// <summary>An admin sent a webhook delivery again.</summary>
    public const string WebhookResent = "webhook.resent";
}
