using System.Globalization;
using Bunit;
using Microsoft.EntityFrameworkCore;
using MudBlazor;
using Portal.Data;
using Portal.Features.Audit;
using Portal.Features.Webhooks;
using Portal.Identity;
using Portal.Tests.Components;

namespace Portal.Tests.Features.Webhooks;

public sealed class WebhooksPageTests : PageWithProvidersTest
{
    private const string Url = "https://93.184.215.14/hooks";

    private async Task<(long EndpointId, long DeliveryId)> SeedAsync(WebhookDeliveryStatus status)
    {
        var registration = await Portal.Get<WebhookAdmin>().RegisterAsync(Actor.System, Url, [WebhookEventTypes.BulkFinished]);
        await using var db = await Portal.DbAsync();
        await Portal.Get<WebhookEvents>().RaiseAsync(db, WebhookEventTypes.BulkFinished, new { JobId = 7 }, default);
        await db.SaveChangesAsync();
        var delivery = await db.WebhookDeliveries.SingleAsync();
        delivery.Status = status;
        delivery.Attempts = 9;
        delivery.ResponseStatus = 500;
        delivery.Response = "upstream exploded";
        await db.SaveChangesAsync();
        return (registration.Endpoint!.Id, delivery.Id);
    }

    [Fact]
    public async Task Registering_shows_the_secret_once_and_lists_the_endpoint()
    {
        await SignInAdminAsync();
        var cut = RenderPage<WebhooksPage>();
        Eventually(cut, () => cut.Find("[data-testid=no-endpoints]"));

        await TypeAsync(cut, "URL", Url);
        var bulkFinished = cut.FindComponents<MudCheckBox<bool>>().Single(c => c.Instance.Label == WebhookEventTypes.BulkFinished);
        await bulkFinished.InvokeAsync(() => bulkFinished.Instance.ValueChanged.InvokeAsync(false));
        await ClickAsync(cut, () => Button(cut, "Register"));

        Eventually(cut, () => Assert.StartsWith("whsec_", cut.Find("[data-secret]").TextContent));
        var secret = cut.Find("[data-secret]").TextContent;
        await using (var db = await Portal.DbAsync())
        {
            var stored = await db.WebhookEndpoints.SingleAsync();
            Assert.Equal((Url, secret, true), (stored.Url, Portal.Get<WebhookSecrets>().Open(stored.Secret), stored.Enabled));
            Assert.DoesNotContain(WebhookEventTypes.BulkFinished, WebhookEvents.Read(stored.Events));
            Assert.Equal(WebhookEventTypes.All.Count - 1, WebhookEvents.Read(stored.Events).Count);
        }
        Assert.Equal(Url, cut.Find("[data-endpoint] [data-url]").TextContent);
        Assert.Single(await Portal.AuditAsync(AuditActions.WebhookRegistered));

        await ClickAsync(cut, () => Button(cut, "I have copied it"));
        Eventually(cut, () => Assert.Empty(cut.FindAll("[data-secret]")));
        // The list of endpoints never carries it.
        Assert.DoesNotContain(secret, cut.Markup);
        Assert.Contains(Url, cut.Markup);
    }

    [Fact]
    public async Task A_plain_http_or_private_url_is_refused_with_the_reason_beside_the_field()
    {
        await SignInAdminAsync();
        var cut = RenderPage<WebhooksPage>();
        Eventually(cut, () => cut.Find("[data-testid=no-endpoints]"));

        await TypeAsync(cut, "URL", "http://93.184.215.14/hooks");
        await ClickAsync(cut, () => Button(cut, "Register"));
        Eventually(cut, () => Assert.Contains("The URL must start with https://.", cut.Markup));

        await TypeAsync(cut, "URL", "https://192.168.1.1/hooks");
        await ClickAsync(cut, () => Button(cut, "Register"));
        Eventually(cut, () => Assert.Contains("The host is on this machine or a private network: webhooks are not sent there.", cut.Markup));
        Assert.Empty(cut.FindAll("[data-secret]"));
        await using var db = await Portal.DbAsync();
        Assert.Empty(await db.WebhookEndpoints.ToListAsync());
    }

