using System.Net;
using System.Net.Sockets;
using Portal.Localization;

namespace Portal.Features.Webhooks;

/// <summary>A connection refused because the host is, or resolves to, an internal address; its message is recorded for the admin.</summary>
public sealed class WebhookAddressRefusedException() : HttpRequestException(RecordedTexts.Record("WebhookAddressRefused"));

/// <summary>Why an endpoint's URL is refused; the page says each in the reader's language.</summary>
public enum WebhookUrlProblem
{
    Malformed,
    NotHttps,

    /// <summary>The host does not resolve.</summary>
    Unresolved,

    /// <summary>The host is, or resolves to, an address on this machine or a private network.</summary>
    InternalAddress,
}

/// <summary>
/// Which URLs the portal will post to: https only, to hosts whose every address is public. The
/// addresses are checked when an endpoint is registered and again on every connection, as the name
/// may resolve elsewhere by then; with <see cref="WebhooksOptions.AllowInsecureUrls"/> http and
/// loopback are allowed too, for development and tests.
/// </summary>
public static class WebhookUrls
{
    public static async Task<WebhookUrlProblem?> CheckAsync(string? text, bool allowInsecure, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(text?.Trim(), UriKind.Absolute, out var url) || url.Scheme is not ("https" or "http")
            || !string.IsNullOrEmpty(url.UserInfo) || !string.IsNullOrEmpty(url.Fragment) || url.OriginalString.Length > Data.WebhookEndpointLimits.UrlLength)
        {
            return WebhookUrlProblem.Malformed;
        }
        if (url.Scheme != "https" && !allowInsecure)
        {
            return WebhookUrlProblem.NotHttps;
        }
        IPAddress[] addresses;
        try
        {
            addresses = await ResolveAsync(url.IdnHost, cancellationToken);
        }
        catch (SocketException)
        {
            return WebhookUrlProblem.Unresolved;
        }
        return addresses.Length == 0 ? WebhookUrlProblem.Unresolved
            : addresses.Any(a => IsInternal(a, allowInsecure)) ? WebhookUrlProblem.InternalAddress
            : null;
    }

    /// <summary>
    /// Connects the way the webhook client does: resolves the host, refuses it if any address is
    /// internal, and connects to one of the addresses it checked, so a name cannot pass the check and
    /// then resolve elsewhere.
    /// </summary>
    public static async ValueTask<Stream> ConnectAsync(DnsEndPoint endpoint, bool allowInsecure, CancellationToken cancellationToken)
    {
        var addresses = await ResolveAsync(endpoint.Host, cancellationToken);
        if (addresses.Length == 0 || addresses.Any(a => IsInternal(a, allowInsecure)))
        {
            throw new WebhookAddressRefusedException();
        }
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, endpoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static async Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
        IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);

    /// <summary>
    /// Loopback, private (RFC 1918), shared (RFC 6598), link-local, unique-local, unspecified,
    /// multicast and broadcast addresses; IPv4 inside IPv6 counts as the IPv4 address.
    /// </summary>
    public static bool IsInternal(IPAddress address, bool allowLoopback = false)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (IPAddress.IsLoopback(address))
        {
            return !allowLoopback;
        }
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return b[0] is 0 or 10 or >= 224
                || (b[0] == 100 && b[1] is >= 64 and < 128)
                || (b[0] == 169 && b[1] == 254)
                || (b[0] == 172 && b[1] is >= 16 and < 32)
                || (b[0] == 192 && b[1] == 168);
        }
        var bytes = address.GetAddressBytes();
        return address.Equals(IPAddress.IPv6None) || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast
            || (bytes[0] & 0xfe) == 0xfc;
    }
}
