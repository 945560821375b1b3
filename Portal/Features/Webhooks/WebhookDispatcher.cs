using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Background;
using Portal.Data;
using Portal.Localization;

namespace Portal.Features.Webhooks;

/// <summary>
/// Posts due deliveries to their endpoints in the background, signed. A delivery stays Pending until
/// its endpoint answers with a 2xx, so a crash or a restart loses nothing (at worst the receiver gets
/// it twice, with the same <c>webhook-id</c>). Any other answer, a redirect or a timeout is retried
/// with exponential backoff and jitter until <see cref="WebhookDelivery.RetryUntil"/>, then the
/// delivery is marked Failed. Nodes sharing the database each claim their own batches.
/// </summary>
public sealed class WebhookDispatcher(
    IDbContextFactory<PortalDbContext> dbFactory,
    IHttpClientFactory httpClients,
    WebhookSecrets secrets,
    IOptions<WebhooksOptions> options,
    TimeProvider clock,
    ILogger<WebhookDispatcher> logger) : BackgroundService
{
    public const string HttpClientName = "webhooks";

    private readonly WorkLoop _loop = new(clock);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        _loop.RunAsync(
            async cancellationToken => await DeliverDueAsync(cancellationToken) >= options.Value.BatchSize,
            options.Value.PollInterval,
            ex => logger.LogError(ex, "Webhook dispatch failed; trying again in {Interval}", options.Value.PollInterval),
            stoppingToken);

    /// <summary>Has the background dispatcher post every delivery due now, and completes once each has been attempted.</summary>
    public Task DeliverNowAsync(CancellationToken cancellationToken = default) => _loop.WorkedOffAsync(cancellationToken);

    /// <summary>Wakes the dispatcher: a delivery was queued again.</summary>
    public void Wake() => _loop.Wake();

    /// <summary>Claims one batch of due deliveries and posts them one after another; returns how many were claimed.</summary>
    public async Task<int> DeliverDueAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var claim = Guid.NewGuid();
        var now = clock.GetUtcNow().UtcDateTime;
        var until = now + settings.LeaseDuration;
        List<WebhookDelivery> due;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            // Those of a switched-off endpoint wait until it is switched on again.
            due = await Leases.ClaimAsync(db,
                db.WebhookDeliveries.Where(d => d.Status == WebhookDeliveryStatus.Pending && d.Endpoint!.Enabled), db.WebhookDeliveries.Include(d => d.Endpoint),
                nameof(PortalDbContext.WebhookDeliveries),
                $"\"Status\" = {(int)WebhookDeliveryStatus.Pending} AND EXISTS (SELECT 1 FROM \"WebhookEndpoints\" e WHERE e.\"Id\" = \"EndpointId\" AND e.\"Enabled\")",
                claim, now, until, settings.BatchSize, cancellationToken);
        }
        var sent = 0;
        try
        {
            // A post starts only if it ends within the claim: after that another node may post it too.
            while (sent < due.Count && !cancellationToken.IsCancellationRequested && clock.GetUtcNow().UtcDateTime < until - settings.Timeout)
            {
                await RecordAsync(due[sent], await PostAsync(due[sent], cancellationToken));
                sent++;
            }
        }
        finally
        {
            if (sent < due.Count)
            {
                await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
                await Leases.ReleaseAsync(db.WebhookDeliveries, claim, due.Skip(sent).Select(d => d.Id).ToList(), CancellationToken.None);
            }
        }
        return due.Count;
    }

    private sealed record Answer(int? Status, string Text)
    {
        public bool Delivered => Status is >= 200 and < 300;
    }

    private async Task<Answer> PostAsync(WebhookDelivery delivery, CancellationToken cancellationToken)
    {
        var endpoint = delivery.Endpoint!;
        if (secrets.Open(endpoint.Secret) is not { } secret)
        {
            return new Answer(null, RecordedTexts.Record("WebhookSecretUnreadable"));
        }
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url)
        {
            Content = new StringContent(delivery.Payload, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        request.Headers.Add("webhook-id", delivery.MessageId);
        request.Headers.Add("webhook-timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", WebhookSignature.Sign(secret, delivery.MessageId, timestamp, delivery.Payload));
        // On the portal's clock, so the timeout can be tested without waiting for it.
        using var timeout = new CancellationTokenSource(options.Value.Timeout, clock);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, either.Token);
            return new Answer((int)response.StatusCode, await FirstBytesAsync(response, either.Token));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new Answer(null, RecordedTexts.Record("WebhookTimedOut"));
        }
        catch (HttpRequestException ex)
        {
            return new Answer(null, (ex as WebhookAddressRefusedException ?? ex.InnerException as WebhookAddressRefusedException)?.Message
                ?? (ex.InnerException is null ? ex.Message : $"{ex.Message} ({ex.InnerException.Message})"));
        }
    }

    private static async Task<string> FirstBytesAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var buffer = new byte[WebhookEndpointLimits.ResponseLength];
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        var read = await body.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken);
        var text = Encoding.UTF8.GetString(buffer, 0, read);
        return text.Length <= WebhookEndpointLimits.ResponseLength ? text : text[..WebhookEndpointLimits.ResponseLength];
    }

    private async Task RecordAsync(WebhookDelivery delivery, Answer answer)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var attempts = delivery.Attempts + 1;
        var next = now + Backoff.Delay(attempts, options.Value.FirstRetryDelay, options.Value.MaxRetryDelay);
        var status = answer.Delivered ? WebhookDeliveryStatus.Delivered
            : next > delivery.RetryUntil ? WebhookDeliveryStatus.Failed
            : WebhookDeliveryStatus.Pending;
        if (!answer.Delivered)
        {
            logger.LogWarning("Webhook delivery {Id} to endpoint {Endpoint} failed (attempt {Attempt}, now {Status}): {HttpStatus} {Answer}",
                delivery.Id, delivery.EndpointId, attempts, status, answer.Status, answer.Text);
        }
        await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
        await db.WebhookDeliveries.Where(d => d.Id == delivery.Id).ExecuteUpdateAsync(s => s
            .SetProperty(d => d.Status, status)
            .SetProperty(d => d.Attempts, d => d.Attempts + 1)
            .SetProperty(d => d.LastAttemptAt, now)
            .SetProperty(d => d.NextAttemptAt, status == WebhookDeliveryStatus.Pending ? next : now)
            .SetProperty(d => d.ResponseStatus, answer.Status)
            .SetProperty(d => d.Response, answer.Text)
            .SetProperty(d => d.ClaimId, (Guid?)null)
            .SetProperty(d => d.ClaimedUntil, (DateTime?)null), CancellationToken.None);
    }
}
