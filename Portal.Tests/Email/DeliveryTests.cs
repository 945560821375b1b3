using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Portal.Data;
using Portal.Email;
using Portal.Templates.Account;
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
        await using var portal = new TestPortal();
        portal.Settings["Email:Delivery"] = "Smtp";
        portal.Settings["Email:Smtp:Host"] = "127.0.0.1";
        portal.Settings["Email:Smtp:Port"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        portal.Settings["Email:Smtp:StartTls"] = "false";

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

    private static async Task<OutboxMessage> QueueAsync(TestPortal portal, string recipient, string name)
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
