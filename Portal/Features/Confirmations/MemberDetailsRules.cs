using System.Globalization;
using System.Numerics;
using Portal.Data;
using Portal.Localization;

namespace Portal.Features.Confirmations;

/// <summary>
/// The rules for members' details, shared by deferred changes and any direct edit: each check
/// returns the stored form of the value, or why it is not acceptable.
/// </summary>
public static class MemberDetailsRules
{
    private static readonly StaticTexts Texts = new(typeof(MemberDetailsRules));

    public readonly record struct Checked(string? Value, string? Error)
    {
        public bool IsValid => Error is null;
    }

    /// <summary>An international number: "+", country code and number, 8 to 15 digits; "00" for "+" and spaces, dots, dashes and brackets are allowed.</summary>
    public static Checked Phone(string? input)
    {
        if (string.IsNullOrWhiteSpace(input))
        {
            return Fail(Texts["PhoneMissing"]);
        }
        var text = input.Trim();
        if (text.StartsWith("00", StringComparison.Ordinal))
        {
            text = "+" + text[2..];
        }
        if (!text.StartsWith('+'))
        {
            return Fail(Texts["PhonePlus"]);
        }
        var digits = new string([.. text[1..].Where(c => !(c is ' ' or '-' or '.' or '(' or ')'))]);
        if (!digits.All(char.IsAsciiDigit) || digits.Length is < 8 or > 15 || digits[0] == '0')
        {
            return Fail(Texts["PhoneShape"]);
        }
        return new Checked("+" + digits, null);
    }

    /// <summary>"+49 *** **89": enough to recognise a number, not to learn it.</summary>
    public static string MaskPhone(string phone) => $"{phone[..Math.Min(3, phone.Length)]} *** **{phone[^2..]}";

    /// <summary>An IBAN: country, check digits and account, 15 to 34 characters, with a correct mod-97 checksum. Stored compact and upper case.</summary>
    public static Checked Iban(string? input)
    {
        if (string.IsNullOrWhiteSpace(input))
        {
            return Fail(Texts["IbanMissing"]);
        }
        var iban = new string([.. input.Where(c => !char.IsWhiteSpace(c) && c != '-')]).ToUpperInvariant();
        if (iban.Length is < 15 or > 34 || !char.IsAsciiLetterUpper(iban[0]) || !char.IsAsciiLetterUpper(iban[1])
            || !char.IsAsciiDigit(iban[2]) || !char.IsAsciiDigit(iban[3]) || !iban.All(char.IsAsciiLetterOrDigit))
        {
            return Fail(Texts["IbanShape"]);
        }
        var rearranged = iban[4..] + iban[..4];
        var numeric = string.Concat(rearranged.Select(c => char.IsAsciiDigit(c) ? c.ToString() : (c - 'A' + 10).ToString(CultureInfo.InvariantCulture)));
        return BigInteger.Parse(numeric, CultureInfo.InvariantCulture) % 97 == 1
            ? new Checked(iban, null)
            : Fail(Texts["IbanCheckDigits"]);
    }

    /// <summary>"DE89 **** **** **** **30 00" style: the country and the last four characters.</summary>
    public static string MaskIban(string iban) => $"{iban[..4]} •••• {iban[^4..]}";

    public static Checked AccountHolder(string? input) => Text(input, MemberProfileLimits.AccountHolder, "AccountHolderMissing");

    public static Checked DisplayName(string? input) => Text(input, MemberProfileLimits.DisplayName, "DisplayNameMissing");

    /// <summary>One of the site's own profile fields: may be left empty (stored as nothing).</summary>
    public static Checked OptionalText(string? input, int maxLength) =>
        string.IsNullOrWhiteSpace(input) ? new(null, null) : Limited(input.Trim(), maxLength);

    public static Checked Street(string? input) => Text(input, MemberProfileLimits.Street, "StreetMissing");

    public static Checked City(string? input) => Text(input, MemberProfileLimits.City, "CityMissing");

    public static Checked PostalCode(string? input)
    {
        var text = Text(input, MemberProfileLimits.PostalCode, "PostalCodeMissing");
        return text.IsValid && !text.Value!.All(c => char.IsAsciiLetterOrDigit(c) || c is ' ' or '-')
            ? Fail(Texts["PostalCodeCharacters"])
            : text;
    }

    /// <summary>A two-letter ISO 3166 country code, stored upper case.</summary>
    public static Checked Country(string? input)
    {
        var text = input?.Trim().ToUpperInvariant();
        return text is { Length: 2 } && text.All(char.IsAsciiLetterUpper)
            ? new Checked(text, null)
            : Fail(Texts["Country"]);
    }

    /// <summary>A required text; <paramref name="missing"/> names the text that asks for it.</summary>
    private static Checked Text(string? input, int maxLength, string missing)
    {
        var text = input?.Trim();
        return string.IsNullOrEmpty(text) ? Fail(Texts[missing]) : Limited(text, maxLength);
    }

    private static Checked Limited(string text, int maxLength) =>
        text.Length > maxLength ? Fail(Texts.Format("TooLong", maxLength))
        : text.Any(char.IsControl) ? Fail(Texts["ControlCharacter"])
        : new Checked(text, null);

    private static Checked Fail(string error) => new(null, error);
}
