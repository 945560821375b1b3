namespace Portal.Email.Mails.Registration;

/// <param name="ValidFor">How long the link works from now.</param>
public sealed record ActivationMail(string UserName, string Email, string ActivateUrl, TimeSpan ValidFor) : IMail<ActivationMail>
{
    public static string Template => "Registration/Activation.cshtml";


    public static ActivationMail Sample(MailBrand brand) =>
        new("ada", "ada@example.org", brand.Link("activate/SAMPLE"), TimeSpan.FromDays(7));
}
