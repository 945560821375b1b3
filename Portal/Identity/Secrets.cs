using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Portal.Identity;

/// <summary>
/// Secrets carried in links: 256 random bits from the CSPRNG, base64url-encoded. Only their SHA-256
/// is stored; rows are found by that hash, so a leaked database holds no usable link.
/// </summary>
public static class Secrets
{
    private const int TokenBytes = 32;
    public const int TokenLength = 43;

    public static (string Token, string Hash) NewToken()
    {
        var token = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(TokenBytes));
        return (token, Hash(token));
    }

    public static string Hash(string token) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(token)));

    /// <summary>True when the text has the shape of a token (it may still be unknown).</summary>
    public static bool IsWellFormed(string? token) =>
        token is { Length: TokenLength } && Base64Url.IsValid(token);
}
