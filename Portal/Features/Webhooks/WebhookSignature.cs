using System.Security.Cryptography;
using System.Text;

namespace Portal.Features.Webhooks;

/// <summary>
/// Signatures as the Standard Webhooks specification has them: the secret is <c>whsec_</c> and the
/// base64 of the key; the signature is <c>v1,</c> and the base64 of the HMAC-SHA256, under the key,
/// of <c>{webhook-id}.{webhook-timestamp}.{body}</c>.
/// </summary>
public static class WebhookSignature
{
    public const string SecretPrefix = "whsec_";

    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public static string Sign(string secret, string id, long timestamp, string body)
    {
        var key = Convert.FromBase64String(secret[SecretPrefix.Length..]);
        var signed = Encoding.UTF8.GetBytes($"{id}.{timestamp}.{body}");
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, signed));
    }
}
