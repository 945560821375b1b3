using Portal.Data;
using Portal.Localization;

namespace Portal.Features.Confirmations;

/// <summary>How members' details and their changes read on the member pages.</summary>
public static class ChangeValues
{
    private static readonly StaticTexts Texts = new(typeof(ChangeValues));

    /// <summary>A value as shown: a bank account only masked (the page may be on a shared screen), an empty one as "not set".</summary>
    public static string Show(string field, string? value) =>
        string.IsNullOrEmpty(value) ? Texts["NotSet"]
        : field == nameof(MemberProfile.Iban) ? MemberDetailsRules.MaskIban(value)
        : value;

    /// <summary>How the change is confirmed, in the member's words.</summary>
    public static string HowConfirmed(ChangeSummary change) => change.Channel switch
    {
        ChangeChannel.Link => Texts.Format("LinkMailed", change.Destination),
        ChangeChannel.Sms => Texts.Format("CodeTexted", change.Destination),
        ChangeChannel.Letter => Texts.Format("CodeInLetter", change.Destination),
        ChangeChannel.Transfer => Texts.Format("TransferReference", change.Destination),
        _ => Texts["ModeratorReviews"],
    };

    public static string StatusText(ChangeSummary change) => change.Status switch
    {
        ChangeStatus.Pending when change.Channel == ChangeChannel.Moderator => Texts["WaitingForModerator"],
        ChangeStatus.Pending => Texts["WaitingForYou"],
        ChangeStatus.Confirmed => Texts["ConfirmedWaiting"],
        ChangeStatus.Applied => Texts["Applied"],
        ChangeStatus.Rejected => Texts["Rejected"],
        ChangeStatus.Expired => Texts["Expired"],
        ChangeStatus.Cancelled => Texts["Cancelled"],
        ChangeStatus.Reverted => Texts["Reverted"],
        _ => Texts["NotApplied"],
    };
}
