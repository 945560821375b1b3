using System.ComponentModel.DataAnnotations;

namespace Portal.Features.Invitations;

/// <summary>The "Invitations" configuration section.</summary>
public sealed class InvitationOptions
{
    public const string Section = "Invitations";

    /// <summary>How long an invitation link works, unless the inviter says otherwise.</summary>
    [Range(1, 365)]
    public int ExpiryDays { get; set; } = 14;
}
