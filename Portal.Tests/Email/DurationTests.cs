using Portal.Email.Mails;

namespace Portal.Tests.Email;

public sealed class DurationTests
{
    [Theory]
    [InlineData(14 * 24 * 60, "14 days")]
    [InlineData(24 * 60, "24 hours")]
    [InlineData(3 * 60, "3 hours")]
    [InlineData(60, "1 hour")]
    [InlineData(10, "10 minutes")]
    public void Lifetimes_read_as_people_say_them(int minutes, string expected) =>
        Assert.Equal(expected, Duration.Describe(TimeSpan.FromMinutes(minutes)));

    [Theory]
    [InlineData(1, "1 second")]
    [InlineData(40, "40 seconds")]
    [InlineData(170, "3 minutes")]
    public void Short_spans_are_in_seconds_then_minutes(int seconds, string expected) =>
        Assert.Equal(expected, Duration.Describe(TimeSpan.FromSeconds(seconds)));
}
