using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using MimeKit;
using Portal.Data;
using Portal.Email;
using Portal.Email.Mails.Account;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Email;

public class OutboxDispatcherTests : IAsyncLifetime
{
    private readonly TestClock _clock = new();
    private readonly FlakyDelivery _delivery = new();
    private readonly TestPortal _portal;

    public OutboxDispatcherTests() : this(DatabaseProvider.Sqlite)
    {
    }

    protected OutboxDispatcherTests(DatabaseProvider database)
    {
        _portal = TestPortal.WithServices(services =>
        {
            // The test drives the dispatcher itself, on its own clock, through a delivery it controls.
            services.RemoveAll<IHostedService>();
            services.AddSingleton<TimeProvider>(_clock);
            services.AddSingleton<IMailDelivery>(_delivery);
        }, database);
        _portal.Settings["Email:MaxAttempts"] = "3";
        _portal.Settings["Email:FirstRetryDelay"] = "00:01:00";
        _portal.Settings["Email:MaxRetryDelay"] = "00:10:00";
    }

    private OutboxDispatcher Dispatcher => _portal.Get<OutboxDispatcher>();

    [DatabaseFact]
    public async Task A_queued_message_is_delivered_once_and_marked_sent()
    {
        var id = await QueueAsync("ada@example.org");

        Assert.Equal(1, await Dispatcher.DeliverDueAsync(default));
        Assert.Equal(0, await Dispatcher.DeliverDueAsync(default));

        var message = await LoadAsync(id);
        Assert.Equal(OutboxStatus.Sent, message.Status);
        Assert.Equal(_clock.Now.UtcDateTime, message.SentAt);
        Assert.Equal(1, message.Attempts);
        var sent = Assert.Single(_delivery.Sent);
        Assert.Equal(message.MessageId, sent.Headers["Message-ID"]);
    }

    [DatabaseFact]
    public async Task A_failure_is_retried_with_growing_delays_then_marked_failed()
    {
        _delivery.FailuresLeft = int.MaxValue;
        var id = await QueueAsync("bob@example.org");

        await Dispatcher.DeliverDueAsync(default);
        var first = await LoadAsync(id);
        Assert.Equal(OutboxStatus.Queued, first.Status);
        Assert.Equal(1, first.Attempts);
        Assert.Contains("connection refused", first.LastError);
        var firstDelay = first.NextAttemptAt - _clock.Now.UtcDateTime;
        Assert.InRange(firstDelay, TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1));

        // Not due yet: nothing is attempted.
        Assert.Equal(0, await Dispatcher.DeliverDueAsync(default));

