using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Portal.Data;
using Portal.Email;
using Portal.Email.Mails.Account;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Email;

/// <summary>Messages as they arrive, read by a real MIME parser.</summary>
public sealed partial class DeliveryTests
{
    private static readonly Dictionary<string, string> UnsubscribeHeaders = new()
    {
        ["List-Unsubscribe"] = "<https://portal.test/u/1>",
        ["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click",
    };

    [Fact]
    public async Task Pickup_delivery_writes_a_multipart_alternative_utf8_eml_file()
    {
        await using var portal = new TestPortal();
        var stored = await QueueAsync(portal, "zoë@example.org", "Zoë Ñandú");

        var mail = await portal.Mail.DeliveredAsync("zoë@example.org", "Confirm your email address");

        Assert.Empty(mail.Defects);
        Assert.Equal("multipart/alternative", mail.ContentType);
        Assert.Equal(["text/plain", "text/html"], mail.Parts.Select(p => p.Type));
        Assert.All(mail.Parts, p => Assert.Equal("utf-8", p.Charset));
        Assert.Equal(stored.MessageId, mail.Header("Message-ID"));
        Assert.Equal(stored.Subject, mail.Subject);
        Assert.Contains("Hello Zoë Ñandú,", mail.Text);
        Assert.Contains("Hello Zoë Ñandú,", WebUtility.HtmlDecode(mail.Html));
        Assert.Equal("<https://portal.test/u/1>", mail.Header("List-Unsubscribe"));
        Assert.Equal("List-Unsubscribe=One-Click", mail.Header("List-Unsubscribe-Post"));
        Assert.Contains("no-reply@portal.localhost", mail.Header("From"));
        Assert.Contains("Portal", mail.Header("From"));
        Assert.All(mail.TextLinks, link => Assert.StartsWith("https://portal.test/", link));
        // The file was moved into place whole; no staging leftovers are visible to readers.
        Assert.DoesNotContain(Directory.GetFiles(portal.Mail.Directory), f => !f.EndsWith(".eml", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Many_messages_rendered_side_by_side_each_reach_their_own_recipient_with_their_own_content_in_order()
    {
        await using var portal = new TestPortal();
        var mails = Enumerable.Range(0, 40).Select(i => new QueuedMail<EmailConfirmationMail>($"many{i}@example.org",
            new EmailConfirmationMail($"Person {i}", $"many{i}@example.org", $"https://portal.test/confirm/{i}"), UnsubscribeHeaders)).ToList();
        await using (var db = await portal.DbAsync())
        {
            await portal.Get<Mailer>().QueueAllAsync(db, mails, CancellationToken.None);
            await db.SaveChangesAsync();
        }

        await using (var db = await portal.DbAsync())
        {
            var stored = await db.OutboxMessages.OrderBy(m => m.Id).Select(m => m.Recipient).ToListAsync();
            Assert.Equal(mails.Select(m => m.Recipient), stored);
        }
        for (var i = 0; i < mails.Count; i++)
        {
            var mail = await portal.Mail.DeliveredAsync($"many{i}@example.org", "Confirm your email address");
            Assert.Contains($"Hello Person {i},", mail.Text);
            Assert.Contains($"https://portal.test/confirm/{i}", mail.TextLinks);
            Assert.Equal("<https://portal.test/u/1>", mail.Header("List-Unsubscribe"));
        }
    }

    [Fact]
    public async Task Queued_messages_survive_a_restart_and_are_delivered_after_it()
    {
        var first = TestPortal.WithServices(services => services.RemoveAll<IHostedService>());
        first.KeepData = true;
        await using (first)
        {
            for (var i = 0; i < 3; i++)
            {
                await QueueAsync(first, $"restart{i}@example.org", "Restart");
            }
        }
        Assert.Empty(first.Mail.All());

        await using var second = TestPortal.Restart(first);
        _ = second.Services;
        for (var i = 0; i < 3; i++)
        {
            await second.Mail.DeliveredAsync($"restart{i}@example.org", "Confirm");
        }
        await using var db = await second.DbAsync();
        Assert.Equal(3, await db.OutboxMessages.CountAsync(m => m.Status == OutboxStatus.Sent));
    }

    [Fact]
    public async Task Smtp_delivery_reaches_a_real_server_with_both_parts_over_one_reused_connection()
    {
        await using var smtp = await SmtpSink.StartAsync();
        await using var portal = OverSmtp(smtp);
        portal.Settings["Email:Smtp:Connections"] = "1";

        await QueueAsync(portal, "smtp1@example.org", "Ada");
        await QueueAsync(portal, "smtp2@example.org", "Line\r\nBreak");
        await portal.DeliverMailAsync();

        Assert.Equal(2, smtp.Received.Count);
        Assert.All(smtp.ParsedByPython(), mail =>
        {
            Assert.Empty(mail.Defects);
            Assert.Equal("multipart/alternative", mail.ContentType);
            Assert.Equal(["text/plain", "text/html"], mail.Parts.Select(p => p.Type));
            Assert.DoesNotContain('\n', mail.Subject);
            Assert.Equal("Confirm your email address for Portal", mail.Subject);
            Assert.NotEmpty(mail.TextLinks);
            Assert.All(mail.TextLinks, link => Assert.StartsWith("https://portal.test/", link));
            Assert.Matches(HrefsOnPublicBase(), mail.Html);
        });
        Assert.Single(smtp.Received.Select(m => m.Peer).Distinct());
    }

    [Fact]
    public async Task A_recipient_refused_with_550_fails_at_once_and_its_address_is_suppressed_with_the_reply()
    {
        await using var smtp = await SmtpSink.StartAsync();
        smtp.Refuse("gone@example.org", "5.1.1 <gone@example.org>: Recipient address rejected: User unknown");
        await using var portal = OverSmtp(smtp);
        var refused = await QueueAsync(portal, "Gone@Example.org", "Gone");
        await QueueAsync(portal, "next@example.org", "Next");

        await portal.DeliverMailAsync();

        // The refusal was of one recipient: the next message went out on the same connection.
        Assert.Equal("next@example.org", Assert.Single(smtp.Received).Message.To.Mailboxes.Single().Address);
        await using var db = await portal.DbAsync();
        var message = await db.OutboxMessages.SingleAsync(m => m.Id == refused.Id);
        Assert.Equal((OutboxStatus.Failed, 1), (message.Status, message.Attempts));
        var suppression = await db.MailSuppressions.SingleAsync();
        Assert.Equal("gone@example.org", suppression.Address);
        Assert.StartsWith("550 5.1.1 <gone@example.org>: Recipient address rejected: User unknown", suppression.Reason);
        var entry = await db.AuditEntries.SingleAsync(e => e.Action == "suppression.added");
        Assert.Equal(("suppression", suppression.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "gone@example.org", suppression.Reason),
            (entry.TargetType, entry.TargetId, entry.TargetName, entry.Details));
    }

    [Fact]
    public async Task A_message_refused_for_good_after_its_data_suppresses_its_recipient_too()
    {
        await using var smtp = await SmtpSink.StartAsync();
        smtp.RefuseData("late@example.org", "5.1.1 <late@example.org>: mailbox does not exist");
        await using var portal = OverSmtp(smtp);
        var message = await QueueAsync(portal, "late@example.org", "Late");

        await portal.DeliverMailAsync();

        await using var db = await portal.DbAsync();
        Assert.Equal(OutboxStatus.Failed, (await db.OutboxMessages.SingleAsync(m => m.Id == message.Id)).Status);
        var suppression = await db.MailSuppressions.SingleAsync();
        Assert.Equal(("late@example.org", "550 5.1.1 <late@example.org>: mailbox does not exist"), (suppression.Address, suppression.Reason));
    }

    [Fact]
    public async Task A_sender_refused_with_550_fails_the_message_but_suppresses_no_recipient()
    {
        await using var smtp = await SmtpSink.StartAsync();
        smtp.Refuse("no-reply@portal.localhost", "5.7.1 <no-reply@portal.localhost>: Sender address rejected");
        await using var portal = OverSmtp(smtp);
        var message = await QueueAsync(portal, "reader@example.org", "Reader");

        await portal.DeliverMailAsync();

        await using var db = await portal.DbAsync();
        Assert.Equal(OutboxStatus.Failed, (await db.OutboxMessages.SingleAsync(m => m.Id == message.Id)).Status);
        Assert.False(await db.MailSuppressions.AnyAsync());
    }

    /// <summary>A portal delivering through the SMTP server, with some services replaced when given.</summary>
    internal static TestPortal OverSmtp(SmtpSink smtp, Action<IServiceCollection>? services = null)
    {
        var portal = services is null ? new TestPortal() : TestPortal.WithServices(services);
        portal.Settings["Email:Delivery"] = "Smtp";
        portal.Settings["Email:Smtp:Host"] = "127.0.0.1";
        portal.Settings["Email:Smtp:Port"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        portal.Settings["Email:Smtp:Security"] = "None";
        return portal;
    }

    internal static async Task<OutboxMessage> QueueAsync(TestPortal portal, string recipient, string name)
    {
        await using var db = await portal.DbAsync();
        var message = await portal.Get<Mailer>().QueueAsync(db, recipient,
            new EmailConfirmationMail(name, recipient, "https://portal.test/Identity/Account/ConfirmEmail?userId=1&code=abc"),
            UnsubscribeHeaders);
        await db.SaveChangesAsync();
        return message;
    }

    [GeneratedRegex("""href="https://portal\.test/""")]
    private static partial Regex HrefsOnPublicBase();
}
