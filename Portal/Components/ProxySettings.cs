using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.HttpOverrides;
using IPNetwork = System.Net.IPNetwork;

namespace Portal.Components;

/// <summary>
/// <c>Proxy:KnownNetworks</c>: the addresses of the reverse proxies (load balancers) in front of the
/// portal, as networks ("10.0.0.0/8") or single addresses. Only requests from them may say, with
/// X-Forwarded-For and X-Forwarded-Proto, which client they come from and whether it used HTTPS: the
/// per-address rate limits count the real client, not the proxy. Default: this machine only.
/// </summary>
public static class ProxySettings
{
    public const string Section = "Proxy:KnownNetworks";

    private static readonly string[] Loopback = ["127.0.0.0/8", "::1/128"];

    /// <summary>Read and checked as the pipeline is built, before the portal listens: a mistyped network stops the start with a clear message.</summary>
    public static ForwardedHeadersOptions Read(IConfiguration configuration)
    {
        var configured = configuration.GetSection(Section).Get<string[]>() is { Length: > 0 } list ? list : Loopback;
        var options = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto };
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var entry in configured)
        {
            options.KnownIPNetworks.Add(Parse(entry.Trim()));
        }
        return options;
    }

    private static IPNetwork Parse(string entry)
    {
        if (IPNetwork.TryParse(entry, out var network))
        {
            return network;
        }
        if (IPAddress.TryParse(entry, out var address))
        {
            return new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128);
        }
        throw new InvalidOperationException(
            $"{Section} has \"{entry}\", which is neither an address nor a network; write networks like \"10.0.0.0/8\" and addresses like \"10.1.2.3\".");
    }
}
