using Microsoft.AspNetCore.Identity;

namespace Portal.Data;

/// <summary>Where an account is in its life. Deactivation is kept apart so reactivating restores this.</summary>
public enum AccountState
{
    /// <summary>Created by an invitation; the invitee has not registered yet.</summary>
    Invited,

    /// <summary>Signed up; the activation link has not been used yet.</summary>
    AwaitingActivation,

    Active,

    /// <summary>Signed up while sign-ups need approval; the address is confirmed, a moderator has not decided yet.</summary>
    AwaitingApproval,
}

/// <summary>What the admin sees: the state, or Deactivated over it.</summary>
public enum AccountStatus
{
    Invited = AccountState.Invited,
    AwaitingActivation = AccountState.AwaitingActivation,
    Active = AccountState.Active,
    AwaitingApproval = AccountState.AwaitingApproval,
    Deactivated = 99,
}

public class PortalUser : IdentityUser
{
    /// <summary>
    /// Time-ordered ids: new accounts go at the end of the id index and of every index on a user
    /// id, instead of at random places (a bulk run writes a hundred thousand of them).
    /// </summary>
    public PortalUser() => Id = Guid.CreateVersion7().ToString();

    public AccountState State { get; set; }

    public DateTime CreatedAt { get; set; }

    /// <summary>When the account first became active; never cleared, so cleanup can tell it was once real.</summary>
    public DateTime? ActivatedAt { get; set; }

    /// <summary>Set by an admin: no sign-in and no old link works until an admin reactivates.</summary>
    public DateTime? DeactivatedAt { get; set; }

    public DateTime? LastSignInAt { get; set; }

    /// <summary>Wrong confirmation codes in a row, across every code the account was sent; a right one resets it.</summary>
    public int WrongCodes { get; set; }

    /// <summary>Set when <see cref="WrongCodes"/> reached the limit: no code is checked until then, or until a moderator releases it.</summary>
    public DateTime? CodeEntryLockedUntil { get; set; }

    /// <summary>
    /// The language the member reads the portal and its mail in (a culture name such as "de"), chosen
    /// on the profile page, or set when they signed up or accepted an invitation; null: the site's.
    /// </summary>
    public string? Language { get; set; }

    public AccountStatus Status => DeactivatedAt is null ? (AccountStatus)State : AccountStatus.Deactivated;
}
