namespace Portal.Email.Mails.Confirmations;

/// <summary>Sent when wrong codes in a row locked the account's code entry.</summary>
/// <param name="LockedUntil">When codes are accepted again, as shown ("2026-12-05 18:00 UTC").</param>
public sealed record CodeEntryLockedMail(string UserName, int WrongCodes, string LockedUntil, string ProfileUrl) : IMail<CodeEntryLockedMail>
{
    public static string Template => "Confirmations/CodeEntryLocked.cshtml";

    public static string Title => "Code entry locked after wrong codes";

    public static CodeEntryLockedMail Sample(MailBrand brand) =>
        new("ada", 100, "2026-12-05 18:00 UTC", brand.Link("account/profile"));
}
