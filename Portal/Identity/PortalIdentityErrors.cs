using Microsoft.AspNetCore.Identity;
using Portal.Localization;

namespace Portal.Identity;

/// <summary>Identity's own password rules, said in the reader's language (the portal's forms show them).</summary>
public sealed class PortalIdentityErrors : IdentityErrorDescriber
{
    private static readonly StaticTexts Texts = new(typeof(PortalIdentityErrors));

    public override IdentityError PasswordTooShort(int length) =>
        new() { Code = nameof(PasswordTooShort), Description = Texts.Format("PasswordTooShort", length) };

    public override IdentityError PasswordRequiresUniqueChars(int uniqueChars) =>
        new() { Code = nameof(PasswordRequiresUniqueChars), Description = Texts.Format("PasswordRequiresUniqueChars", uniqueChars) };
}
