namespace Portal.Email.Mails.Account;

public sealed record EmailConfirmationMail(string UserName, string Email, string ConfirmUrl) : IMail<EmailConfirmationMail>
{
    public static string Template => "Account/EmailConfirmation.cshtml";


    public static EmailConfirmationMail Sample(MailBrand brand) =>
        new("ada", "ada@example.org", brand.Link($"{Identity.AccountEmails.ConfirmPath}?userId=SAMPLE&code=SAMPLE"));
}
