using System.ComponentModel.DataAnnotations;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.HttpOverrides;
using IPNetwork = System.Net.IPNetwork;

namespace Portal.Components;

/// <summary>
/// The "Proxy" configuration section. <c>Proxy:KnownNetworks</c>: the addresses of the reverse proxies
/// (load balancers) in front of the portal, as networks ("10.0.0.0/8") or single addresses. Only
/// requests from them may say, with X-Forwarded-For and X-Forwarded-Proto, which client they come from
/// and whether it used HTTPS: the per-address rate limits count the real client, not the proxy.
/// Default: this machine only.
/// </summary>
public sealed class ProxyOptions : IValidatableObject
{
    public const string Section = "Proxy";

    private static readonly string[] Loopback = ["127.0.0.0/8", "::1/128"];

    public List<string> KnownNetworks { get; set; } = [];

    /// <summary>What the forwarded headers middleware believes, and from whom.</summary>
    public ForwardedHeadersOptions Forwarding()
    {
        var options = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto };
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        // Every configured entry was checked at start.
        foreach (var entry in KnownNetworks.Count > 0 ? KnownNetworks : [.. Loopback])
        {
            options.KnownIPNetworks.Add(Parse(entry)!.Value);
        }
        return options;
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (entry, i) in KnownNetworks.Select((entry, i) => (entry, i)))
        {
            if (Parse(entry) is null)
            {
                yield return new ValidationResult(
                    $"is {SettingsValidation.Shown(entry)}, which is neither an address nor a network; write networks like 10.0.0.0/8 and addresses like 10.1.2.3",
                    [$"{nameof(KnownNetworks)}:{i}"]);
            }
        }
    }

    private static IPNetwork? Parse(string entry) =>
        IPNetwork.TryParse(entry.Trim(), out var network) ? network
        : IPAddress.TryParse(entry.Trim(), out var address) ? new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128)
        : null;
}
