using System.Security.Cryptography;
using Portal.Data;
using Portal.Identity;

namespace Portal.Features.Confirmations;

/// <summary>
/// The secrets that confirm a change: a link token for mail, six digits for a text message, eight
/// characters from an alphabet without look-alikes (no 0/O, 1/I/L) for letters and transfers.
/// A code is hashed together with its change's id, so it is bound to that change and equal codes
/// of two changes never collide.
/// </summary>
public static class ConfirmationCodes
{
    public const string Alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

    public static string New(ChangeChannel channel) => channel switch
    {
        ChangeChannel.Link => Secrets.NewToken().Token,
        ChangeChannel.Sms => RandomNumberGenerator.GetString("0123456789", 6),
        ChangeChannel.Letter or ChangeChannel.Transfer => RandomNumberGenerator.GetString(Alphabet, 8),
        _ => throw new ArgumentOutOfRangeException(nameof(channel), channel, "A moderator decides this channel; it has no secret."),
    };

    /// <summary>What is stored: the token's hash, or the hash of the change's id and the code.</summary>
    public static string Hash(ChangeChannel channel, long changeId, string secret) =>
        channel == ChangeChannel.Link ? Secrets.Hash(secret) : Secrets.Hash($"{changeId}:{Normalize(secret)}");

    /// <summary>A typed code as it was issued: upper case, without spaces or dashes.</summary>
    public static string Normalize(string code) =>
        new string([.. code.Where(c => !char.IsWhiteSpace(c) && c != '-')]).ToUpperInvariant();

    /// <summary>Compares in constant time, so the time taken says nothing about how much of the code was right.</summary>
    public static bool Matches(string storedHash, ChangeChannel channel, long changeId, string code)
    {
        var normalized = Normalize(code);
        if (normalized.Length is 0 or > 16 || !normalized.All(c => c < 128))
        {
            return false;
        }
        return CryptographicOperations.FixedTimeEquals(
            Convert.FromHexString(storedHash), Convert.FromHexString(Hash(channel, changeId, normalized)));
    }
}
