using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Portal.Data;
using Portal.Identity;

namespace Portal.Areas.Identity.Pages.Account;

/// <summary>
/// Identity's "forgot your password" page, sending through the portal's account mail with the
/// reset link on the public base URL (Identity's own builds it from the request's Host).
/// </summary>
[AllowAnonymous]
public sealed class ForgotPasswordModel(UserManager<PortalUser> users, AccountEmails links, IEmailSender<PortalUser> mail) : PageModel
{
    [BindProperty]
    public AddressInput Input { get; set; } = new();

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid)
        {
            return Page();
        }
        // The same answer whether or not the address belongs to an open account with a confirmed address.
        var user = await users.FindByEmailAsync(Input.Email);
        if (user is { DeactivatedAt: null } && await users.IsEmailConfirmedAsync(user))
        {
            var link = links.ResetPasswordLink(await users.GeneratePasswordResetTokenAsync(user));
            await mail.SendPasswordResetLinkAsync(user, user.Email!, link);
        }
        return RedirectToPage("./ForgotPasswordConfirmation");
    }
}
