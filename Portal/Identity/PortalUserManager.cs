using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Features.Confirmations;

namespace Portal.Identity;

/// <summary>
/// Identity's user manager, revoking on a password change (by the member, or through a reset link)
/// the secrets sent out before it, links and codes of pending changes: whoever asked for those may
/// not be the owner.
/// </summary>
public sealed class PortalUserManager(
    IUserStore<PortalUser> store,
    IOptions<IdentityOptions> optionsAccessor,
    IPasswordHasher<PortalUser> passwordHasher,
    IEnumerable<IUserValidator<PortalUser>> userValidators,
    IEnumerable<IPasswordValidator<PortalUser>> passwordValidators,
    ILookupNormalizer keyNormalizer,
    IdentityErrorDescriber errors,
    IServiceProvider services,
    ILogger<UserManager<PortalUser>> logger,
    ChangeLifecycle changes)
    : UserManager<PortalUser>(store, optionsAccessor, passwordHasher, userValidators, passwordValidators, keyNormalizer, errors, services, logger)
{
    public override async Task<IdentityResult> ChangePasswordAsync(PortalUser user, string currentPassword, string newPassword) =>
        await RevokingAsync(user, await base.ChangePasswordAsync(user, currentPassword, newPassword));

    public override async Task<IdentityResult> ResetPasswordAsync(PortalUser user, string token, string newPassword) =>
        await RevokingAsync(user, await base.ResetPasswordAsync(user, token, newPassword));

    private async Task<IdentityResult> RevokingAsync(PortalUser user, IdentityResult result)
    {
        if (result.Succeeded)
        {
            await changes.RevokeAfterPasswordChangeAsync(user.Id, CancellationToken);
        }
        return result;
    }
}
