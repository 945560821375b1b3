using Portal.Features.Confirmations;

namespace Portal.Tests.Features.Confirmations;

public sealed class MemberDetailsRulesTests
{
    [Theory]
    [InlineData("DE89 3704 0044 0532 0130 00", "DE89370400440532013000")]
    [InlineData("gb82 west 1234 5698 7654 32", "GB82WEST12345698765432")]
    [InlineData("FR1420041010050500013M02606", "FR1420041010050500013M02606")]
    public void Valid_ibans_are_accepted_in_compact_upper_case(string input, string stored) =>
        Assert.Equal(new MemberDetailsRules.Checked(stored, null), MemberDetailsRules.Iban(input));

    [Theory]
    [InlineData("DE89 3704 0044 0532 0130 01", "check digits")]
    [InlineData("GB82WEST12345698765433", "check digits")]
    [InlineData("DE89", "not an IBAN")]
    [InlineData("1234567890123456", "not an IBAN")]
    [InlineData("", "Enter an IBAN")]
    public void Invalid_ibans_are_refused_with_the_reason(string input, string reason) =>
        Assert.Contains(reason, MemberDetailsRules.Iban(input).Error);

    [Theory]
    [InlineData("+49 (151) 2345-6789", "+4915123456789")]
    [InlineData("0033 6 12 34 56 78", "+33612345678")]
    public void Phone_numbers_are_stored_in_international_form(string input, string stored) =>
        Assert.Equal(stored, MemberDetailsRules.Phone(input).Value);

    [Theory]
    [InlineData("0151 23456789")]
    [InlineData("+0 151 23456789")]
    [InlineData("+49 151 CALLME")]
    [InlineData("+49 12")]
    [InlineData("+49 1234 5678 9012 3456")]
    public void Numbers_that_are_not_international_are_refused(string input) =>
        Assert.False(MemberDetailsRules.Phone(input).IsValid);

    [Fact]
    public void Masks_show_enough_to_recognise_and_not_to_learn()
    {
        Assert.Equal("+49 *** **89", MemberDetailsRules.MaskPhone("+4915123456789"));
        Assert.Equal("DE89 •••• 3000", MemberDetailsRules.MaskIban("DE89370400440532013000"));
    }

    [Fact]
    public void Text_fields_refuse_control_characters_and_overlong_values()
    {
        Assert.False(MemberDetailsRules.DisplayName("Ada\nL.").IsValid);
        Assert.False(MemberDetailsRules.DisplayName(new string('a', 101)).IsValid);
        Assert.Equal("Ada", MemberDetailsRules.DisplayName("  Ada ").Value);
        Assert.Equal("DE", MemberDetailsRules.Country("de").Value);
        Assert.False(MemberDetailsRules.Country("Germany").IsValid);
        Assert.False(MemberDetailsRules.PostalCode("10115;").IsValid);
    }
}
