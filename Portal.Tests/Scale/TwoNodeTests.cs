using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MimeKit;
using Portal.Data;
using Portal.Email;
using Portal.Email.Mails.Account;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Scale;

/// <summary>
/// Two nodes of one site: two portals on Kestrel on two loopback ports, sharing a PostgreSQL
/// database and nothing else (each has a data directory of its own), as behind a load balancer.
/// </summary>
public sealed class TwoNodeTests : IPostgresVariant, IAsyncLifetime
{
    private const int Messages = 300;

    /// <summary>How many messages node A sends itself before it stops or dies: a few batches.</summary>
    private const int SentByA = 100;

    private string _database = "";

    public Task InitializeAsync()
    {
        // Empty: the nodes, started together, take turns to create the schema and the first key.
        _database = PostgresTestServer.CreateDatabase(empty: true);
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        PostgresTestServer.DropDatabase(_database);
        return Task.CompletedTask;
    }

    [DatabaseFact]
    public async Task A_sign_in_on_one_node_is_honoured_by_the_other()
    {
        await using var a = Node();
        await using var b = Node();
        await StartTogetherAsync(a, b);
        await a.CreateUserAsync("ada@example.org");
        using var browser = Browser(a);

        using var signIn = await browser.SignInAsync("ada@example.org", TestPortal.DefaultPassword);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        using var profile = await browser.GetAsync(b.PublicBaseUrl + "account/profile");

        Assert.True(profile.StatusCode == HttpStatusCode.OK, $"Node B answered {profile.StatusCode} {profile.Headers.Location}");
        Assert.Equal("My profile", (await Forms.ParseAsync(profile)).QuerySelector("h1")?.TextContent);
    }

    [DatabaseFact]
    public async Task A_form_from_one_node_is_accepted_by_the_other()
    {
        await using var a = Node();
        await using var b = Node();
        await StartTogetherAsync(a, b);
        await a.CreateUserAsync("grace@example.org");
        using var browser = Browser(a);

        // The antiforgery cookie and the form's token come from node A; node B checks them.
        using var signIn = await browser.SubmitFormAsync("/Identity/Account/Login", new Dictionary<string, string>
        {
            ["Input.Email"] = "grace@example.org",
            ["Input.Password"] = TestPortal.DefaultPassword,
        }, postTo: b.PublicBaseUrl + "Identity/Account/Login");

        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.Contains(signIn.Headers.GetValues("Set-Cookie"), c => c.StartsWith("portal.auth=", StringComparison.Ordinal));
    }

    [DatabaseFact]
    public async Task A_password_reset_token_made_by_one_node_is_accepted_by_the_other()
    {
        await using var a = Node();
        await using var b = Node();
        await StartTogetherAsync(a, b);
        var user = await a.CreateUserAsync("linus@example.org");
        string token;
        await using (var scope = a.Services.CreateAsyncScope())
        {
            token = await scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>().GeneratePasswordResetTokenAsync(user);
        }

        await using var onB = b.Services.CreateAsyncScope();
        var users = onB.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var reset = await users.ResetPasswordAsync((await users.FindByIdAsync(user.Id))!, token, "another long enough passphrase");

        Assert.True(reset.Succeeded, string.Join("; ", reset.Errors.Select(e => e.Description)));
    }

    [DatabaseFact]
    public async Task Queued_messages_are_delivered_once_by_both_nodes_with_one_stopped_half_way()
    {
        await using var smtp = await SmtpSink.StartAsync();
        // A sends its share, then stops; B is held back until A has sent it, so both take part
        // whichever of them the machine happens to run faster.
        var deliveryA = new NodeDelivery { PauseAfter = SentByA };
        var deliveryB = new NodeDelivery { Held = true };
        await using var a = SendingNode(smtp, deliveryA);
        await using var b = SendingNode(smtp, deliveryB);
        await StartTogetherAsync(a, b);
        var queued = await QueueAsync(b, Messages);
        var aWorking = Observed(a.Get<OutboxDispatcher>().DeliverNowAsync());
        var bWorking = b.Get<OutboxDispatcher>().DeliverNowAsync();

        await Patience.For(deliveryA.Paused, $"node A to send {SentByA} messages", () => $"{deliveryA.Sent} sent by A");
        // A graceful stop: what node A had taken but not sent goes back at once. Its claims would
        // otherwise hold for the default lease of ten minutes.
        await a.DisposeAsync();
        deliveryB.Release();
        await Patience.For(bWorking, "node B to work off what it was woken for");
        await b.DeliverMailAsync();

        Assert.Equal(SentByA, deliveryA.Sent);
        Assert.Equal(Messages - SentByA, deliveryB.Sent);
        Assert.Equal(Messages, await CountSentAsync(b));
        AssertDeliveredOnce(smtp, queued);
        await aWorking;
    }

