using Portal.Data;
using Portal.Localization;

namespace Portal.Features.Invitations;

/// <summary>What to do for an address.</summary>
public enum InviteAction
{
    Nothing,
    CreateAccount,
    NewInvitation,
    Resend,
}

/// <summary>The facts about an address that decide the outcome.</summary>
/// <param name="Suppressed">Whether mail to it bounced, so that it is on the suppression list.</param>
/// <param name="Account">The state of the account holding the address, if any.</param>
/// <param name="HasLiveInvitation">Whether a pending, unexpired invitation exists for it.</param>
public readonly record struct InviteFacts(bool OptedOut, bool Suppressed, AccountState? Account, bool Deactivated, bool HasLiveInvitation);

/// <summary>
/// The rules of the invite operation, django-inviter's contract made explicit. The single invite and the
/// bulk import both decide through here, so they cannot drift apart.
/// </summary>
public static class InviteRules
{
    private static readonly StaticTexts Texts = new(typeof(InviteRules));

    public static (InviteOutcome Outcome, InviteAction Action) Decide(InviteFacts facts, bool resend) => facts switch
    {
        { OptedOut: true } => (InviteOutcome.OptedOut, InviteAction.Nothing),
        { Suppressed: true } => (InviteOutcome.Suppressed, InviteAction.Nothing),
        { Account: null } => (InviteOutcome.Sent, InviteAction.CreateAccount),
        { Deactivated: true } => (InviteOutcome.Deactivated, InviteAction.Nothing),
        { Account: not AccountState.Invited } => (InviteOutcome.AlreadyMember, InviteAction.Nothing),
        { HasLiveInvitation: false } => (InviteOutcome.Sent, InviteAction.NewInvitation),
        _ when resend => (InviteOutcome.Resent, InviteAction.Resend),
        _ => (InviteOutcome.AlreadyInvited, InviteAction.Nothing),
    };

    public static string Describe(InviteOutcome outcome) => outcome switch
    {
        InviteOutcome.Sent => Texts["Sent"],
        InviteOutcome.Resent => Texts["Resent"],
        InviteOutcome.AlreadyInvited => Texts["AlreadyInvited"],
        InviteOutcome.AlreadyMember => Texts["AlreadyMember"],
        InviteOutcome.OptedOut => Texts["OptedOut"],
        InviteOutcome.Deactivated => Texts["Deactivated"],
        InviteOutcome.Duplicate => Texts["Duplicate"],
        InviteOutcome.Suppressed => Texts["Suppressed"],
        _ => Texts["NotSent"],
    };
}
