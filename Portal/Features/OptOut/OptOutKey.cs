using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Portal.Data;

namespace Portal.Features.OptOut;

/// <summary>The "OptOut" configuration section.</summary>
public sealed class OptOutOptions : IValidatableObject
{
    public const string Section = "OptOut";

    /// <summary>At least 32 random bytes, base64. Required outside Development.</summary>
    public string? Key { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // The key is a secret: no line ever shows it.
        var problem = !string.IsNullOrWhiteSpace(Key) ? OptOutKey.Problem(Key)
            : validationContext.GetRequiredService<IHostEnvironment>().IsDevelopment() ? null
            : $"is required outside Development: at least {OptOutKey.MinimumBytes} random bytes in base64, such as the output of 'openssl rand -base64 32'. Keep it: a new key empties the opt-out list";
        if (problem is not null)
        {
            yield return new ValidationResult(problem, [nameof(Key)]);
        }
    }
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

    /// <summary>The configured key (checked at start), or, without one (the start allows that only in Development), the generated one.</summary>
    public static OptOutKey Load(IOptions<OptOutOptions> options, PortalPaths paths)
    {
        if (!string.IsNullOrWhiteSpace(options.Value.Key))
        {
            return new OptOutKey(Convert.FromBase64String(options.Value.Key));
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
        var stored = File.ReadAllText(file).Trim();
        return Problem(stored) is { } problem
            ? throw new InvalidOperationException($"{file} {problem}; delete it and a new key is generated (the opt-out list starts empty).")
            : new OptOutKey(Convert.FromBase64String(stored));
    }

    /// <summary>What is wrong with a key written in base64, or null when it will do.</summary>
    public static string? Problem(string base64)
    {
        try
        {
            var length = Convert.FromBase64String(base64).Length;
            return length >= MinimumBytes ? null : $"holds {length} bytes; it needs at least {MinimumBytes}";
        }
        catch (FormatException)
        {
            return "is not base64";
        }
    }
}
