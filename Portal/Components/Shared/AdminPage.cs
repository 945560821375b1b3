using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Portal.Identity;

namespace Portal.Components.Shared;

/// <summary>Base of the interactive admin pages: who is acting, for the services to check.</summary>
public abstract class AdminPage : ComponentBase
{
    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    [Inject]
    private ActorLookup Actors { get; set; } = default!;

    /// <summary>The actor with the roles the database gives them now, asked again for every action.</summary>
    protected async Task<Actor> GetActorAsync() => await Actors.CurrentAsync((await AuthenticationState).User);
}
