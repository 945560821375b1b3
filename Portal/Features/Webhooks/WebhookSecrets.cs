using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace Portal.Features.Webhooks;

/// <summary>
/// The endpoints' signing secrets at rest: sealed with the portal's Data Protection key ring (which
/// <c>DataProtection:CertificatePath</c> encrypts in turn), so a copy of the database alone signs nothing
/// as the portal. The admin sees the secret once, when the endpoint is registered; the dispatcher opens it
/// for each request it signs.
/// </summary>
public sealed class WebhookSecrets(IDataProtectionProvider provider)
{
    private readonly IDataProtector _protector = provider.CreateProtector("Portal.Webhooks.SigningSecret");

    public string Seal(string secret) => _protector.Protect(secret);

    /// <summary>The secret, or null when the key ring that sealed it is gone (the endpoint must be registered again).</summary>
    public string? Open(string sealedSecret)
    {
        try
        {
            return _protector.Unprotect(sealedSecret);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }
}
