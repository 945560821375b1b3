using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Features.Audit;
using Portal.Features.Invitations;
using Portal.Features.Webhooks;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Features.Webhooks;

public class WebhookDispatcherTests : IAsyncLifetime
{
    private readonly InvitationPortal _fixture;
    private readonly WebhookReceiver _receiver = new();

    public WebhookDispatcherTests() : this(DatabaseProvider.Sqlite)
    {
    }

    protected WebhookDispatcherTests(DatabaseProvider database)
    {
        _fixture = new InvitationPortal(database);
        Portal.Settings["Webhooks:AllowInsecureUrls"] = "true";
    }

    private TestPortal Portal => _fixture.Portal;

    private WebhookAdmin Admin => Portal.Get<WebhookAdmin>();

    private static InviteeForm Form(string userName, string email) =>
        new() { UserName = userName, Email = email, Password = TestPortal.DefaultPassword, ConfirmPassword = TestPortal.DefaultPassword };

    private async Task<WebhookRegistration> RegisterAsync(params string[] events)
    {
        var registration = await Admin.RegisterAsync(InvitationPortal.Admin, _receiver.Url, events.Length == 0 ? WebhookEventTypes.All : events);
        Assert.True(registration.Succeeded, $"{registration.Problem}");
        return registration;
    }

    private async Task<string> AcceptInvitationAsync(string address, string userName)
    {
        var token = await _fixture.InviteAsync(address);
        var result = await _fixture.Responses.AcceptAsync(token, Form(userName, address));
        Assert.True(result.Succeeded);
        return result.UserId!;
    }

    private async Task<List<WebhookDelivery>> DeliveriesAsync()
    {
        await using var db = await Portal.DbAsync();
        return await db.WebhookDeliveries.AsNoTracking().OrderBy(d => d.Id).ToListAsync();
    }

    [DatabaseFact]
    public async Task The_secret_is_kept_sealed_and_an_endpoint_whose_secret_no_key_opens_gets_nothing_unsigned()
    {
        var registration = await RegisterAsync(WebhookEventTypes.InvitationAccepted);
        await using (var db = await Portal.DbAsync())
        {
            var stored = (await db.WebhookEndpoints.SingleAsync()).Secret;
            Assert.DoesNotContain(registration.Secret!["whsec_".Length..], stored);
            Assert.Equal(registration.Secret, Portal.Get<WebhookSecrets>().Open(stored));
            // As if the key ring had been replaced: sealed by keys this portal does not have.
            var foreign = Microsoft.AspNetCore.DataProtection.DataProtectionProvider.Create("elsewhere");
            await db.WebhookEndpoints.ExecuteUpdateAsync(s => s.SetProperty(e => e.Secret, new WebhookSecrets(foreign).Seal(registration.Secret!)));
        }
        await AcceptInvitationAsync("ada@example.org", "ada");

        await Portal.DeliverWebhooksAsync();

        Assert.Empty(_receiver.Requests);
        var delivery = Assert.Single(await DeliveriesAsync());
        Assert.Equal((WebhookDeliveryStatus.Pending, 1, (int?)null), (delivery.Status, delivery.Attempts, delivery.ResponseStatus));
        Assert.Contains("Register the endpoint again", global::Portal.Localization.RecordedTexts.Show(delivery.Response));
    }

    [DatabaseFact]
    public async Task An_accepted_invitation_reaches_the_receiver_once_with_a_valid_signature()
    {
        var registration = await RegisterAsync(WebhookEventTypes.InvitationAccepted);
        var userId = await AcceptInvitationAsync("ada@example.org", "ada");

        await Portal.DeliverWebhooksAsync();
        await Portal.DeliverWebhooksAsync();

        var request = Assert.Single(_receiver.Requests);
        var id = request.Headers["webhook-id"];
        var timestamp = request.Headers["webhook-timestamp"];
        Assert.StartsWith("msg_", id);
        Assert.Equal(_fixture.Clock.Now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), timestamp);
        Assert.Equal(WebhookSignatureTests.ExpectedSignature(registration.Secret!, id, timestamp, request.Body), request.Headers["webhook-signature"]);
        Assert.StartsWith("application/json", request.Headers["content-type"]);
        using var json = JsonDocument.Parse(request.Body);
        Assert.Equal("invitation.accepted", json.RootElement.GetProperty("type").GetString());
        Assert.True(json.RootElement.TryGetProperty("timestamp", out _));
        var data = json.RootElement.GetProperty("data");
        Assert.Equal(userId, data.GetProperty("user_id").GetString());
        Assert.Equal("ada", data.GetProperty("user_name").GetString());
        Assert.Equal("ada@example.org", data.GetProperty("email").GetString());
        Assert.DoesNotContain("password", request.Body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("token", request.Body, StringComparison.OrdinalIgnoreCase);
        var delivery = Assert.Single(await DeliveriesAsync());
        Assert.Equal((WebhookDeliveryStatus.Delivered, 1, 200, "answered 200"), (delivery.Status, delivery.Attempts, delivery.ResponseStatus, delivery.Response));
    }

