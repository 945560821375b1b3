using Portal.Identity;

namespace Portal.Tests.Identity;

public sealed class EmailAddressTests
{
    [Theory]
    [InlineData("  Ada@Example.ORG ", "Ada@example.org")]
    [InlineData("ada@EXAMPLE.org.", "ada@example.org")]
    [InlineData("ada+news@sub.example.co.uk", "ada+news@sub.example.co.uk")]
    [InlineData("jürgen@bücher.example", "jürgen@xn--bcher-kva.example")]
    [InlineData("ada@XN--BCHER-KVA.example", "ada@xn--bcher-kva.example")]
    public void Canonical_form_trims_lowercases_the_domain_and_uses_punycode(string input, string expected) =>
        Assert.Equal(expected, EmailAddress.Canonicalize(input));

    [Fact]
    public void Canonical_form_is_unicode_nfc()
    {
        var decomposed = "jo\u0065\u0301@example.org"; // "e" + combining acute accent
        Assert.Equal("jo\u00e9@example.org", EmailAddress.Canonicalize(decomposed));
    }

    [Theory]
    [InlineData("ada@example.org", "example.org")]
    [InlineData("\"a@b\"@xn--bcher-kva.example", "xn--bcher-kva.example")]
    public void The_domain_is_what_follows_the_last_at(string canonical, string domain) =>
        Assert.Equal(domain, EmailAddress.Domain(canonical));

    [Fact]
    public void The_local_part_keeps_its_case() =>
        Assert.Equal("Ada.Lovelace@example.org", EmailAddress.Canonicalize("Ada.Lovelace@Example.org"));

    [Theory]
    [InlineData("ada@example.org\r\nBcc: eve@example.org", "line break")]
    [InlineData("ada@example.org\nX: y", "line break")]
    [InlineData("ada\0@example.org", "null")]
    [InlineData("", "Enter")]
    [InlineData("ada", "@")]
    [InlineData("@example.org", "@")]
    [InlineData("ada@", "@")]
    [InlineData("ada@localhost", "domain")]
    [InlineData("ada@exa mple.org", "domain")]
    [InlineData("ada@-example.org", "domain")]
    [InlineData("ada@example.123", "domain")]
    [InlineData("a..da@example.org", "dot")]
    [InlineData(".ada@example.org", "dot")]
    [InlineData("a da@example.org", "not allowed")]
    [InlineData("\"ada\"@example.org", "not allowed")]
    public void Invalid_addresses_are_refused_with_a_reason(string input, string reason)
    {
        var check = EmailAddress.Check(input);
        Assert.False(check.IsValid);
        Assert.Contains(reason, check.Error, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("\u0430dmin@example.com", "The part before the @ mixes Cyrillic and Latin letters")]
    [InlineData("pay\u03BFut@example.com", "The part before the @ mixes Latin and Greek letters")]
    [InlineData("user@exampl\u0435.com", "The domain part \"exampl\u0435\" mixes Latin and Cyrillic letters")]
    [InlineData("user@xn--exampl-8of.com", "The domain part \"exampl\u0435\" mixes Latin and Cyrillic letters")]
    [InlineData("\u0441\u0435\u0440\u0433\u0435\u0439a@example.org", "The part before the @ mixes Cyrillic and Latin letters")]
    public void Look_alike_addresses_that_mix_scripts_are_refused(string input, string reason)
    {
        var check = EmailAddress.Check(input);
        Assert.False(check.IsValid);
        Assert.StartsWith(reason, check.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("j\u00FCrgen.m\u00FCller@b\u00FCcher.example")]
    [InlineData("\u0441\u0435\u0440\u0433\u0435\u0439.2024@\u043F\u0440\u0438\u043C\u0435\u0440.\u0440\u0444")]
    [InlineData("\u03B3\u03B9\u03B1\u03BD\u03BD\u03B7\u03C2@example.gr")]
    [InlineData("\u5C71\u7530\u305F\u308D\u3046@example.jp")]
    [InlineData("\u30E4\u30DE\u30C0\u6F22\u5B57@example.jp")]
    [InlineData("\uD55C\uAD6D\u4EBA@example.kr")]
    [InlineData("ad-min_2024+news@mail-1.example.org")]
    public void Names_written_in_one_script_are_accepted(string input) =>
        Assert.True(EmailAddress.Check(input).IsValid, EmailAddress.Check(input).Error);

    [Fact]
    public void Over_254_characters_is_refused_before_parsing()
    {
        var input = new string('a', 250) + "@example.org";
        var check = EmailAddress.Check(input);
        Assert.False(check.IsValid);
        Assert.Contains("254", check.Error);
    }

    [Fact]
    public void A_local_part_over_64_characters_is_refused()
    {
        var check = EmailAddress.Check(new string('a', 65) + "@example.org");
        Assert.Contains("64", check.Error);
    }
}
