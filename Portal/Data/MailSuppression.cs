using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.Data;

/// <summary>
/// An address whose mail server refused a message for good (an SMTP 5xx reply): no invitation goes
/// to it until an admin removes it, with a reason. Unlike an opt-out the person did not choose this,
/// so the address is kept readable for the admin who decides.
/// </summary>
public class MailSuppression
{
    public long Id { get; set; }

    /// <summary>The canonical address (<see cref="Identity.EmailAddress"/>).</summary>
    public required string Address { get; set; }

    /// <summary>The server's reply.</summary>
    public required string Reason { get; set; }

    public DateTime CreatedAt { get; set; }
}

internal sealed class MailSuppressionConfiguration : IEntityTypeConfiguration<MailSuppression>
{
    public void Configure(EntityTypeBuilder<MailSuppression> entity)
    {
        entity.Property(e => e.Address).HasMaxLength(320);
        entity.Property(e => e.Reason).HasMaxLength(2000);
        entity.HasIndex(e => e.Address).IsUnique();
        entity.HasIndex(e => e.CreatedAt);
    }
}
