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
