using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Portal.Identity;

namespace Portal.Components.Shared;

/// <summary>Base of the interactive admin pages: who is acting, for the services to check.</summary>
public abstract class AdminPage : ComponentBase
{
    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    protected async Task<Actor> GetActorAsync() => Actor.FromPrincipal((await AuthenticationState).User);
}
