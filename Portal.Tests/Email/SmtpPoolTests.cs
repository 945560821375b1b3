using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Email;

/// <summary>The SMTP connection pool against a real server that answers, fails and drops as servers do.</summary>
public sealed class SmtpPoolTests
{
    [Fact]
    public async Task A_batch_goes_out_over_as_many_connections_as_configured_at_once_and_no_more()
    {
        await using var smtp = await SmtpSink.StartAsync();
        smtp.HoldDataUntilTogether(3);
        await using var portal = DeliveryTests.OverSmtp(smtp);
        portal.Settings["Email:Smtp:Connections"] = "3";
        for (var i = 0; i < 12; i++)
        {
            await DeliveryTests.QueueAsync(portal, $"pool{i}@example.org", "Pool");
        }

        await portal.DeliverMailAsync();

        // Three messages were being received at the same moment, each on its own connection, and the
        // rest went out on those same three.
        var received = await smtp.WaitForAsync(12);
        Assert.Equal(3, received.Select(m => m.Peer).Distinct().Count());
        Assert.Equal(12, received.Select(m => m.Message.MessageId).Distinct().Count());
    }

    [Theory]
    [InlineData("StartTls", "STARTTLS")]
    [InlineData("Tls", "SSL")]
    public async Task A_server_without_the_configured_encryption_gets_no_message_in_clear(string security, string reason)
    {
        await using var smtp = await SmtpSink.StartAsync();
        await using var portal = DeliveryTests.OverSmtp(smtp);
        portal.Settings["Email:Smtp:Security"] = security;
        var message = await DeliveryTests.QueueAsync(portal, "private@example.org", "Private");

        await portal.DeliverMailAsync();

        Assert.Empty(smtp.Received);
        await using var db = await portal.DbAsync();
        var stored = await db.OutboxMessages.SingleAsync(m => m.Id == message.Id);
        Assert.Equal((OutboxStatus.Queued, 1), (stored.Status, stored.Attempts));
        Assert.Contains(reason, stored.LastError, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_dropped_connection_a_421_a_451_and_a_550_lose_no_message_and_send_none_twice()
    {
        await using var smtp = await SmtpSink.StartAsync();
        smtp.DropData(3);
        smtp.AnswerData(6, 421, "4.3.2 Service shutting down, closing transmission channel");
        smtp.AnswerData(9, 451, "4.3.0 Temporary local problem, try again later");
        smtp.Refuse("gone@example.org", "5.1.1 <gone@example.org>: Recipient address rejected");
        var clock = new TestClock(DateTimeOffset.UtcNow);
        await using var portal = DeliveryTests.OverSmtp(smtp, services => services.AddSingleton<TimeProvider>(clock));
        portal.Settings["Email:Smtp:Connections"] = "2";
        var queued = new List<OutboxMessage>();
        for (var i = 0; i < 14; i++)
        {
            queued.Add(await DeliveryTests.QueueAsync(portal, i == 7 ? "gone@example.org" : $"reader{i}@example.org", "Reader"));
        }

        await portal.DeliverMailAsync();
        // The message answered 451 (and any that met a broken connection on its first try) waits for its retry.
        clock.Advance(TimeSpan.FromHours(3));
        await portal.DeliverMailAsync();

        var received = await smtp.WaitForAsync(13);
        Assert.Equal(13, received.Count);
        Assert.Equal(13, received.Select(m => m.Message.MessageId).Distinct().Count());
        await using var db = await portal.DbAsync();
        var outcomes = await db.OutboxMessages.ToDictionaryAsync(m => m.MessageId, m => m.Status);
        Assert.Equal(OutboxStatus.Failed, outcomes[queued[7].MessageId]);
        Assert.All(queued.Where((_, i) => i != 7), m => Assert.Equal(OutboxStatus.Sent, outcomes[m.MessageId]));
        Assert.Equal(queued.Where((_, i) => i != 7).Select(m => $"<{m.MessageId.Trim('<', '>')}>").Order(), received.Select(m => $"<{m.Message.MessageId}>").Order());
    }
}
