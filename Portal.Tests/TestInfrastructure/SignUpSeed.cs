using Portal.Data;

namespace Portal.Tests.TestInfrastructure;

public static class SignUpSeed
{
    /// <summary>
    /// A sign-up as registration leaves it: an account with a password and its application, awaiting
    /// approval (address confirmed) or still awaiting activation (not confirmed).
    /// </summary>
    public static async Task<(PortalUser User, SignUp SignUp)> SeedSignUpAsync(
        this TestPortal portal, string email, SignUpStatus status = SignUpStatus.AwaitingApproval, DateTime? createdAt = null)
    {
        var confirmed = status == SignUpStatus.AwaitingApproval;
        var user = await portal.CreateUserAsync(
            email, state: confirmed ? AccountState.AwaitingApproval : AccountState.AwaitingActivation, emailConfirmed: confirmed);
        var now = createdAt ?? portal.Get<TimeProvider>().GetUtcNow().UtcDateTime;
        var signUp = new SignUp
        {
            UserId = user.Id,
            Email = email,
            Domain = email[(email.LastIndexOf('@') + 1)..],
            UserName = user.UserName!,
            Status = status,
            CreatedAt = now,
            ConfirmedAt = confirmed ? now : null,
        };
        await using var db = await portal.DbAsync();
        db.SignUps.Add(signUp);
        await db.SaveChangesAsync();
        return (user, signUp);
    }
}
