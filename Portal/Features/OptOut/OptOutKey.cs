using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Portal.Data;

namespace Portal.Features.OptOut;

/// <summary>The "OptOut" configuration section.</summary>
public sealed class OptOutOptions
{
    public const string Section = "OptOut";

    /// <summary>At least 32 random bytes, base64. Required outside Development.</summary>
    public string? Key { get; set; }
}

/// <summary>
/// The secret the opt-out list is keyed with. It comes from configuration; in Development, when none
/// is configured, one is generated once and kept in the data directory. It is never in the database,
/// so a copy of the database alone cannot test addresses against the list.
/// </summary>
public sealed class OptOutKey
{
    public const int MinimumBytes = 32;
    private const string DevelopmentFile = "optout.key";

    private OptOutKey(byte[] bytes) => Bytes = bytes;

    public byte[] Bytes { get; }

    public static OptOutKey Load(IOptions<OptOutOptions> options, IHostEnvironment environment, PortalPaths paths)
    {
        if (!string.IsNullOrWhiteSpace(options.Value.Key))
        {
            return new OptOutKey(Decode(options.Value.Key, "OptOut:Key"));
        }
        if (!environment.IsDevelopment())
        {
            throw new InvalidOperationException(
                $"OptOut:Key is not set. Set it to at least {MinimumBytes} random bytes in base64 (for example the output of 'openssl rand -base64 32'), and keep it: a new key empties the opt-out list.");
        }
        var file = Path.Combine(paths.DataDirectory, DevelopmentFile);
        if (!File.Exists(file))
        {
            File.WriteAllText(file, Convert.ToBase64String(RandomNumberGenerator.GetBytes(MinimumBytes)));
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }
        return new OptOutKey(Decode(File.ReadAllText(file).Trim(), file));
    }

    private static byte[] Decode(string base64, string source)
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            throw new InvalidOperationException($"{source} is not base64.");
        }
        return bytes.Length >= MinimumBytes
            ? bytes
            : throw new InvalidOperationException($"{source} holds {bytes.Length} bytes; it needs at least {MinimumBytes}.");
    }
}
