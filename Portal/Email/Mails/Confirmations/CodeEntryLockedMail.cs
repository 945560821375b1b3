namespace Portal.Email.Mails.Confirmations;

/// <summary>Sent when wrong codes in a row locked the account's code entry.</summary>
/// <param name="LockedUntil">When codes are accepted again, in UTC; the template writes it in the reader's language.</param>
public sealed record CodeEntryLockedMail(string UserName, int WrongCodes, DateTime LockedUntil, string ProfileUrl) : IMail<CodeEntryLockedMail>
{
    public static string Template => "Confirmations/CodeEntryLocked.cshtml";


    public static CodeEntryLockedMail Sample(MailBrand brand) =>
        new("ada", 100, new DateTime(2026, 12, 5, 18, 0, 0, DateTimeKind.Utc), brand.Link("account/profile"));
}
