using Portal.Data;

namespace Portal.Features.Confirmations;

/// <summary>How members' details and their changes read on the member pages.</summary>
public static class ChangeValues
{
    /// <summary>A value as shown: a bank account only masked (the page may be on a shared screen), an empty one as "not set".</summary>
    public static string Show(string field, string? value) =>
        string.IsNullOrEmpty(value) ? "not set"
        : field == nameof(MemberProfile.Iban) ? MemberDetailsRules.MaskIban(value)
        : value;

    /// <summary>How the change is confirmed, in the member's words.</summary>
    public static string HowConfirmed(ChangeSummary change) => change.Channel switch
    {
        ChangeChannel.Link => $"Link mailed to {change.Destination}",
        ChangeChannel.Sms => $"Code texted to {change.Destination}",
        ChangeChannel.Letter => $"Code in a letter to {change.Destination}",
        ChangeChannel.Transfer => $"Reference of a transfer to {change.Destination}",
        _ => "A moderator reviews it",
    };

    public static string StatusText(ChangeSummary change) => change.Status switch
    {
        ChangeStatus.Pending when change.Channel == ChangeChannel.Moderator => "Waiting for a moderator",
        ChangeStatus.Pending => "Waiting for you to confirm",
        ChangeStatus.Confirmed => "Confirmed, waiting for a moderator",
        ChangeStatus.Applied => "Done",
        ChangeStatus.Rejected => "Rejected",
        ChangeStatus.Expired => "Expired",
        ChangeStatus.Cancelled => "Cancelled",
        ChangeStatus.Reverted => "Undone from the old address",
        _ => "Not applied",
    };
}
