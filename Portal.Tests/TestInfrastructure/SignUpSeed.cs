using Portal.Data;
using Portal.Features.Registration;
using Portal.Identity;

namespace Portal.Tests.TestInfrastructure;

/// <summary>Sign-ups made directly in the database, as registration leaves them.</summary>
public static class SignUpSeed
{
    /// <summary>
    /// An account with the default password and its application, made at <paramref name="createdAt"/>
    /// (the clock's now by default). Awaiting approval: the address is confirmed. Awaiting
    /// activation: it is not, and the account has one live activation key expiring at
    /// <paramref name="expiresAt"/> (an activation lifetime after signing up by default).
    /// </summary>
    public static async Task<(PortalUser User, SignUp SignUp)> SeedSignUpAsync(
        this TestPortal portal, string email, SignUpStatus status = SignUpStatus.AwaitingApproval,
        DateTime? createdAt = null, DateTime? expiresAt = null)
    {
        var confirmed = status == SignUpStatus.AwaitingApproval;
        var user = await portal.CreateUserAsync(
            email, state: confirmed ? AccountState.AwaitingApproval : AccountState.AwaitingActivation, emailConfirmed: confirmed);
        var created = createdAt ?? user.CreatedAt;
        var canonical = EmailAddress.Canonicalize(email)!;
        var signUp = new SignUp
        {
            UserId = user.Id,
            Email = canonical,
            Domain = EmailAddress.Domain(canonical),
            UserName = user.UserName!,
            Status = status,
            CreatedAt = created,
            ConfirmedAt = confirmed ? created : null,
        };
        await using var db = await portal.DbAsync();
        db.Attach(user);
        user.CreatedAt = created;
        db.SignUps.Add(signUp);
        if (status == SignUpStatus.AwaitingActivation)
        {
            db.ActivationKeys.Add(NewKey(user.Id, created, expiresAt ?? created + portal.Get<ActivationKeys>().Lifetime));
        }
        await db.SaveChangesAsync();
        return (user, signUp);
    }

    /// <summary>A live activation key row for the account (its token is thrown away).</summary>
    public static ActivationKey NewKey(string userId, DateTime createdAt, DateTime expiresAt) =>
        new() { UserId = userId, KeyHash = Secrets.NewToken().Hash, CreatedAt = createdAt, ExpiresAt = expiresAt };
}
