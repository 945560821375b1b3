namespace Portal.Email.Mails.Registration;

/// <summary>A moderator's answer to a sign-up: approved (with a sign-in link) or rejected (with the reason).</summary>
/// <param name="Reason">Why it was rejected, plain text; null when approved.</param>
public sealed record RegistrationDecisionMail(string UserName, bool Approved, string? Reason, string SignInUrl) : IMail<RegistrationDecisionMail>
{
    public static string Template => "Registration/RegistrationDecision.cshtml";


    public static RegistrationDecisionMail Sample(MailBrand brand) =>
        new("ada", false, "We could not confirm that you belong to one of our member organisations.", brand.Link("Identity/Account/Login"));
}
