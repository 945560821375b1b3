namespace Portal.Email.Mails.Confirmations;

/// <summary>Sent to the old address of an email change, with a link that cancels it.</summary>
/// <param name="NewEmailMasked">The new address as shown here ("a•••@example.net"): enough to recognise it, not to learn it.</param>
public sealed record EmailChangeNoticeMail(string UserName, string NewEmailMasked, string CancelUrl) : IMail<EmailChangeNoticeMail>
{
    public static string Template => "Confirmations/EmailChangeNotice.cshtml";


    public static EmailChangeNoticeMail Sample(MailBrand brand) =>
        new("ada", "a•••@example.net", brand.Link("account/changes/cancel/SAMPLE"));
}
