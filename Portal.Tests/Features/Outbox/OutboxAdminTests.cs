using Portal.Data;
using Portal.Email;
using Portal.Features.Audit;
using Portal.Features.Outbox;
using Portal.Identity;
using Portal.Email.Mails.Account;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Features.Outbox;

public sealed class OutboxAdminTests(TestPortal portal) : IClassFixture<TestPortal>
{
    private static readonly Actor Admin = new("a", "admin", new HashSet<string> { Roles.Admin });

    private OutboxAdmin Outbox => portal.Get<OutboxAdmin>();

    [Fact]
    public async Task A_preview_masks_the_secrets_in_links()
    {
        const string token = "Q2ZESjhFTUFQcjdQVDJSSGh6SkdsQzRmaHp6Yi9HRnhnd0YvZUtp";
        var id = await QueueAsync("preview@example.org", $"https://portal.test/Identity/Account/ResetPassword?code={token}");

        var preview = await Outbox.PreviewAsync(Admin, id);

        Assert.NotNull(preview);
        Assert.DoesNotContain(token, preview.Html);
        Assert.DoesNotContain(token, preview.Text);
        Assert.Contains($"https://portal.test/Identity/Account/ResetPassword?code={SecretMask.Mask}", preview.Text);
        Assert.Contains("Reset your Portal password", preview.Subject);
    }

    [Fact]
    public async Task A_failed_message_can_be_queued_again_and_the_retry_is_audited()
    {
        // Stored as failed from the start, so the running dispatcher never touches it first.
        var id = await QueueAsync("failed@example.org", "https://portal.test/x", m =>
        {
            m.Status = OutboxStatus.Failed;
            m.Attempts = 8;
            m.LastError = "550 mailbox unavailable";
        });

        Assert.True(await Outbox.RetryAsync(Admin, id));
        Assert.False(await Outbox.RetryAsync(Admin, id));

        await portal.Mail.DeliveredAsync("failed@example.org", "Reset");
        var audit = await portal.Get<AuditLog>().SearchAsync(Admin, new AuditQuery(Action: "outbox.retried"), new PageRequest());
        Assert.Contains(audit.Items, e => e.TargetName == "failed@example.org");
    }

    [Fact]
    public async Task Messages_filter_by_status_and_recipient()
    {
        await QueueAsync("filter-one@example.org", "https://portal.test/a");
        await portal.Mail.DeliveredAsync("filter-one@example.org", "Reset");

        var sent = await Outbox.SearchAsync(Admin, new OutboxQuery(OutboxStatus.Sent, "filter-one"), new PageRequest());
        var queued = await Outbox.SearchAsync(Admin, new OutboxQuery(OutboxStatus.Queued, "filter-one"), new PageRequest());
        var counts = await Outbox.CountsAsync(Admin);

        Assert.Equal("filter-one@example.org", Assert.Single(sent.Items).Recipient);
        Assert.Empty(queued.Items);
        Assert.True(counts.Sent >= 1);
    }

    [Fact]
    public async Task Only_admins_see_the_outbox()
    {
        var moderator = new Actor("m", "mod", new HashSet<string> { Roles.Moderator });
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => Outbox.PreviewAsync(moderator, 1));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => Outbox.RetryAsync(moderator, 1));
    }

    private async Task<long> QueueAsync(string recipient, string link, Action<OutboxMessage>? adjust = null)
    {
        await using var db = await portal.DbAsync();
        var message = await portal.Get<Mailer>().QueueAsync(db, recipient, new PasswordResetMail("someone", link, TimeSpan.FromHours(3)));
        adjust?.Invoke(message);
        await db.SaveChangesAsync();
        return message.Id;
    }
}
