namespace Portal.Features.Webhooks;

/// <summary>The events an endpoint can ask for, by the names receivers see in <c>type</c>. A name here is never renamed.</summary>
public static class WebhookEventTypes
{
    public const string InvitationAccepted = "invitation.accepted";
    public const string InvitationOptedOut = "invitation.opted_out";
    public const string RegistrationActivated = "registration.activated";
    public const string RegistrationApproved = "registration.approved";
    public const string RegistrationRejected = "registration.rejected";
    public const string ChangeConfirmed = "change.confirmed";
    public const string ChangeApproved = "change.approved";
    public const string ChangeRejected = "change.rejected";
    public const string BulkFinished = "bulk.finished";

    public static IReadOnlyList<string> All { get; } =
    [
        InvitationAccepted, InvitationOptedOut, RegistrationActivated, RegistrationApproved, RegistrationRejected,
        ChangeConfirmed, ChangeApproved, ChangeRejected, BulkFinished,
    ];
}
