using System.ComponentModel.DataAnnotations;

namespace Portal.Features.Confirmations;

/// <summary>How one kind of change is confirmed: how long its secret lives, how many wrong tries it takes, how many moderators approve.</summary>
public sealed class ChangeKindOptions
{
    [Range(typeof(TimeSpan), "00:01:00", "365.00:00:00")]
    public TimeSpan Lifetime { get; set; }

    [Range(1, 20)]
    public int MaxAttempts { get; set; } = 5;

    /// <summary>Moderators who must approve (each a different person) when a moderator decides.</summary>
    [Range(1, 2)]
    public int RequiredApprovals { get; set; } = 1;
}

/// <summary>A profile field of the site's own, changed with the display name and approved by a moderator.</summary>
public sealed class ProfileFieldOptions
{
    /// <summary>Letters and digits, starting with a letter ("Pronouns", "Organisation").</summary>
    [Required, RegularExpression("^[A-Za-z][A-Za-z0-9]{0,39}$", ErrorMessage = "must be letters and digits, starting with a letter, at most 40")]
    public string Name { get; set; } = "";

    [Required, StringLength(80)]
    public string Label { get; set; } = "";

    [Range(1, 1000)]
    public int MaxLength { get; set; } = 200;
}

/// <summary>The "Confirmations" configuration section: deferred changes of members' details.</summary>
public sealed class ConfirmationsOptions : IValidatableObject
{
    public const string Section = "Confirmations";

    public ChangeKindOptions Email { get; set; } = new() { Lifetime = TimeSpan.FromHours(24) };

    public ChangeKindOptions Phone { get; set; } = new() { Lifetime = TimeSpan.FromMinutes(10) };

    public ChangeKindOptions PostalAddress { get; set; } = new() { Lifetime = TimeSpan.FromDays(30) };

    public ChangeKindOptions BankAccount { get; set; } = new() { Lifetime = TimeSpan.FromDays(30) };

    public ChangeKindOptions Profile { get; set; } = new() { Lifetime = TimeSpan.FromDays(30) };

    /// <summary>Profile fields beyond the display name; members may leave them empty.</summary>
    public List<ProfileFieldOptions> ProfileFields { get; set; } = [];

    /// <summary>Requests plus resends one account may make per kind in an hour.</summary>
    [Range(1, 100)]
    public int RequestsPerHour { get; set; } = 5;

    /// <summary>Requests plus resends one account may make in an hour, all kinds together.</summary>
    [Range(1, 1000)]
    public int SendsPerAccountPerHour { get; set; } = 10;

    /// <summary>The least time between two sends of one change's code or link.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan ResendInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Wrong codes in a row, across all of an account's codes, that lock its code entry (NIST SP 800-63B: at most 100).</summary>
    [Range(1, 100)]
    public int WrongCodesPerAccount { get; set; } = 100;

    /// <summary>How long locked code entry stays locked unless a moderator opens it sooner.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan CodeLockout { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How long the old address may undo an email change after it took effect (and sign the account out everywhere).</summary>
    [Range(typeof(TimeSpan), "01:00:00", "90.00:00:00")]
    public TimeSpan RevertWindow { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How long a moderator's claim on a change keeps others off it.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan ClaimDuration { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How often pending changes past their expiry are marked Expired.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan ExpiryInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Reasons a moderator can pick when rejecting a change (they can also write their own); none
    /// configured: three general ones, in the moderator's language.
    /// </summary>
    public List<string> RejectionReasons { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { nameof(Data.MemberProfile.DisplayName) };
        foreach (var (field, i) in ProfileFields.Select((field, i) => (field, i)))
        {
            if (!names.Add(field.Name) || typeof(Data.MemberProfile).GetProperty(field.Name) is not null)
            {
                yield return new ValidationResult($"is {field.Name}, a name that is taken; give each field its own name", [$"{nameof(ProfileFields)}:{i}:{nameof(field.Name)}"]);
            }
        }
    }
}
