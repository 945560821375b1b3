using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.Data;

/// <summary>
/// A member's own details beyond the account: name as shown, postal address and bank account.
/// Email and phone stay on <see cref="PortalUser"/>, where Identity keeps them. Every field is
/// changed through a deferred change, never edited in place.
/// </summary>
public class MemberProfile
{
    public required string UserId { get; set; }

    public string? DisplayName { get; set; }

    public string? Street { get; set; }

    public string? PostalCode { get; set; }

    public string? City { get; set; }

    /// <summary>ISO 3166 two-letter code.</summary>
    public string? Country { get; set; }

    /// <summary>Compact form, upper case, no spaces.</summary>
    public string? Iban { get; set; }

    public string? AccountHolder { get; set; }

    /// <summary>The site's own profile fields (<c>Confirmations:ProfileFields</c>), by name, as JSON.</summary>
    public string? ExtraFieldsJson { get; set; }

    public DateTime UpdatedAt { get; set; }

    /// <summary>Changes on every save, so two writers cannot overwrite each other unseen.</summary>
    public Guid ConcurrencyStamp { get; set; } = Guid.NewGuid();
}

internal sealed class MemberProfileConfiguration : IEntityTypeConfiguration<MemberProfile>
{
    public void Configure(EntityTypeBuilder<MemberProfile> entity)
    {
        entity.HasKey(e => e.UserId);
        entity.Property(e => e.DisplayName).HasMaxLength(MemberProfileLimits.DisplayName);
        entity.Property(e => e.Street).HasMaxLength(MemberProfileLimits.Street);
        entity.Property(e => e.PostalCode).HasMaxLength(MemberProfileLimits.PostalCode);
        entity.Property(e => e.City).HasMaxLength(MemberProfileLimits.City);
        entity.Property(e => e.Country).HasMaxLength(2);
        entity.Property(e => e.Iban).HasMaxLength(34);
        entity.Property(e => e.AccountHolder).HasMaxLength(MemberProfileLimits.AccountHolder);
        entity.Property(e => e.ConcurrencyStamp).IsConcurrencyToken();
        entity.HasOne<PortalUser>().WithOne().HasForeignKey<MemberProfile>(e => e.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

public static class MemberProfileLimits
{
    public const int DisplayName = 100;
    public const int Street = 200;
    public const int PostalCode = 16;
    public const int City = 100;
    public const int AccountHolder = 140;
}
