namespace Portal.Email.Mails.Confirmations;

/// <summary>Sent to the new address of an email change: the link that confirms it.</summary>
/// <param name="ValidFor">How long the link works from now.</param>
public sealed record EmailChangeMail(string UserName, string NewEmail, string ConfirmUrl, TimeSpan ValidFor) : IMail<EmailChangeMail>
{
    public static string Template => "Confirmations/EmailChange.cshtml";


    public static EmailChangeMail Sample(MailBrand brand) =>
        new("ada", "ada@example.net", brand.Link("account/changes/confirm/SAMPLE"), TimeSpan.FromHours(24));
}