    [DatabaseFact]
    public async Task A_receiver_that_fails_twice_gets_the_same_delivery_a_third_time_after_growing_delays()
    {
        await RegisterAsync();
        _receiver.Answers.Enqueue(500);
        _receiver.Answers.Enqueue(503);
        await AcceptInvitationAsync("bob@example.org", "bob");

        await Portal.DeliverWebhooksAsync();
        var first = Assert.Single(await DeliveriesAsync());
        Assert.Equal((WebhookDeliveryStatus.Pending, 1, 500), (first.Status, first.Attempts, first.ResponseStatus));
        Assert.InRange(first.NextAttemptAt - _fixture.Clock.Now.UtcDateTime, TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(30));

        // Not due yet: nothing is posted.
        await Portal.DeliverWebhooksAsync();
        Assert.Single(_receiver.Requests);

        _fixture.Clock.Now = first.NextAttemptAt;
        await Portal.DeliverWebhooksAsync();
        var second = Assert.Single(await DeliveriesAsync());
        Assert.Equal((2, 503), (second.Attempts, second.ResponseStatus));
        Assert.InRange(second.NextAttemptAt - _fixture.Clock.Now.UtcDateTime, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(60));

        _fixture.Clock.Now = second.NextAttemptAt;
        await Portal.DeliverWebhooksAsync();

        Assert.Equal(3, _receiver.Requests.Count);
        Assert.Single(_receiver.Requests.Select(r => r.Headers["webhook-id"]).Distinct());
        Assert.Equal(3, _receiver.Requests.Select(r => r.Headers["webhook-timestamp"]).Distinct().Count());
        var third = Assert.Single(await DeliveriesAsync());
        Assert.Equal((WebhookDeliveryStatus.Delivered, 3, 200), (third.Status, third.Attempts, third.ResponseStatus));
    }

    [DatabaseFact]
    public async Task A_delivery_still_refused_after_a_day_is_marked_failed()
    {
        await RegisterAsync();
        for (var i = 0; i < 100; i++)
        {
            _receiver.Answers.Enqueue(500);
        }
        await AcceptInvitationAsync("carol@example.org", "carol");
        var attempts = 0;
        WebhookDelivery delivery;
        do
        {
            await Portal.DeliverWebhooksAsync();
            delivery = Assert.Single(await DeliveriesAsync());
            Assert.Equal(++attempts, delivery.Attempts);
            _fixture.Clock.Now = delivery.NextAttemptAt;
        }
        while (delivery.Status == WebhookDeliveryStatus.Pending);

        Assert.Equal(WebhookDeliveryStatus.Failed, delivery.Status);
        Assert.InRange(delivery.LastAttemptAt!.Value - delivery.CreatedAt, TimeSpan.FromHours(20), TimeSpan.FromHours(24));
        Assert.InRange(attempts, 10, 30);
    }

    [DatabaseFact]
    public async Task A_redirect_is_a_failure_and_is_not_followed()
    {
        await RegisterAsync();
        _receiver.Answers.Enqueue(302);
        await AcceptInvitationAsync("dan@example.org", "dan");

        await Portal.DeliverWebhooksAsync();

        var request = Assert.Single(_receiver.Requests);
        Assert.Equal("/hooks", request.Path);
        var delivery = Assert.Single(await DeliveriesAsync());
        Assert.Equal((WebhookDeliveryStatus.Pending, 302), (delivery.Status, delivery.ResponseStatus));
    }

