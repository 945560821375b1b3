using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.UI.Services;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Identity;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Identity;

public sealed class AccountMailerTests(TestPortal portal) : IClassFixture<TestPortal>
{
    [Fact]
    public void Identity_pages_that_ask_for_a_mail_sender_get_the_account_mailer()
    {
        Assert.IsType<AccountMailer>(portal.Get<IEmailSender<PortalUser>>());
    }

    [Fact]
    public async Task The_untyped_sender_refuses_a_message_instead_of_dropping_it()
    {
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            portal.Get<IEmailSender>().SendEmailAsync("someone@example.org", "Reset your password", "<a href='https://portal.test/'>here</a>"));

        Assert.Contains("IEmailSender<PortalUser>", refused.Message);
    }

    [Theory]
    [InlineData("http://attacker.example/Identity/Account/ResetPassword?code=c2VjcmV0")]
    [InlineData("https://portal.test.attacker.example/Identity/Account/ResetPassword?code=c2VjcmV0")]
    public async Task A_link_not_on_the_public_base_url_is_refused_and_nothing_is_queued(string link)
    {
        var user = await portal.CreateUserAsync($"elsewhere-{Guid.NewGuid():N}@example.org");
        var mailer = portal.Get<IEmailSender<PortalUser>>();

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => mailer.SendPasswordResetLinkAsync(user, user.Email!, link));
        await Assert.ThrowsAsync<InvalidOperationException>(() => mailer.SendConfirmationLinkAsync(user, user.Email!, link));

        Assert.DoesNotContain("c2VjcmV0", refused.Message);
        await using var db = await portal.DbAsync();
        Assert.False(await db.OutboxMessages.AnyAsync(m => m.Recipient == user.Email));
    }

    [Fact]
    public async Task A_reset_code_is_refused_for_want_of_a_template()
    {
        var user = await portal.CreateUserAsync("code@example.org");

        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            portal.Get<IEmailSender<PortalUser>>().SendPasswordResetCodeAsync(user, user.Email!, "123456"));
    }
}