    [DatabaseFact]
    public async Task What_a_node_that_died_had_taken_is_delivered_once_by_the_other_when_its_lease_runs_out()
    {
        var clock = new TestClock(DateTimeOffset.UtcNow);
        await using var smtp = await SmtpSink.StartAsync();
        var deliveryA = new NodeDelivery { HangAfter = SentByA };
        var deliveryB = new NodeDelivery { Held = true };
        await using var a = SendingNode(smtp, deliveryA, clock, stopWaitsFor: TimeSpan.FromSeconds(1));
        await using var b = SendingNode(smtp, deliveryB, clock);
        await StartTogetherAsync(a, b);
        var queued = await QueueAsync(b, Messages);
        // Neither wait is kept: A's never ends, as A never comes back from its send.
        _ = a.Get<OutboxDispatcher>().DeliverNowAsync();
        _ = b.Get<OutboxDispatcher>().DeliverNowAsync();

        var hungOn = await Patience.For(deliveryA.Hung, $"node A to send {SentByA} messages and hang", () => $"{deliveryA.Sent} sent by A");
        var abandoned = await ClaimHoldingAsync(b, hungOn);
        // Node A dies: its dispatcher never comes back from the send, so it gives back nothing, and
        // its host is torn down once the stop has waited long enough.
        await a.DisposeAsync();
        deliveryB.Release();
        await b.DeliverMailAsync();

        // Until the lease runs out, what A had taken stays with A.
        Assert.Equal(Messages - abandoned.Count, await CountSentAsync(b));
        Assert.Empty(Delivered(smtp).Intersect(abandoned.Keys));

        clock.Now = new DateTimeOffset(abandoned.Values.Max(), TimeSpan.Zero);
        await b.DeliverMailAsync();

        var sentAt = await SentAtAsync(b, abandoned.Keys);
        Assert.Contains(hungOn, abandoned.Keys);
        Assert.All(abandoned, claimed => Assert.True(sentAt[claimed.Key] >= claimed.Value,
            $"{claimed.Key} was sent at {sentAt[claimed.Key]:O}, before the dead node's lease ran out at {claimed.Value:O}"));
        Assert.Equal((SentByA, Messages - SentByA), (deliveryA.Sent, deliveryB.Sent));
        Assert.Equal(Messages, await CountSentAsync(b));
        AssertDeliveredOnce(smtp, queued);
    }

    /// <summary>A node on the shared database, not started yet.</summary>
    private BrowserPortal Node(Action<IServiceCollection>? configureServices = null, Action<BrowserPortal>? configure = null)
    {
        var node = BrowserPortal.Node(_database, configureServices);
        configure?.Invoke(node);
        return node;
    }

    /// <summary>Starts the nodes at once, as after a deploy: they take turns to migrate and to make the first key.</summary>
    private static Task StartTogetherAsync(params BrowserPortal[] nodes) =>
        Task.WhenAll(nodes.Select(node => Task.Run(node.StartServer)));

    /// <summary>
    /// A node whose dispatcher sends through <paramref name="smtp"/> by way of <paramref name="delivery"/>,
    /// on <paramref name="clock"/> when given; <paramref name="stopWaitsFor"/> is how long a stop waits
    /// for the dispatcher before the host goes anyway.
    /// </summary>
    private BrowserPortal SendingNode(SmtpSink smtp, NodeDelivery delivery, TimeProvider? clock = null, TimeSpan? stopWaitsFor = null) =>
        Node(
            services =>
            {
                services.AddSingleton<IMailDelivery>(sp => delivery.Over(sp.GetRequiredService<SmtpDelivery>()));
                if (clock is not null)
                {
                    services.AddSingleton(clock);
                }
                if (stopWaitsFor is { } timeout)
                {
                    services.Configure<HostOptions>(o => o.ShutdownTimeout = timeout);
                }
            },
            node =>
            {
                node.Settings["Email:Delivery"] = nameof(MailDeliveryMode.Smtp);
                node.Settings["Email:Smtp:Host"] = "127.0.0.1";
                node.Settings["Email:Smtp:Port"] = smtp.Port.ToString(CultureInfo.InvariantCulture);
                node.Settings["Email:Smtp:Security"] = "None";
                // Small batches, so the nodes take turns.
                node.Settings["Email:BatchSize"] = "20";
            });

    /// <summary>Queues messages as the features do, rendered once: the outbox is what is under test.</summary>
    private static async Task<List<string>> QueueAsync(TestPortal node, int count)
    {
        var rendered = await node.Get<MailRenderer>().RenderAsync(
            new EmailConfirmationMail("Ada", "ada@example.org", "https://portal.test/Identity/Account/ConfirmEmail?userId=1&code=abc"));
        var mailer = node.Get<Mailer>();
        var messages = Enumerable.Range(0, count)
            .Select(i => mailer.Create(nameof(EmailConfirmationMail), $"member{i}@example.org", rendered, null))
            .ToList();
        await using var db = await node.DbAsync();
        db.OutboxMessages.AddRange(messages);
        await db.SaveChangesAsync();
        return [.. messages.Select(m => m.MessageId)];
    }

