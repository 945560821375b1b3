using Portal.Identity;

namespace Portal.Tests.Identity;

public sealed class PortalLookupNormalizerTests
{
    private readonly PortalLookupNormalizer _normalizer = new();

    [Fact]
    public void Spellings_of_one_address_share_one_lookup_key()
    {
        Assert.Equal(_normalizer.NormalizeEmail("ada@example.org"), _normalizer.NormalizeEmail(" Ada@EXAMPLE.org "));
        Assert.Equal(_normalizer.NormalizeEmail("ada@bücher.example"), _normalizer.NormalizeEmail("ada@xn--bcher-kva.example"));
    }

    [Fact]
    public void Different_addresses_have_different_keys() =>
        Assert.NotEqual(_normalizer.NormalizeEmail("ada@example.org"), _normalizer.NormalizeEmail("ada@example.com"));
}
