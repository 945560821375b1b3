using System.Security.Claims;
using Portal.Data;

namespace Portal.Identity;

/// <summary>
/// Who is doing something. Services take it explicitly and check it themselves, so a page that
/// forgot its [Authorize] still cannot act beyond the caller's roles.
/// </summary>
public sealed record Actor(string? UserId, string Name, IReadOnlySet<string> Roles)
{
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
        return new Actor(id, principal.Identity.Name ?? id ?? "unknown", roles);
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