    [DatabaseFact]
    public async Task An_endpoint_whose_address_became_private_is_refused_when_sending()
    {
        var registration = await RegisterAsync();
        await using (var db = await Portal.DbAsync())
        {
            // As if the name now resolved into the private network.
            await db.WebhookEndpoints.Where(e => e.Id == registration.Endpoint!.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(e => e.Url, "http://10.255.255.1:9/hooks"));
        }
        await AcceptInvitationAsync("eve@example.org", "eve");

        await Portal.DeliverWebhooksAsync();

        var delivery = Assert.Single(await DeliveriesAsync());
        Assert.Equal(WebhookDeliveryStatus.Pending, delivery.Status);
        Assert.Null(delivery.ResponseStatus);
        Assert.Equal("The host is on this machine or a private network: webhooks are not sent there.", delivery.Response);
    }

    [DatabaseFact]
    public async Task A_failed_accept_writes_no_delivery()
    {
        await RegisterAsync();
        var token = await _fixture.InviteAsync("fay@example.org");
        await using (var db = await Portal.DbAsync())
        {
            // The account's row refuses the write that activates it, so the accept's transaction rolls back.
            await db.Database.ExecuteSqlRawAsync(db.Database.IsNpgsql()
                ? """
                  CREATE FUNCTION refuse_fay() RETURNS trigger LANGUAGE plpgsql AS $$
                  BEGIN IF NEW."UserName" = 'fay' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$;
                  CREATE TRIGGER refuse_fay BEFORE UPDATE ON "AspNetUsers" FOR EACH ROW EXECUTE FUNCTION refuse_fay();
                  """
                : """
                  CREATE TRIGGER refuse_fay BEFORE UPDATE ON AspNetUsers WHEN NEW.UserName = 'fay'
                  BEGIN SELECT RAISE(ABORT, 'refused'); END
                  """);
        }

        await Assert.ThrowsAnyAsync<Exception>(() => _fixture.Responses.AcceptAsync(token, Form("fay", "fay@example.org")));

        Assert.Empty(await DeliveriesAsync());
        await Portal.DeliverWebhooksAsync();
        Assert.Empty(_receiver.Requests);
        Assert.Empty(await Portal.AuditAsync(AuditActions.InvitationAccepted));
    }

    [DatabaseFact]
    public async Task Only_enabled_endpoints_that_asked_for_the_event_get_it()
    {
        await RegisterAsync(WebhookEventTypes.BulkFinished);
        var disabled = await RegisterAsync(WebhookEventTypes.InvitationAccepted);
        await Admin.SetEnabledAsync(InvitationPortal.Admin, disabled.Endpoint!.Id, false);
        await AcceptInvitationAsync("gus@example.org", "gus");

        Assert.Empty(await DeliveriesAsync());

        await Admin.SetEnabledAsync(InvitationPortal.Admin, disabled.Endpoint.Id, true);
        await AcceptInvitationAsync("hal@example.org", "hal");
        await Portal.DeliverWebhooksAsync();
        Assert.Contains("hal@example.org", Assert.Single(_receiver.Requests).Body);
    }

    [DatabaseFact]
    public async Task An_opt_out_names_the_invitations_and_not_the_address()
    {
        await RegisterAsync(WebhookEventTypes.InvitationOptedOut);
        var token = await _fixture.InviteAsync("ivy@example.org");

        Assert.Null(await _fixture.Responses.OptOutAsync(token, OptOutSource.Page));
        await Portal.DeliverWebhooksAsync();

        var request = Assert.Single(_receiver.Requests);
        using var json = JsonDocument.Parse(request.Body);
        Assert.Equal("invitation.opted_out", json.RootElement.GetProperty("type").GetString());
        Assert.Equal(1, json.RootElement.GetProperty("data").GetProperty("invitation_ids").GetArrayLength());
        Assert.DoesNotContain("ivy", request.Body);
    }

