using System.Security.Claims;
using Portal.Data;

namespace Portal.Identity;

/// <summary>
/// Who is doing something. Services take it explicitly and check it themselves, so a page that
/// forgot its [Authorize] still cannot act beyond the caller's roles.
/// </summary>
public sealed record Actor(string? UserId, string Name, IReadOnlySet<string> Roles)
{
    /// <summary>The claim that names the API token a request came with.</summary>
    public const string TokenClaimType = "portal:token";

    /// <summary>The name of the API token acting for the account; null when the person acts themselves.</summary>
    public string? Token { get; init; }

    /// <summary>How the audit log names the actor: "ada", or "ada (token: HR sync)" for what a token did in ada's name.</summary>
    public string AuditName => Token is null ? Name : $"{Name} (token: {Token})";

    /// <summary>The portal itself: background jobs and the command line, which the host operator runs.</summary>
    public static Actor System { get; } = new(null, "system", new HashSet<string>(Identity.Roles.All));

    /// <summary>Someone not signed in, acting through a link they were sent.</summary>
    public static Actor Visitor { get; } = new(null, "visitor", new HashSet<string>());

    /// <summary>
    /// A person acting on their own account (signing up, activating, accepting an invitation,
    /// confirming a new address): what the audit log names; their roles play no part there.
    /// </summary>
    public static Actor Self(PortalUser user) => new(user.Id, user.UserName!, new HashSet<string>());

    public static Actor FromPrincipal(ClaimsPrincipal principal)
    {
        if (principal.Identity?.IsAuthenticated != true)
        {
            return Visitor;
        }
        var id = principal.FindFirstValue(ClaimTypes.NameIdentifier);
        var roles = principal.FindAll(ClaimTypes.Role).Select(c => c.Value).ToHashSet();
        return new Actor(id, principal.Identity.Name ?? id ?? "unknown", roles) { Token = principal.FindFirstValue(TokenClaimType) };
    }

    public bool IsAuthenticated => UserId is not null || ReferenceEquals(this, System);

    public bool IsInAnyRole(params IReadOnlyList<string> roles) => IsAuthenticated && roles.Any(Roles.Contains);

    /// <summary>Throws unless the actor holds one of the roles.</summary>
    public void Require(params IReadOnlyList<string> roles)
    {
        if (!IsInAnyRole(roles))
        {
            throw new UnauthorizedAccessException($"{Name} may not do this: it needs the role {string.Join(" or ", roles)}.");
        }
    }
}
