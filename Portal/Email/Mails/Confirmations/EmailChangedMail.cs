namespace Portal.Email.Mails.Confirmations;

/// <summary>Sent to the old address once an email change took effect, with a link that undoes it.</summary>
/// <param name="NewEmailMasked">The new address as shown here ("a•••@example.net"): enough to recognise it, not to learn it.</param>
/// <param name="ValidFor">How long the undo link works from now.</param>
public sealed record EmailChangedMail(string UserName, string NewEmailMasked, string RevertUrl, TimeSpan ValidFor) : IMail<EmailChangedMail>
{
    public static string Template => "Confirmations/EmailChanged.cshtml";


    public static EmailChangedMail Sample(MailBrand brand) =>
        new("ada", "a•••@example.net", brand.Link("account/changes/revert/SAMPLE"), TimeSpan.FromDays(7));
}
