using System.Text;
using Microsoft.AspNetCore.Identity;

namespace Portal.Identity;

/// <summary>
/// Identity looks accounts up by a normalized key. Ours is the canonical address (see
/// <see cref="EmailAddress"/>) upper-cased, so "Ada@Example.org" and "ada@EXAMPLE.org " find the
/// same account, as Identity users expect, and IDN domains match in either spelling.
/// </summary>
public sealed class PortalLookupNormalizer : ILookupNormalizer
{
    public string? NormalizeEmail(string? email) =>
        email is null ? null : (EmailAddress.Canonicalize(email) ?? email.Trim()).ToUpperInvariant();

    public string? NormalizeName(string? name) =>
        name?.Trim().Normalize(NormalizationForm.FormC).ToUpperInvariant();
}