    [Fact]
    public async Task The_deliveries_are_listed_and_one_is_resent()
    {
        await SignInAdminAsync();
        var (_, deliveryId) = await SeedAsync(WebhookDeliveryStatus.Failed);
        var cut = RenderPage<WebhooksPage>();
        Eventually(cut, () => cut.Find($"[data-delivery='{deliveryId}']"));

        var row = cut.Find($"[data-delivery='{deliveryId}']");
        Assert.Contains(WebhookEventTypes.BulkFinished, row.TextContent);
        Assert.Contains("Failed", row.TextContent);
        Assert.Contains("500", row.TextContent);
        Assert.Contains("upstream exploded", row.TextContent);

        await ClickAsync(cut, () => Button(cut.Find($"[data-delivery='{deliveryId}']"), "Resend"));

        Eventually(cut, () => Assert.Contains("Pending", cut.Find($"[data-delivery='{deliveryId}']").TextContent));
        Assert.Equal([$"{WebhookEventTypes.BulkFinished} is sent again."], Snackbars);
        await using var db = await Portal.DbAsync();
        var delivery = await db.WebhookDeliveries.SingleAsync();
        Assert.Equal((WebhookDeliveryStatus.Pending, 0), (delivery.Status, delivery.Attempts));
        Assert.Single(await Portal.AuditAsync(AuditActions.WebhookResent));
    }

    [Fact]
    public async Task Disabling_and_deleting_an_endpoint()
    {
        await SignInAdminAsync();
        await SeedAsync(WebhookDeliveryStatus.Delivered);
        var cut = RenderPage<WebhooksPage>();
        Eventually(cut, () => cut.Find("[data-endpoint]"));

        await ClickAsync(cut, () => Button(cut, "Disable"));
        Eventually(cut, () => Assert.Equal("Disabled", cut.Find("[data-endpoint] [data-status]").GetAttribute("data-status")));
        await ClickAsync(cut, () => Button(cut, "Delete"));
        Eventually(cut, () => Dialog(cut));
        await ClickAsync(cut, () => Button(Dialog(cut), "Delete"));

        Eventually(cut, () => cut.Find("[data-testid=no-endpoints]"));
        await using var db = await Portal.DbAsync();
        Assert.Empty(await db.WebhookEndpoints.ToListAsync());
        Assert.Empty(await db.WebhookDeliveries.ToListAsync());
    }

    [Fact]
    public async Task The_page_reads_in_German()
    {
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("de");
        await SignInAdminAsync();
        var (_, deliveryId) = await SeedAsync(WebhookDeliveryStatus.Delivered);
        var cut = RenderPage<WebhooksPage>();
        Eventually(cut, () => cut.Find($"[data-delivery='{deliveryId}']"));

        Assert.Equal("Webhooks", cut.Find("h1").TextContent);
        Assert.Equal(["Endpunkt registrieren", "Endpunkte"], cut.FindAll("h2").Select(h => h.TextContent));
        Assert.Equal(["Ereignis", "Zeit", "Status", "Versuche", "HTTP-Status", "Antwort", "Nächster Versuch", "Aktionen"],
            cut.FindAll("[data-grid=deliveries] th").Select(h => h.TextContent.Trim()));
        Assert.Contains("Zugestellt", cut.Find($"[data-delivery='{deliveryId}']").TextContent);
        Button(cut, "Deaktivieren");
        Button(cut.Find($"[data-delivery='{deliveryId}']"), "Erneut senden");

        await TypeAsync(cut, "URL", "http://93.184.215.14/hooks");
        await ClickAsync(cut, () => Button(cut, "Registrieren"));
        Eventually(cut, () => Assert.Contains("Die URL muss mit https:// beginnen.", cut.Markup));
    }
}
