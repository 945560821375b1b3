using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.Data;

/// <summary>A text message in the development SMS outbox (a real gateway replaces the sender, not the change).</summary>
public class SmsMessage
{
    public long Id { get; set; }

    public required string To { get; set; }

    public required string Body { get; set; }

    public DateTime CreatedAt { get; set; }

    public long? ChangeId { get; set; }
}

/// <summary>A letter waiting to be printed and posted; its code is cleared once it is posted.</summary>
public class Letter
{
    public long Id { get; set; }

    public long ChangeId { get; set; }

    public required string UserId { get; set; }

    public required string RecipientName { get; set; }

    /// <summary>The address block as printed, one line per line.</summary>
    public required string AddressBlock { get; set; }

    public string? Code { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime? PostedAt { get; set; }

    public string? PostedByName { get; set; }
}

/// <summary>A small transfer for the finance person to send; its reference confirms the account.</summary>
public class BankTransfer
{
    public long Id { get; set; }

    public long ChangeId { get; set; }

    public required string Iban { get; set; }

    public required string Holder { get; set; }

    public int AmountCents { get; set; }

    public string? Reference { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime? SentAt { get; set; }

    public string? SentByName { get; set; }
}

internal sealed class SmsMessageConfiguration : IEntityTypeConfiguration<SmsMessage>
{
    public void Configure(EntityTypeBuilder<SmsMessage> entity)
    {
        entity.Property(e => e.To).HasMaxLength(32);
        entity.Property(e => e.Body).HasMaxLength(480);
        entity.HasIndex(e => e.CreatedAt);
        entity.HasIndex(e => e.ChangeId);
    }
}

internal sealed class LetterConfiguration : IEntityTypeConfiguration<Letter>
{
    public void Configure(EntityTypeBuilder<Letter> entity)
    {
        entity.Property(e => e.RecipientName).HasMaxLength(256);
        entity.Property(e => e.AddressBlock).HasMaxLength(1000);
        entity.Property(e => e.Code).HasMaxLength(16);
        entity.Property(e => e.PostedByName).HasMaxLength(256);
        entity.HasIndex(e => new { e.PostedAt, e.CreatedAt });
        entity.HasIndex(e => e.ChangeId);
    }
}

internal sealed class BankTransferConfiguration : IEntityTypeConfiguration<BankTransfer>
{
    public void Configure(EntityTypeBuilder<BankTransfer> entity)
    {
        entity.Property(e => e.Iban).HasMaxLength(34);
        entity.Property(e => e.Holder).HasMaxLength(MemberProfileLimits.AccountHolder);
        entity.Property(e => e.Reference).HasMaxLength(16);
        entity.Property(e => e.SentByName).HasMaxLength(256);
        entity.HasIndex(e => new { e.SentAt, e.CreatedAt });
        entity.HasIndex(e => e.ChangeId);
    }
}
