using Portal.Identity;

namespace Portal.Tests.Identity;

public sealed class UserNameRulesTests
{
    [Theory]
    [InlineData("admin")]
    [InlineData("Admin")]
    [InlineData("adm1n")]
    [InlineData("4dmin")]
    [InlineData("r00t")]
    [InlineData("supp0rt")]
    [InlineData("s.u.p.p.o.r.t")]
    [InlineData("sup--port")]
    [InlineData("he1p")]
    [InlineData("5y5tem")]
    [InlineData("5ecur1ty")]
    [InlineData("po5tma5ter")]
    public void Reserved_names_and_their_look_alikes_are_refused(string name) =>
        Assert.Equal("That user name is reserved: choose another.", UserNameRules.Check(name));

    [Theory]
    [InlineData("аdmin")]
    [InlineData("αdmin")]
    public void Names_in_other_scripts_are_refused_before_any_look_alike_check(string name) =>
        Assert.StartsWith("A user name uses letters a-z", UserNameRules.Check(name));

    [Theory]
    [InlineData("ada")]
    [InlineData("l1nus")]
    [InlineData("rootbeer")]
    [InlineData("grace.hopper")]
    [InlineData("agent007")]
    public void Ordinary_names_are_accepted(string name) => Assert.Null(UserNameRules.Check(name));
}
