using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Portal.Data;
using Portal.Features.Webhooks;
using Portal.Identity;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Features.Webhooks;

public sealed class WebhookTimeoutTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly WebhookReceiver _receiver = new();
    private readonly TestPortal _portal;

    public WebhookTimeoutTests()
    {
        _portal = TestPortal.WithServices(services =>
        {
            // The test posts itself, on a clock it moves.
            services.RemoveAll<IHostedService>();
            services.AddSingleton<TimeProvider>(_clock);
        });
        _portal.Settings["Webhooks:AllowInsecureUrls"] = "true";
    }

    [Fact]
    public async Task A_receiver_that_does_not_answer_within_the_timeout_is_retried_later()
    {
        await _portal.Get<WebhookAdmin>().RegisterAsync(Actor.System, _receiver.Url, WebhookEventTypes.All);
        await using (var db = await _portal.DbAsync())
        {
            await _portal.Get<WebhookEvents>().RaiseAsync(db, WebhookEventTypes.BulkFinished, new { JobId = 1 }, default);
            await db.SaveChangesAsync();
        }
        var silence = new TaskCompletionSource();
        _receiver.Silence = silence.Task;
        var received = _receiver.Received;

        var posting = _portal.Get<WebhookDispatcher>().DeliverDueAsync(default);
        await Patience.For(received, "the receiver to get the request");
        _clock.Advance(TimeSpan.FromSeconds(10));
        await Patience.For(posting, "the post to time out");
        silence.SetResult();

        await using var check = await _portal.DbAsync();
        var delivery = await check.WebhookDeliveries.SingleAsync();
        Assert.Equal((WebhookDeliveryStatus.Pending, 1, null, "No answer in time."), (delivery.Status, delivery.Attempts, delivery.ResponseStatus, delivery.Response));
        Assert.True(delivery.NextAttemptAt > _clock.GetUtcNow().UtcDateTime);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        _receiver.Dispose();
        await _portal.DisposeAsync();
    }
}
