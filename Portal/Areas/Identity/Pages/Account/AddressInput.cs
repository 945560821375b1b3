using System.ComponentModel.DataAnnotations;

namespace Portal.Areas.Identity.Pages.Account;

/// <summary>The one field of Identity's pages that send mail to an address: the address.</summary>
public sealed class AddressInput
{
    [Required]
    [EmailAddress]
    public string Email { get; set; } = "";
}
