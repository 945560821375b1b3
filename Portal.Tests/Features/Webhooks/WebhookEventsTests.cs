using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Portal.Data;
using Portal.Features.Confirmations;
using Portal.Features.Invitations.Bulk;
using Portal.Features.Registration;
using Portal.Features.Webhooks;
using Portal.Identity;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Features.Webhooks;

/// <summary>Each feature's events reach the webhook outbox, with the data a receiver needs and no more.</summary>
public sealed class WebhookEventsTests
{
    /// <summary>An endpoint for every event; nothing is posted to it (the dispatcher waits to be asked).</summary>
    private static Task SubscribeAsync(TestPortal portal) =>
        portal.Get<WebhookAdmin>().RegisterAsync(Actor.System, "https://93.184.215.14/hooks", WebhookEventTypes.All);

    /// <summary>The events written so far, oldest first: their type and their data.</summary>
    private static async Task<List<(string Type, JsonElement Data)>> EventsAsync(TestPortal portal)
    {
        await using var db = await portal.DbAsync();
        var payloads = await db.WebhookDeliveries.AsNoTracking().OrderBy(d => d.Id).Select(d => new { d.EventType, d.Payload }).ToListAsync();
        return payloads.Select(p =>
        {
            var root = JsonDocument.Parse(p.Payload).RootElement;
            Assert.Equal(p.EventType, root.GetProperty("type").GetString());
            return (p.EventType, root.GetProperty("data").Clone());
        }).ToList();
    }

    [Fact]
    public async Task Activating_an_account_by_its_link_or_by_an_admin_raises_registration_activated()
    {
        await using var fixture = new RegistrationPortal();
        await SubscribeAsync(fixture.Portal);
        var key = await fixture.SignUpAsync("nora", "nora@example.org");
        await fixture.SignUpAsync("otto", "otto@example.org");
        var otto = (await fixture.UserAsync("otto@example.org"))!;

        Assert.Equal(ActivationOutcome.Activated, (await fixture.Registrations.ActivateAsync(key)).Outcome);
        var admin = new Actor("admin-id", "Grace Admin", new HashSet<string> { Roles.Admin });
        Assert.Equal(1, (await fixture.Portal.Get<PendingActivations>().ActivateAsync(admin, [otto.Id])).Done);

        var events = await EventsAsync(fixture.Portal);
        Assert.Equal([WebhookEventTypes.RegistrationActivated, WebhookEventTypes.RegistrationActivated], events.Select(e => e.Type));
        Assert.Equal([(await fixture.UserAsync("nora@example.org"))!.Id, otto.Id], events.Select(e => e.Data.GetProperty("user_id").GetString()));
        Assert.Equal(["nora@example.org", "otto@example.org"], events.Select(e => e.Data.GetProperty("email").GetString()));
        Assert.DoesNotContain(key, events[0].Data.GetRawText());
    }

    [Fact]
    public async Task Approving_and_rejecting_sign_ups_raise_their_events()
    {
        await using var portal = new TestPortal();
        await SubscribeAsync(portal);
        var moderator = new Actor("moderator-id", "Mona Moderator", new HashSet<string> { Roles.Moderator });
        var (approvedUser, approved) = await portal.SeedSignUpAsync("yes@example.org");
        var (_, rejected) = await portal.SeedSignUpAsync("no@example.org");
        var review = portal.Get<RegistrationReview>();

        await review.ApproveAsync(moderator, [approved.Id]);
        await review.RejectAsync(moderator, [rejected.Id], "Not a member of the club.");

        var events = await EventsAsync(portal);
        Assert.Equal([WebhookEventTypes.RegistrationApproved, WebhookEventTypes.RegistrationRejected], events.Select(e => e.Type));
        Assert.Equal((approved.Id, approvedUser.Id), (events[0].Data.GetProperty("sign_up_id").GetInt64(), events[0].Data.GetProperty("user_id").GetString()));
        Assert.Equal(("no@example.org", rejected.Id), (events[1].Data.GetProperty("email").GetString(), events[1].Data.GetProperty("sign_up_id").GetInt64()));
    }

    [Fact]
    public async Task A_confirmed_change_an_approved_one_and_a_rejected_one_raise_their_events_without_the_values()
    {
        await using var fixture = new ConfirmationsPortal();
        await SubscribeAsync(fixture.Portal);
        var (user, member) = await fixture.PersonAsync("ada@example.org");
        var (_, moderator) = await fixture.PersonAsync("mod@example.org", Roles.Moderator);

        var phone = (await fixture.RequestAsync(member, "phone")).ChangeId!.Value;
        Assert.Equal(ChangeOutcome.Applied, (await fixture.Requests.ConfirmWithCodeAsync(member, phone, await fixture.CodeAsync(phone))).Outcome);
        var approved = (await fixture.RequestAsync(member, "profile")).ChangeId!.Value;
        Assert.Equal(ChangeOutcome.Applied, (await fixture.Moderation.ApproveAsync(moderator, approved, (await fixture.RowAsync(approved)).Version)).Outcome);
        var rejected = (await fixture.RequestAsync(member, "profile", variant: 1)).ChangeId!.Value;
        Assert.Equal(ChangeOutcome.Rejected, (await fixture.Moderation.RejectAsync(moderator, rejected, "Not your name.")).Outcome);

        var events = await EventsAsync(fixture.Portal);
        Assert.Equal([WebhookEventTypes.ChangeConfirmed, WebhookEventTypes.ChangeApproved, WebhookEventTypes.ChangeRejected], events.Select(e => e.Type));
        Assert.Equal([phone, approved, rejected], events.Select(e => e.Data.GetProperty("change_id").GetInt64()));
        Assert.Equal(["phone", "profile", "profile"], events.Select(e => e.Data.GetProperty("kind").GetString()));
        Assert.Equal(["applied", "applied", "rejected"], events.Select(e => e.Data.GetProperty("status").GetString()));
        Assert.All(events, e => Assert.Equal(user.Id, e.Data.GetProperty("user_id").GetString()));
        var proposed = ConfirmationsPortal.Proposal("phone").Values.Concat(ConfirmationsPortal.Proposal("profile").Values).OfType<string>();
        Assert.All(proposed, value => Assert.All(events, e => Assert.DoesNotContain(value, e.Data.GetRawText())));
    }

    [Fact]
    public async Task A_finished_bulk_run_raises_bulk_finished_with_its_counts()
    {
        await using var portal = TestPortal.WithServices(services => services.RemoveAll<IHostedService>());
        await SubscribeAsync(portal);
        var admin = new Actor("bulk-admin", "Bulk Admin", new HashSet<string> { Roles.Admin });
        var jobId = await portal.Get<BulkAnalysis>().AnalyzeAsync(admin, "people.csv",
            new MemoryStream(Encoding.UTF8.GetBytes("email\na@example.org\nb@example.org\n")));
        Assert.Null(await portal.Get<BulkRuns>().StartAsync(admin, jobId, new BulkRunOptions(null, null, Resend: false, ExpiryDays: 14)));

        await portal.Get<BulkRuns>().RunToEndAsync(jobId, default);

        var (type, data) = Assert.Single(await EventsAsync(portal));
        Assert.Equal(WebhookEventTypes.BulkFinished, type);
        Assert.Equal((jobId, "people.csv", 2, 2),
            (data.GetProperty("job_id").GetInt64(), data.GetProperty("file_name").GetString(), data.GetProperty("processed_rows").GetInt32(), data.GetProperty("sent_rows").GetInt32()));
    }
}
