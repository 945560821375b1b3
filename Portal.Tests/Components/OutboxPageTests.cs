using Bunit;
using Portal.Data;
using Portal.Email;
using Portal.Email.Mails.Account;
using Portal.Features.Outbox;

namespace Portal.Tests.Components;

public sealed class OutboxPageTests : PageWithProvidersTest
{
    [Fact]
    public async Task With_no_mail_the_grid_says_so_and_the_counts_are_zero()
    {
        await SignInAdminAsync();

        var cut = RenderPage<OutboxPage>();

        Eventually(cut, () => Assert.Contains("No message matches.", cut.Markup));
        Assert.Equal("0 queued · 0 sent · 0 failed", cut.Find("[data-counts]").TextContent);
        Assert.Contains("No address is suppressed.", cut.Markup);
    }

    [Fact]
    public async Task The_status_filter_and_the_recipient_search_narrow_the_messages()
    {
        await SignInAdminAsync();
        await QueueAsync("waiting@example.org");
        await QueueAsync("broken@example.org", failed: true);
        var cut = RenderPage<OutboxPage>();
        Eventually(cut, () => Assert.Equal("1 queued · 0 sent · 1 failed", cut.Find("[data-counts]").TextContent));
        Assert.Contains("550 mailbox unavailable", Row(cut, "broken@example.org").TextContent);

        await ChooseAsync<OutboxStatus?>(cut, "Status", OutboxStatus.Failed);
        Eventually(cut, () => Assert.Contains("broken@example.org", Assert.Single(cut.FindAll("[data-grid=outbox] tbody tr")).TextContent));

        await ChooseAsync<OutboxStatus?>(cut, "Status", null);
        cut.Find("input[placeholder='Search recipient']").Input("waiting@");
        Eventually(cut, () => Assert.Contains("waiting@example.org", Assert.Single(cut.FindAll("[data-grid=outbox] tbody tr")).TextContent));
    }

    [Fact]
    public async Task The_status_in_the_address_chooses_the_filter()
    {
        await SignInAdminAsync();
        await QueueAsync("waiting@example.org");
        await QueueAsync("broken@example.org", failed: true);

        var cut = RenderPage<OutboxPage>("admin/outbox?status=failed");

        Eventually(cut, () => Assert.Contains("broken@example.org", Assert.Single(cut.FindAll("[data-grid=outbox] tbody tr")).TextContent));
    }

    [Fact]
    public async Task Preview_opens_the_message_in_a_dialog_with_its_link_secret_masked()
    {
        await SignInAdminAsync();
        await QueueAsync("forgetful@example.org", link: "https://portal.test/Identity/Account/ResetPassword?code=SECRETSECRETSECRETSECRET");
        var cut = RenderPage<OutboxPage>();
        Eventually(cut, () => Row(cut, "forgetful@example.org"));

        Button(Row(cut, "forgetful@example.org"), "Preview").Click();

        Eventually(cut, () => Assert.Contains("To forgetful@example.org", Dialog(cut).TextContent));
        Assert.Contains("Reset your Portal password", cut.Find("[role=dialog] .portal-mailview-subject").TextContent);
        cut.FindAll("[role=dialog] [role=tab]").Single(t => t.TextContent.Trim() == "Plain text").Click();
        Eventually(cut, () => Assert.Contains($"ResetPassword?code={SecretMask.Mask}", cut.Find("[role=dialog] .portal-mailview-text").TextContent));
        Assert.DoesNotContain("SECRETSECRET", cut.Markup);
        cut.FindAll("[role=dialog] [role=tab]").Single(t => t.TextContent.Trim() == "Headers").Click();
        Eventually(cut, () => Assert.Contains("Message-ID", Dialog(cut).TextContent));

        Button(Dialog(cut), "Close").Click();
        Eventually(cut, () => Assert.Empty(cut.FindAll("[role=dialog]")));
    }

    [Fact]
    public async Task Retry_queues_a_failed_message_again()
    {
        await SignInAdminAsync();
        var id = await QueueAsync("broken@example.org", failed: true);
        var cut = RenderPage<OutboxPage>();
        Eventually(cut, () => Row(cut, "broken@example.org"));

        Button(Row(cut, "broken@example.org"), "Retry").Click();

        Eventually(cut, () => Assert.Equal(["The message to broken@example.org is queued again."], Snackbars));
        await using var db = await Portal.DbAsync();
        Assert.Equal(OutboxStatus.Queued, (await db.OutboxMessages.FindAsync(id))!.Status);
    }

    private async Task<long> QueueAsync(string recipient, bool failed = false, string link = "https://portal.test/x")
    {
        await using var db = await Portal.DbAsync();
        var message = await Portal.Get<Mailer>().QueueAsync(db, recipient, new PasswordResetMail("someone", link, TimeSpan.FromHours(3)));
        if (failed)
        {
            message.Status = OutboxStatus.Failed;
            message.Attempts = 8;
            message.LastError = "550 mailbox unavailable";
        }
        await db.SaveChangesAsync();
        return message.Id;
    }
}
