namespace Portal.Data;

/// <summary>What became of one address given to the invite operation.</summary>
public enum InviteOutcome
{
    /// <summary>A new invitation went out (a new invited account, or a new invitation for one whose last expired or was revoked).</summary>
    Sent,

    /// <summary>The pending invitation went out again with a new link; the old link no longer works.</summary>
    Resent,

    /// <summary>An invitation is pending and resending was not asked for.</summary>
    AlreadyInvited,

    /// <summary>The address belongs to an account that registered (or signed up) already.</summary>
    AlreadyMember,

    /// <summary>The address is on the opt-out list: nothing is sent, ever.</summary>
    OptedOut,

    /// <summary>The address belongs to an account an admin deactivated.</summary>
    Deactivated,

    /// <summary>The input is not an address, or an option is wrong; the error says why.</summary>
    Invalid,

    /// <summary>The same address appeared earlier in the same list (after canonicalisation).</summary>
    Duplicate,

    /// <summary>Mail to the address bounced (its server refused it for good): nothing is sent until an admin removes it from the suppression list.</summary>
    Suppressed,
}
