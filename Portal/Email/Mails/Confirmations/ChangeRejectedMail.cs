namespace Portal.Email.Mails.Confirmations;

/// <summary>A moderator did not approve a change of the member's details; the reason is theirs.</summary>
/// <param name="ChangeTitle">What was to change, such as "Display name".</param>
public sealed record ChangeRejectedMail(string UserName, string ChangeTitle, string Reason, string ProfileUrl) : IMail<ChangeRejectedMail>
{
    public static string Template => "Confirmations/ChangeRejected.cshtml";


    public static ChangeRejectedMail Sample(MailBrand brand) =>
        new("ada", "Display name", "Display names must not contain a web address.", brand.Link("account/profile"));
}
