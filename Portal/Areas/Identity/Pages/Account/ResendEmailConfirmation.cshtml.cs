using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Portal.Data;
using Portal.Identity;

namespace Portal.Areas.Identity.Pages.Account;

/// <summary>
/// Identity's "resend email confirmation" page, sending through the portal's account mail a link to
/// the portal's confirmation page on the public base URL (Identity's own links to its page, which
/// confirms on opening, from the request's Host).
/// </summary>
[AllowAnonymous]
public sealed class ResendEmailConfirmationModel(UserManager<PortalUser> users, AccountEmails links, IEmailSender<PortalUser> mail) : PageModel
{
    [BindProperty]
    public AddressInput Input { get; set; } = new();

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid)
        {
            return Page();
        }
        var user = await users.FindByEmailAsync(Input.Email);
        if (user is not null)
        {
            // To the address as stored, whatever spelling was typed into the form.
            var link = links.ConfirmLink(user.Id, null, await users.GenerateEmailConfirmationTokenAsync(user));
            await mail.SendConfirmationLinkAsync(user, user.Email!, link);
        }
        // The same answer whether or not the address belongs to an account.
        ModelState.AddModelError(string.Empty, "Verification email sent. Please check your email.");
        return Page();
    }
}