        _clock.Now = first.NextAttemptAt;
        await Dispatcher.DeliverDueAsync(default);
        var second = await LoadAsync(id);
        Assert.Equal(2, second.Attempts);
        Assert.InRange(second.NextAttemptAt - _clock.Now.UtcDateTime, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2));

        _clock.Now = second.NextAttemptAt;
        await Dispatcher.DeliverDueAsync(default);
        var third = await LoadAsync(id);
        Assert.Equal(OutboxStatus.Failed, third.Status);
        Assert.Equal(3, third.Attempts);
        Assert.Equal(3, _delivery.Attempts);
        // Running out of tries says nothing about the address.
        await using var db = await _portal.DbAsync();
        Assert.False(await db.MailSuppressions.AnyAsync());
    }

    [DatabaseFact]
    public async Task A_permanent_refusal_fails_at_once()
    {
        _delivery.Permanent = true;
        var id = await QueueAsync("nobody@example.org");

        await Dispatcher.DeliverDueAsync(default);

        var message = await LoadAsync(id);
        Assert.Equal(OutboxStatus.Failed, message.Status);
        Assert.Equal(1, message.Attempts);
        Assert.Contains("mailbox unavailable", message.LastError);
        await using var db = await _portal.DbAsync();
        var suppression = await db.MailSuppressions.SingleAsync();
        Assert.Equal(("nobody@example.org", "550 mailbox unavailable", _clock.Now.UtcDateTime), (suppression.Address, suppression.Reason, suppression.CreatedAt));
    }

    [DatabaseFact]
    public async Task Dispatchers_side_by_side_suppress_an_address_that_bounces_in_every_spelling_once()
    {
        _portal.Settings["Email:BatchSize"] = "5";
        var ids = new List<long>();
        for (var i = 0; i < 40; i++)
        {
            ids.Add(await QueueAsync(i % 2 == 0 ? "Gone@example.org" : "gone@EXAMPLE.org"));
        }
        _delivery.Permanent = true;
        _delivery.Pause = TimeSpan.FromMilliseconds(1);

        // Four nodes' worth of dispatch loops meet the same bounce at the same moments.
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (await Dispatcher.DeliverDueAsync(default) > 0)
            {
            }
        })));

        Assert.All(await LoadAllAsync(ids), m => Assert.Equal((OutboxStatus.Failed, 1), (m.Status, m.Attempts)));
        await using var db = await _portal.DbAsync();
        Assert.Equal("gone@example.org", (await db.MailSuppressions.SingleAsync()).Address);
        var entry = await db.AuditEntries.SingleAsync(e => e.Action == "suppression.added");
        Assert.Equal(("system", "gone@example.org", "550 mailbox unavailable"), (entry.ActorName, entry.TargetName, entry.Details));
    }

    [DatabaseFact]
    public async Task A_message_recovers_after_a_transient_failure()
    {
        _delivery.FailuresLeft = 1;
        var id = await QueueAsync("carol@example.org");

        await Dispatcher.DeliverDueAsync(default);
        _clock.Advance(TimeSpan.FromMinutes(5));
        await Dispatcher.DeliverDueAsync(default);

        var message = await LoadAsync(id);
        Assert.Equal(OutboxStatus.Sent, message.Status);
        Assert.Equal(2, message.Attempts);
    }

    [DatabaseFact]
    public async Task Nothing_is_queued_when_the_change_that_caused_it_is_not_committed()
    {
        await using (var db = await _portal.DbAsync())
        {
            await _portal.Get<Mailer>().QueueAsync(db, "dave@example.org", new EmailConfirmationMail("dave", "dave@example.org", "https://portal.test/c"));
            // Disposed without SaveChanges: the cause was abandoned, and its message with it.
        }

        Assert.Equal(0, await Dispatcher.DeliverDueAsync(default));
        Assert.Empty(_delivery.Sent);
    }

    [DatabaseFact]
    public void Backoff_doubles_per_attempt_within_jitter_and_is_capped()
    {
        var options = new EmailOptions { FirstRetryDelay = TimeSpan.FromSeconds(30), MaxRetryDelay = TimeSpan.FromMinutes(30) };
        for (var i = 0; i < 50; i++)
        {
            Assert.InRange(OutboxDispatcher.Backoff(1, options), TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(30));
            Assert.InRange(OutboxDispatcher.Backoff(4, options), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(4));
            Assert.InRange(OutboxDispatcher.Backoff(20, options), TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(30));
        }
        var spread = Enumerable.Range(0, 50).Select(_ => OutboxDispatcher.Backoff(3, options)).Distinct().Count();
        Assert.True(spread > 10, "the delays should be jittered");
    }

    [DatabaseFact]
    public async Task Dispatchers_working_side_by_side_deliver_each_message_exactly_once()
    {
        _portal.Settings["Email:BatchSize"] = "20";
        for (var i = 0; i < 200; i++)
        {
            await QueueAsync($"reader{i}@example.org");
        }
        _delivery.Pause = TimeSpan.FromMilliseconds(1);

        // Four nodes' worth of dispatch loops on one database.
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (await Dispatcher.DeliverDueAsync(default) > 0)
            {
            }
        })));

        var delivered = _delivery.Sent.Select(m => m.Headers["Message-ID"]).ToList();
        Assert.Equal(200, delivered.Count);
        Assert.Equal(200, delivered.Distinct().Count());
        await using var db = await _portal.DbAsync();
        Assert.Equal(200, await db.OutboxMessages.CountAsync(m => m.Status == OutboxStatus.Sent && m.Attempts == 1 && m.ClaimId == null));
    }

    [DatabaseFact]
    public async Task A_message_claimed_by_a_node_that_died_waits_for_the_claim_to_run_out_then_goes_once()
    {
        var id = await QueueAsync("erin@example.org");
        await using (var db = await _portal.DbAsync())
        {
            await db.OutboxMessages.Where(m => m.Id == id).ExecuteUpdateAsync(s => s
                .SetProperty(m => m.ClaimId, Guid.NewGuid())
                .SetProperty(m => m.ClaimedUntil, _clock.Now.UtcDateTime.AddMinutes(10)));
        }

        Assert.Equal(0, await Dispatcher.DeliverDueAsync(default));
        _clock.Advance(TimeSpan.FromMinutes(9));
        Assert.Equal(0, await Dispatcher.DeliverDueAsync(default));
        Assert.Empty(_delivery.Sent);

        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, await Dispatcher.DeliverDueAsync(default));
        Assert.Single(_delivery.Sent);
        var message = await LoadAsync(id);
        Assert.Equal(OutboxStatus.Sent, message.Status);
        Assert.Null(message.ClaimId);
        Assert.Null(message.ClaimedUntil);
    }

    [DatabaseFact]
    public async Task A_node_stopping_mid_batch_gives_back_what_it_has_not_sent_for_another_to_send_at_once()
    {
        var ids = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await QueueAsync($"fay{i}@example.org"));
        }
        using var stopping = new CancellationTokenSource();
        _delivery.AfterSend = count =>
        {
            if (count == 2)
            {
                stopping.Cancel();
            }
        };

        Assert.Equal(5, await Dispatcher.DeliverDueAsync(stopping.Token));

        Assert.Equal(2, _delivery.Sent.Count);
        var left = await LoadAllAsync(ids.Skip(2));
        Assert.All(left, m => Assert.True(m.Status == OutboxStatus.Queued && m.ClaimId == null && m.ClaimedUntil == null && m.Attempts == 0));
        _delivery.AfterSend = null;
        Assert.Equal(3, await Dispatcher.DeliverDueAsync(default));
        Assert.Equal(5, _delivery.Sent.Select(m => m.Headers["Message-ID"]).Distinct().Count());
    }

    [DatabaseFact]
    public async Task A_node_whose_claim_runs_out_mid_batch_sends_no_more_of_it()
    {
        _portal.Settings["Email:LeaseDuration"] = "00:05:00";
        var ids = new List<long>();
        for (var i = 0; i < 4; i++)
        {
            ids.Add(await QueueAsync($"gus{i}@example.org"));
        }
        // The first message takes as long as the whole claim: the others may be another node's by now.
        _delivery.AfterSend = count =>
        {
            if (count == 1)
            {
                _clock.Advance(TimeSpan.FromMinutes(5));
            }
        };

        Assert.Equal(4, await Dispatcher.DeliverDueAsync(default));

        Assert.Single(_delivery.Sent);
        Assert.All(await LoadAllAsync(ids.Skip(1)), m => Assert.True(m.Status == OutboxStatus.Queued && m.ClaimId == null && m.Attempts == 0));
    }

    [DatabaseFact]
    public async Task Over_smtp_a_send_starts_only_while_the_claim_has_room_for_the_longest_send()
    {
        _portal.Settings["Email:Delivery"] = "Smtp";
        _portal.Settings["Email:Smtp:Host"] = "mail.example.org";
        _portal.Settings["Email:Smtp:Timeout"] = "00:01:00";
        _portal.Settings["Email:LeaseDuration"] = "00:05:00";
        var ids = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await QueueAsync($"hal{i}@example.org"));
        }
        // After the first send, 1 min 59 s of the claim is left: less than a send and its one retry may take.
        _delivery.AfterSend = count =>
        {
            if (count == 1)
            {
                _clock.Advance(TimeSpan.FromMinutes(3).Add(TimeSpan.FromSeconds(1)));
            }
        };

        Assert.Equal(3, await Dispatcher.DeliverDueAsync(default));

        Assert.Single(_delivery.Sent);
        Assert.All(await LoadAllAsync(ids.Skip(1)), m => Assert.True(m.Status == OutboxStatus.Queued && m.ClaimId == null && m.Attempts == 0));
    }

    [DatabaseFact]
    public void A_claim_shorter_than_the_longest_smtp_send_is_refused_with_the_reason()
    {
        var options = new EmailOptions { Delivery = MailDeliveryMode.Smtp, LeaseDuration = TimeSpan.FromSeconds(50) };
        options.Smtp.Host = "mail.example.org";
        options.Smtp.Timeout = TimeSpan.FromSeconds(30);

        var problem = Assert.Single(options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)));

        Assert.Equal(nameof(EmailOptions.LeaseDuration), Assert.Single(problem.MemberNames));
        Assert.StartsWith("must be longer than twice Email:Smtp:Timeout, 00:01:00, with SMTP delivery", problem.ErrorMessage);
        options.LeaseDuration = TimeSpan.FromSeconds(61);
        Assert.Empty(options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)));
    }

    private async Task<long> QueueAsync(string recipient)
    {
        await using var db = await _portal.DbAsync();
        var message = await _portal.Get<Mailer>().QueueAsync(db, recipient, new EmailConfirmationMail("someone", recipient, "https://portal.test/c"));
        await db.SaveChangesAsync();
        return message.Id;
    }

    private async Task<OutboxMessage> LoadAsync(long id)
    {
        await using var db = await _portal.DbAsync();
        return await db.OutboxMessages.AsNoTracking().SingleAsync(m => m.Id == id);
    }

    private async Task<List<OutboxMessage>> LoadAllAsync(IEnumerable<long> ids)
    {
        var wanted = ids.ToList();
        await using var db = await _portal.DbAsync();
        return await db.OutboxMessages.AsNoTracking().Where(m => wanted.Contains(m.Id)).ToListAsync();
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    private sealed class FlakyDelivery : IMailDelivery
    {
        private readonly List<MimeMessage> _sent = [];

        public IReadOnlyList<MimeMessage> Sent
        {
            get
            {
                lock (_sent)
                {
                    return [.. _sent];
                }
            }
        }

        public int Attempts { get; private set; }

        public int FailuresLeft { get; set; }

        public bool Permanent { get; set; }

        /// <summary>How long each delivery takes, so that dispatchers working side by side interleave.</summary>
        public TimeSpan Pause { get; set; }

        /// <summary>Called with the number delivered so far after each delivery.</summary>
        public Action<int>? AfterSend { get; set; }

        public async Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
        {
            if (Pause > TimeSpan.Zero)
            {
                await Task.Delay(Pause, cancellationToken);
            }
            int count;
            lock (_sent)
            {
                Attempts++;
                if (Permanent)
                {
                    throw new PermanentDeliveryException("The server refused the message for good (550): mailbox unavailable", bounce: "550 mailbox unavailable");
                }
                if (FailuresLeft-- > 0)
                {
                    throw new IOException("connection refused");
                }
                _sent.Add(message);
                count = _sent.Count;
            }
            AfterSend?.Invoke(count);
        }
    }
}

public sealed class OutboxDispatcherOnPostgresTests() : OutboxDispatcherTests(DatabaseProvider.Postgres), IPostgresVariant;
