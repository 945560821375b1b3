using Portal.Data;
using Portal.Identity;

namespace Portal.Tests.TestInfrastructure;

/// <summary>Accounts awaiting activation, made directly in the database as a sign-up leaves them.</summary>
public static class PendingSignUps
{
    /// <summary>
    /// An account that signed up at <paramref name="registeredAt"/> (the clock's now by default),
    /// its application, and one live activation key expiring at <paramref name="expiresAt"/>
    /// (seven days after registering by default).
    /// </summary>
    public static async Task<PortalUser> SeedAsync(this TestPortal portal, string email, DateTime? registeredAt = null, DateTime? expiresAt = null)
    {
        var user = await portal.CreateUserAsync(email, state: AccountState.AwaitingActivation, emailConfirmed: false);
        var created = registeredAt ?? user.CreatedAt;
        await using var db = await portal.DbAsync();
        db.Attach(user);
        user.CreatedAt = created;
        var canonical = EmailAddress.Canonicalize(email)!;
        db.SignUps.Add(new SignUp
        {
            UserId = user.Id, Email = canonical, Domain = canonical[(canonical.LastIndexOf('@') + 1)..], UserName = user.UserName!,
            Status = SignUpStatus.AwaitingActivation, CreatedAt = created,
        });
        db.ActivationKeys.Add(NewKey(user.Id, created, expiresAt ?? created.AddDays(7)));
        await db.SaveChangesAsync();
        return user;
    }

    public static ActivationKey NewKey(string userId, DateTime createdAt, DateTime expiresAt) =>
        new() { UserId = userId, KeyHash = Secrets.NewToken().Hash, CreatedAt = createdAt, ExpiresAt = expiresAt };
}
