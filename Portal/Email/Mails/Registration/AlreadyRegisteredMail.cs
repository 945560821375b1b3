namespace Portal.Email.Mails.Registration;

/// <summary>Sent to the owner of an address instead of an activation email when someone signs up with it again.</summary>
public sealed record AlreadyRegisteredMail(string UserName, string Email, string SignInUrl, string ResetPasswordUrl) : IMail<AlreadyRegisteredMail>
{
    public static string Template => "Registration/AlreadyRegistered.cshtml";


    public static AlreadyRegisteredMail Sample(MailBrand brand) =>
        new("ada", "ada@example.org", brand.Link("Identity/Account/Login"), brand.Link("Identity/Account/ForgotPassword"));
}
