using Microsoft.Extensions.Options;

namespace Portal.Features.Webhooks;

public static class WebhooksSetup
{
    /// <summary>Signed webhooks: the events features raise, the admin's endpoints, the dispatcher that posts them.</summary>
    public static IServiceCollection AddWebhooks(this IServiceCollection services)
    {
        services.AddSettings<WebhooksOptions>(WebhooksOptions.Section);
        services.AddSingleton<WebhookEvents>();
        services.AddSingleton<WebhookAdmin>();
        services.AddSingleton<WebhookSecrets>();
        services.AddHttpClient(WebhookDispatcher.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(sp =>
            {
                var allowInsecure = sp.GetRequiredService<IOptions<WebhooksOptions>>().Value.AllowInsecureUrls;
                // A redirect is an answer like any other that is not a 2xx; the addresses are checked on every connection.
                return new SocketsHttpHandler
                {
                    AllowAutoRedirect = false,
                    UseProxy = false,
                    UseCookies = false,
                    ConnectCallback = (context, cancellationToken) => WebhookUrls.ConnectAsync(context.DnsEndPoint, allowInsecure, cancellationToken),
                };
            })
            .ConfigureHttpClient((sp, client) => client.Timeout = Timeout.InfiniteTimeSpan);
        services.AddSingleton<WebhookDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<WebhookDispatcher>());
        return services;
    }
}
