using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Localization;

namespace Portal.Identity;

/// <summary>
/// Identity's sign-in with the portal's rules: only active, not deactivated accounts sign in (and a
/// refused or locked one looks like a wrong password), people sign in with their user name or their
/// address, failures count towards lockout, each sign-in is recorded, and the browser takes the
/// member's saved language.
/// </summary>
public sealed class PortalSignInManager(
    UserManager<PortalUser> userManager,
    IHttpContextAccessor contextAccessor,
    IUserClaimsPrincipalFactory<PortalUser> claimsFactory,
    IOptions<IdentityOptions> optionsAccessor,
    ILogger<SignInManager<PortalUser>> logger,
    IAuthenticationSchemeProvider schemes,
    IUserConfirmation<PortalUser> confirmation,
    IOptions<LanguageOptions> languages,
    TimeProvider clock)
    : SignInManager<PortalUser>(userManager, contextAccessor, claimsFactory, optionsAccessor, logger, schemes, confirmation)
{
    public override async Task<bool> CanSignInAsync(PortalUser user) =>
        user.State == AccountState.Active && user.DeactivatedAt is null && await base.CanSignInAsync(user);

    public override async Task<SignInResult> PasswordSignInAsync(string userName, string password, bool isPersistent, bool lockoutOnFailure)
    {
        var user = await UserManager.FindByNameAsync(userName) ?? await UserManager.FindByEmailAsync(userName);
        // A missing, refused or locked account answers like a wrong password, in the time a real
        // check takes: a "locked out" page, or a faster answer, would tell that the account exists.
        if (user is null || !await CanSignInAsync(user) || await UserManager.IsLockedOutAsync(user))
        {
            UserManager.PasswordHasher.VerifyHashedPassword(new PortalUser(), DecoyHash, password);
            return SignInResult.Failed;
        }
        var result = await PasswordSignInAsync(user, password, isPersistent, lockoutOnFailure: true);
        // The wrong password that locks the account is answered like the ones before it.
        return result.IsLockedOut ? SignInResult.Failed : result;
    }

    public override async Task SignInWithClaimsAsync(PortalUser user, AuthenticationProperties? authenticationProperties, IEnumerable<System.Security.Claims.Claim> additionalClaims)
    {
        await base.SignInWithClaimsAsync(user, authenticationProperties, additionalClaims);
        // The member's saved language becomes the browser's, on whatever device they sign in.
        if (languages.Value.Find(user.Language) is { } language)
        {
            LanguageSetup.Remember(Context, language, clock);
        }
        user.LastSignInAt = clock.GetUtcNow().UtcDateTime;
        await UserManager.UpdateAsync(user);
    }

    private static readonly string DecoyHash = new PasswordHasher<PortalUser>().HashPassword(new PortalUser(), "decoy password");
}
