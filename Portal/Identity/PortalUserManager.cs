using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Events;

namespace Portal.Identity;

/// <summary>A member's password changed (by themselves, or through a reset link).</summary>
public sealed record PasswordChanged(string UserId);

/// <summary>
/// Identity's user manager, announcing password changes so that secrets sent out before them
/// (links and codes of pending changes) can be revoked: whoever asked for those may not be the owner.
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
    EventPublisher events)
    : UserManager<PortalUser>(store, optionsAccessor, passwordHasher, userValidators, passwordValidators, keyNormalizer, errors, services, logger)
{
    public override async Task<IdentityResult> ChangePasswordAsync(PortalUser user, string currentPassword, string newPassword) =>
        await AnnouncedAsync(user, await base.ChangePasswordAsync(user, currentPassword, newPassword));

    public override async Task<IdentityResult> ResetPasswordAsync(PortalUser user, string token, string newPassword) =>
        await AnnouncedAsync(user, await base.ResetPasswordAsync(user, token, newPassword));

    private async Task<IdentityResult> AnnouncedAsync(PortalUser user, IdentityResult result)
    {
        if (result.Succeeded)
        {
            await events.PublishAsync(new PasswordChanged(user.Id), CancellationToken);
        }
        return result;
    }
}
