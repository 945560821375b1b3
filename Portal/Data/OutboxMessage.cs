using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.Data;

public enum OutboxStatus
{
    Queued,
    Sent,
    Failed,

    /// <summary>Withdrawn before delivery (the recipient opted out meanwhile).</summary>
    Cancelled,
}

/// <summary>
/// A rendered message waiting for, or done with, delivery. It is written in the same transaction as
/// the change that caused it, so a message exists exactly when its cause was committed.
/// </summary>
public class OutboxMessage : ILeasedWork
{
    public long Id { get; set; }

    /// <summary>The template's model type name, for filtering and for the admin's eyes.</summary>
    public required string Template { get; set; }

    public required string Recipient { get; set; }

    public required string Subject { get; set; }

    public required string HtmlBody { get; set; }

    public required string TextBody { get; set; }

    /// <summary>Extra headers (List-Unsubscribe and the like) as a JSON object.</summary>
    public string? Headers { get; set; }

    /// <summary>Fixed when queued, so a retry after a crash is recognisably the same message.</summary>
    public required string MessageId { get; set; }

    public OutboxStatus Status { get; set; }

    public int Attempts { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime NextAttemptAt { get; set; }

    public DateTime? SentAt { get; set; }

    public string? LastError { get; set; }

    /// <summary>The dispatcher batch sending the message now; null while nobody holds it.</summary>
    public Guid? ClaimId { get; set; }

    /// <summary>
    /// Until when the claim holds. A node that stops releases its claims; one that dies leaves them
    /// to run out, and then another node sends the message.
    /// </summary>
    public DateTime? ClaimedUntil { get; set; }
}

internal sealed class OutboxMessageConfiguration : IEntityTypeConfiguration<OutboxMessage>
{
    public void Configure(EntityTypeBuilder<OutboxMessage> entity)
    {
        entity.Property(e => e.Template).HasMaxLength(64);
        entity.Property(e => e.Recipient).HasMaxLength(320);
        entity.Property(e => e.Subject).HasMaxLength(998);
        entity.Property(e => e.MessageId).HasMaxLength(200);
        entity.Property(e => e.LastError).HasMaxLength(2000);
        entity.HasIndex(e => new { e.Status, e.NextAttemptAt });
        entity.HasIndex(e => e.Recipient);
    }
}
