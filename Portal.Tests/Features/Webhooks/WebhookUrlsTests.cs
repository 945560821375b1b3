using System.Net;
using Portal.Features.Webhooks;

namespace Portal.Tests.Features.Webhooks;

public class WebhookUrlsTests
{
    [Theory]
    [InlineData("https://127.0.0.1/hooks")]
    [InlineData("https://10.1.2.3/hooks")]
    [InlineData("https://172.16.0.1/hooks")]
    [InlineData("https://192.168.1.10/hooks")]
    [InlineData("https://169.254.169.254/latest/meta-data")]
    [InlineData("https://[::1]/hooks")]
    [InlineData("https://[fc00::1]/hooks")]
    [InlineData("https://[fd12:3456::1]/hooks")]
    [InlineData("https://[fe80::1]/hooks")]
    [InlineData("https://[::ffff:10.0.0.1]/hooks")]
    [InlineData("https://0.0.0.0/hooks")]
    [InlineData("https://localhost/hooks")]
    public async Task An_address_on_this_machine_or_a_private_network_is_refused(string url)
    {
        Assert.Equal(WebhookUrlProblem.InternalAddress, await WebhookUrls.CheckAsync(url, allowInsecure: false, default));
    }

    [Theory]
    [InlineData("https://10.1.2.3/hooks")]
    [InlineData("https://192.168.1.10/hooks")]
    [InlineData("https://169.254.169.254/hooks")]
    [InlineData("https://[fc00::1]/hooks")]
    public async Task Allowing_insecure_urls_still_refuses_private_and_link_local_addresses(string url)
    {
        Assert.Equal(WebhookUrlProblem.InternalAddress, await WebhookUrls.CheckAsync(url, allowInsecure: true, default));
    }

    [Fact]
    public async Task Plain_http_is_refused_unless_insecure_urls_are_allowed_which_allows_loopback_too()
    {
        Assert.Equal(WebhookUrlProblem.NotHttps, await WebhookUrls.CheckAsync("http://93.184.215.14/hooks", allowInsecure: false, default));
        Assert.Null(await WebhookUrls.CheckAsync("http://127.0.0.1:5000/hooks", allowInsecure: true, default));
        Assert.Null(await WebhookUrls.CheckAsync("http://[::1]:5000/hooks", allowInsecure: true, default));
    }

    [Fact]
    public async Task A_public_address_over_https_is_accepted()
    {
        Assert.Null(await WebhookUrls.CheckAsync("https://93.184.215.14/hooks", allowInsecure: false, default));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a url")]
    [InlineData("ftp://93.184.215.14/hooks")]
    [InlineData("https://user:pass@93.184.215.14/hooks")]
    public async Task What_is_not_an_http_url_is_malformed(string url)
    {
        Assert.Equal(WebhookUrlProblem.Malformed, await WebhookUrls.CheckAsync(url, allowInsecure: true, default));
    }

    [Fact]
    public async Task Connecting_checks_the_addresses_again_and_refuses_loopback_unless_allowed()
    {
        await Assert.ThrowsAsync<WebhookAddressRefusedException>(() =>
            WebhookUrls.ConnectAsync(new DnsEndPoint("127.0.0.1", 9), allowInsecure: false, default).AsTask());
        await Assert.ThrowsAsync<WebhookAddressRefusedException>(() =>
            WebhookUrls.ConnectAsync(new DnsEndPoint("10.0.0.1", 443), allowInsecure: true, default).AsTask());
    }
}
