using Microsoft.Extensions.Options;
using Portal.Data;

namespace Portal.Features.OptOut;

public static class OptOutSetup
{
    /// <summary>The list of addresses that opted out of invitations, kept as keyed hashes.</summary>
    public static IServiceCollection AddOptOut(this IServiceCollection services)
    {
        services.AddSettings<OptOutOptions>(OptOutOptions.Section);
        services.AddSingleton(sp => OptOutKey.Load(sp.GetRequiredService<IOptions<OptOutOptions>>(), sp.GetRequiredService<PortalPaths>()));
        services.AddSingleton<OptOutList>();
        return services;
    }
}
