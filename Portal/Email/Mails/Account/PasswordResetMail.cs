namespace Portal.Email.Mails.Account;

public sealed record PasswordResetMail(string UserName, string ResetUrl, TimeSpan ValidFor) : IMail<PasswordResetMail>
{
    public static string Template => "Account/PasswordReset.cshtml";


    public static PasswordResetMail Sample(MailBrand brand) =>
        new("ada", brand.Link("Identity/Account/ResetPassword?code=SAMPLE"), TimeSpan.FromHours(3));
}