    /// <summary>The messages of the batch holding <paramref name="messageId"/>, still queued, with the end of its lease.</summary>
    private static async Task<Dictionary<string, DateTime>> ClaimHoldingAsync(TestPortal node, string messageId)
    {
        await using var db = await node.DbAsync();
        var claim = await db.OutboxMessages.Where(m => m.MessageId == messageId).Select(m => m.ClaimId).SingleAsync();
        Assert.True(claim is not null, $"{messageId} is no longer claimed: the lease ran out before the test looked.");
        return await db.OutboxMessages.Where(m => m.ClaimId == claim && m.Status == OutboxStatus.Queued)
            .ToDictionaryAsync(m => m.MessageId, m => m.ClaimedUntil!.Value);
    }

    private static async Task<Dictionary<string, DateTime>> SentAtAsync(TestPortal node, IEnumerable<string> messageIds)
    {
        await using var db = await node.DbAsync();
        return await db.OutboxMessages.Where(m => messageIds.Contains(m.MessageId))
            .ToDictionaryAsync(m => m.MessageId, m => m.SentAt!.Value);
    }

    private static async Task<int> CountSentAsync(TestPortal node)
    {
        await using var db = await node.DbAsync();
        return await db.OutboxMessages.CountAsync(m => m.Status == OutboxStatus.Sent);
    }

    /// <summary>The Message-IDs of what reached the SMTP server, as stored in the outbox.</summary>
    private static List<string> Delivered(SmtpSink smtp) => [.. smtp.Received.Select(m => $"<{m.Message.MessageId}>")];

    /// <summary>Each queued message reached the SMTP server exactly once, and nothing else did.</summary>
    private static void AssertDeliveredOnce(SmtpSink smtp, IReadOnlyCollection<string> queued)
    {
        // The server keeps a message before it accepts it, so all that was sent is there by now.
        var received = Delivered(smtp);
        var twice = received.GroupBy(id => id).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(twice.Count == 0, $"{twice.Count} messages arrived more than once, e.g. {twice.FirstOrDefault()}");
        Assert.Equal(queued.Order(), received.Order());
    }

    /// <summary>
    /// The wait of a node that is stopped before it has worked off what it was woken for: it ends
    /// with the loop's "stopped" error, which is no failure here.
    /// </summary>
    private static async Task Observed(Task working)
    {
        try
        {
            await working;
        }
        catch (InvalidOperationException)
        {
            // The node stopped first, as the test meant it to.
        }
    }

    /// <summary>
    /// A client that keeps cookies as a browser does: by host, whatever the port, so both nodes see
    /// the cookies either one set, as they would behind one address.
    /// </summary>
    private static HttpClient Browser(BrowserPortal node) =>
        new(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() })
        {
            BaseAddress = new Uri(node.PublicBaseUrl),
        };

    /// <summary>
    /// A node's mail delivery: counts the messages the inner delivery accepted, can hold its sends
    /// until released, and after a number of sends can pause until the node stops (as a node taken
    /// down for maintenance) or hang for good (as a node that stopped responding).
    /// </summary>
    private sealed class NodeDelivery
    {
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _paused = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource<string> _hung = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _sent;

        /// <summary>Sends wait for <see cref="Release"/>.</summary>
        public bool Held { get; init; }

        /// <summary>After this many sends, the next one waits until the node stops.</summary>
        public int? PauseAfter { get; init; }

        /// <summary>After this many sends, the next one never returns, not even when the node stops.</summary>
        public int? HangAfter { get; init; }

        public int Sent => Volatile.Read(ref _sent);

        /// <summary>Completes when the node has paused after its sends.</summary>
        public Task Paused => _paused.Task;

        /// <summary>Completes with the Message-ID of the message the node hung on.</summary>
        public Task<string> Hung => _hung.Task;

        public void Release() => _released.TrySetResult();

        public IMailDelivery Over(IMailDelivery inner) => new Delivery(this, inner);

        private sealed class Delivery(NodeDelivery node, IMailDelivery inner) : IMailDelivery
        {
            public async Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
            {
                if (node.Held)
                {
                    await node._released.Task.WaitAsync(cancellationToken);
                }
                if (node.Sent == node.PauseAfter)
                {
                    node._paused.TrySetResult();
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
                if (node.Sent == node.HangAfter)
                {
                    node._hung.TrySetResult($"<{message.MessageId}>");
                    await Task.Delay(Timeout.Infinite, CancellationToken.None);
                }
                await inner.SendAsync(message, cancellationToken);
                Interlocked.Increment(ref node._sent);
            }
        }
    }
}
