using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.Data;

public enum BulkJobStatus
{
    /// <summary>The file is being read (the dry run).</summary>
    Analyzing,

    /// <summary>The file is read and every row classified; nothing is sent until an admin starts it.</summary>
    Analyzed,

    Queued,
    Running,
    Completed,
    Cancelled,
    Failed,
}

/// <summary>What the dry run found a row to be.</summary>
public enum BulkRowClass
{
    New,
    AlreadyMember,
    PendingInvitation,
    OptedOut,
    Invalid,
    DuplicateInFile,

    /// <summary>Mail to the address bounced: it is on the suppression list.</summary>
    Suppressed,
}

/// <summary>An upload of a CSV of addresses to invite: its dry run, its options, and its progress.</summary>
public class BulkJob
{
    public long Id { get; set; }

    public required string FileName { get; set; }

    public string? CreatedById { get; set; }

    public required string CreatedByName { get; set; }

    public DateTime CreatedAt { get; set; }

    public BulkJobStatus Status { get; set; }

    public int TotalRows { get; set; }

    public int NewRows { get; set; }

    public int MemberRows { get; set; }

    public int PendingRows { get; set; }

    public int OptedOutRows { get; set; }

    public int InvalidRows { get; set; }

    public int DuplicateRows { get; set; }

    /// <summary>The role for rows that name none.</summary>
    public string? DefaultRole { get; set; }

    /// <summary>The personal message for rows that have none.</summary>
    public string? DefaultMessage { get; set; }

    /// <summary>The language for rows that name none; the site's when null.</summary>
    public string? DefaultLanguage { get; set; }

    /// <summary>Whether pending invitations are sent again (with a new link) or left alone.</summary>
    public bool Resend { get; set; }

    public int ExpiryDays { get; set; }

    public DateTime? StartedAt { get; set; }

    public DateTime? FinishedAt { get; set; }

    public int ProcessedRows { get; set; }

    /// <summary>The line of the last row the run has done; the next batch starts after it.</summary>
    public int LastLine { get; set; }

    public int SentRows { get; set; }

    public string? Error { get; set; }
}

/// <summary>One line of an uploaded file: what it said, what the dry run found, and what the run did.</summary>
public class BulkJobRow
{
    public long Id { get; set; }

    public long JobId { get; set; }

    /// <summary>The line of the file the row starts on (the header is line 1).</summary>
    public int Line { get; set; }

    /// <summary>The address as written in the file.</summary>
    public required string Email { get; set; }

    /// <summary>Its canonical form, when it is an address.</summary>
    public string? Canonical { get; set; }

    public string? Name { get; set; }

    public string? Role { get; set; }

    public string? Message { get; set; }

    /// <summary>The invitee's language as offered ("de" for "de-DE" in the file); null: the run's default.</summary>
    public string? Language { get; set; }

    public int? ExpiresDays { get; set; }

    public BulkRowClass Class { get; set; }

    public string? Reason { get; set; }

    /// <summary>What the run did with the row; null until it is processed.</summary>
    public InviteOutcome? Outcome { get; set; }
}

internal sealed class BulkJobConfiguration : IEntityTypeConfiguration<BulkJob>
{
    public void Configure(EntityTypeBuilder<BulkJob> entity)
    {
        entity.Property(e => e.FileName).HasMaxLength(260);
        entity.Property(e => e.CreatedByName).HasMaxLength(256);
        entity.Property(e => e.DefaultRole).HasMaxLength(64);
        entity.Property(e => e.DefaultMessage).HasMaxLength(InvitationLimits.MessageLength);
        entity.Property(e => e.DefaultLanguage).HasMaxLength(LanguageCode.MaxLength);
        entity.Property(e => e.Error).HasMaxLength(2000);
        entity.HasIndex(e => e.Status);
        entity.HasIndex(e => e.CreatedAt);
    }
}

internal sealed class BulkJobRowConfiguration : IEntityTypeConfiguration<BulkJobRow>
{
    public void Configure(EntityTypeBuilder<BulkJobRow> entity)
    {
        entity.Property(e => e.Email).HasMaxLength(BulkLimits.FieldLength);
        entity.Property(e => e.Canonical).HasMaxLength(320);
        entity.Property(e => e.Name).HasMaxLength(BulkLimits.FieldLength);
        entity.Property(e => e.Role).HasMaxLength(64);
        entity.Property(e => e.Message).HasMaxLength(BulkLimits.FieldLength);
        entity.Property(e => e.Language).HasMaxLength(LanguageCode.MaxLength);
        entity.Property(e => e.Reason).HasMaxLength(500);
        entity.HasOne<BulkJob>().WithMany().HasForeignKey(e => e.JobId).OnDelete(DeleteBehavior.Cascade);
        entity.HasIndex(e => new { e.JobId, e.Line });
        entity.HasIndex(e => new { e.JobId, e.Class });
    }
}

public static class BulkLimits
{
    /// <summary>The longest field the database keeps; the configured limit (320 by default) may not exceed it.</summary>
    public const int FieldLength = 1000;
}
