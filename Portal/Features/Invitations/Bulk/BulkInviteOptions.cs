using System.ComponentModel.DataAnnotations;
using Portal.Data;

namespace Portal.Features.Invitations.Bulk;

/// <summary>The "BulkInvitations" configuration section: the limits an uploaded file must keep.</summary>
public sealed class BulkInviteOptions
{
    public const string Section = "BulkInvitations";

    [Range(1, int.MaxValue)]
    public long MaxBytes { get; set; } = 20 * 1024 * 1024;

    [Range(1, 10_000_000)]
    public int MaxRows { get; set; } = 100_000;

    [Range(1, BulkLimits.FieldLength)]
    public int MaxFieldLength { get; set; } = 320;

    /// <summary>A size as people read it: "20 MB", "512 KB".</summary>
    public static string FormatSize(long bytes) =>
        bytes >= 1024 * 1024 ? $"{bytes / (1024.0 * 1024.0):0.#} MB" : $"{bytes / 1024.0:0.#} KB";

    /// <summary>
    /// Rows sent per transaction: large enough that committing costs little per row, short enough
    /// (about a second) not to hold other writers up for long; those waiting go before the next one.
    /// </summary>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 2000;
}
