using System.ComponentModel.DataAnnotations;

namespace Portal.Features.Registration;

/// <summary>Who may create an account by signing up. Invitations work in every mode.</summary>
public enum RegistrationMode
{
    /// <summary>Anyone signs up and activates by email.</summary>
    Open,

    /// <summary>Anyone signs up; after activation a moderator approves or rejects.</summary>
    ApprovalRequired,

    /// <summary>Accounts come from invitations only.</summary>
    InviteOnly,

    /// <summary>No sign-up; invitations still work (the site is closed to the public).</summary>
    Closed,
}

/// <summary>The "Registration" configuration section.</summary>
public sealed class RegistrationOptions : IValidatableObject
{
    public const string Section = "Registration";

    /// <summary>The mode until an admin picks another on the Settings page.</summary>
    public RegistrationMode Mode { get; set; } = RegistrationMode.Open;

    /// <summary>How long an activation link works.</summary>
    [Range(1, 90)]
    public int ActivationDays { get; set; } = 7;

    /// <summary>When set, signing up requires ticking "I accept the terms" with a link here (absolute, or relative to the public base URL).</summary>
    public string? TermsUrl { get; set; }

    /// <summary>
    /// Reasons a moderator can pick when rejecting a sign-up (they can also write their own); none
    /// configured: three general ones, in the moderator's language.
    /// </summary>
    public List<string> RejectionReasons { get; set; } = [];

    /// <summary>The daily cleanup of never-activated accounts and spent activation keys.</summary>
    public bool CleanupEnabled { get; set; } = true;

    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How long spent and replaced activation keys are kept (for support questions) before cleanup removes them.</summary>
    [Range(0, 3650)]
    public int KeyRetentionDays { get; set; } = 30;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // The link is put on the sign-up page as it is: only a web address or a path may be one.
        if (!string.IsNullOrWhiteSpace(TermsUrl) && !Uri.IsWellFormedUriString(TermsUrl, UriKind.Relative)
            && !(Uri.TryCreate(TermsUrl, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
        {
            yield return new ValidationResult(
                $"must be an http or https address, or a path on the portal, such as https://example.org/terms or /terms (it is {SettingsValidation.Shown(TermsUrl)})",
                [nameof(TermsUrl)]);
        }
    }
}

public static class RegistrationModes
{
    /// <summary>Whether visitors may sign up (the others only accept invitations).</summary>
    public static bool AllowsSignUp(this RegistrationMode mode) => mode is RegistrationMode.Open or RegistrationMode.ApprovalRequired;
}