    [DatabaseFact]
    public async Task Resending_posts_a_delivered_event_again_with_the_same_id_and_is_audited()
    {
        var registration = await RegisterAsync();
        await AcceptInvitationAsync("jo@example.org", "joanna");
        await Portal.DeliverWebhooksAsync();
        var delivery = Assert.Single(await Admin.DeliveriesAsync(InvitationPortal.Admin, registration.Endpoint!.Id));
        Assert.Equal(WebhookDeliveryStatus.Delivered, delivery.Status);

        Assert.True(await Admin.ResendAsync(InvitationPortal.Admin, delivery.Id));
        await Portal.DeliverWebhooksAsync();

        Assert.Equal(2, _receiver.Requests.Count);
        Assert.All(_receiver.Requests, r => Assert.Equal(delivery.MessageId, r.Headers["webhook-id"]));
        Assert.Equal(delivery.MessageId, Assert.Single(await Portal.AuditAsync(AuditActions.WebhookResent)).Details!.Split(' ')[1]);
    }

    [DatabaseFact]
    public async Task Registering_switching_off_and_deleting_an_endpoint_are_audited_and_deleting_takes_its_deliveries()
    {
        var registration = await RegisterAsync();
        await AcceptInvitationAsync("kim@example.org", "kim");
        var id = registration.Endpoint!.Id;

        await Admin.SetEnabledAsync(InvitationPortal.Admin, id, false);
        Assert.True(await Admin.DeleteAsync(InvitationPortal.Admin, id));

        Assert.Equal(_receiver.Url, Assert.Single(await Portal.AuditAsync(AuditActions.WebhookRegistered)).TargetName);
        Assert.Single(await Portal.AuditAsync(AuditActions.WebhookDisabled));
        Assert.Single(await Portal.AuditAsync(AuditActions.WebhookDeleted));
        Assert.Empty(await Admin.EndpointsAsync(InvitationPortal.Admin));
        Assert.Empty(await DeliveriesAsync());
    }

    [DatabaseFact]
    public async Task Two_dispatchers_at_once_post_each_delivery_once()
    {
        await RegisterAsync();
        for (var i = 0; i < 6; i++)
        {
            await AcceptInvitationAsync($"many{i}@example.org", $"many{i}");
        }
        var dispatcher = Portal.Get<WebhookDispatcher>();

        var claimed = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(() => dispatcher.DeliverDueAsync(default))));

        Assert.Equal(6, claimed.Sum());
        Assert.Equal(6, _receiver.Requests.Select(r => r.Headers["webhook-id"]).Distinct().Count());
        Assert.Equal(6, _receiver.Requests.Count);
    }

    [DatabaseFact]
    public async Task A_delivery_claimed_by_a_node_that_died_is_posted_once_its_claim_has_run_out()
    {
        await RegisterAsync();
        await AcceptInvitationAsync("max@example.org", "maxim");
        var until = _fixture.Clock.Now.UtcDateTime.AddMinutes(5);
        await using (var db = await Portal.DbAsync())
        {
            await db.WebhookDeliveries.ExecuteUpdateAsync(s => s.SetProperty(d => d.ClaimId, Guid.NewGuid()).SetProperty(d => d.ClaimedUntil, until));
        }

        await Portal.DeliverWebhooksAsync();
        Assert.Empty(_receiver.Requests);

        _fixture.Clock.Now = until;
        await Portal.DeliverWebhooksAsync();
        Assert.Single(_receiver.Requests);
        Assert.Equal(WebhookDeliveryStatus.Delivered, Assert.Single(await DeliveriesAsync()).Status);
    }

    [DatabaseFact]
    public async Task An_event_written_before_a_restart_is_delivered_after_it()
    {
        await RegisterAsync();
        await AcceptInvitationAsync("lee@example.org", "lee");
        Portal.KeepData = true;
        await _fixture.DisposeAsync();

        await using var restarted = TestPortal.Restart(Portal);
        restarted.Settings["Webhooks:AllowInsecureUrls"] = "true";
        await restarted.DeliverWebhooksAsync();

        Assert.Contains("lee@example.org", Assert.Single(_receiver.Requests).Body);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        _receiver.Dispose();
        await _fixture.DisposeAsync();
    }
}

public sealed class WebhookDispatcherOnPostgresTests() : WebhookDispatcherTests(DatabaseProvider.Postgres), IPostgresVariant;
