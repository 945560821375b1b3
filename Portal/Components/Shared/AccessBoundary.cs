using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Web;
using Portal.Identity;

namespace Portal.Components.Shared;

/// <summary>
/// Around the admin pages. The services refuse an action whose actor no longer holds the role it
/// needs (<see cref="UnauthorizedAccessException"/>), as when a role was removed while the page
/// was open: the refusal is written to the audit log and the page says so in place of its content.
/// Any other error is logged as without it, and the page asks to be reloaded.
/// </summary>
public sealed class AccessBoundary : ErrorBoundary
{
    [Inject]
    private ActorLookup Actors { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    /// <summary>The refusal shown is in the audit log (the page says so only once it is).</summary>
    public bool RefusalRecorded { get; private set; }

    protected override async Task OnErrorAsync(Exception exception)
    {
        RefusalRecorded = false;
        if (exception is not UnauthorizedAccessException refused)
        {
            await base.OnErrorAsync(exception);
            return;
        }
        // The boundary takes the error only once this returns (SQLite answers synchronously):
        // rendering before that would render the page that failed, and fail again.
        await Task.Yield();
        var actor = await Actors.CurrentAsync((await AuthenticationState).User);
        await Actors.RecordRefusalAsync(actor, "/" + Navigation.ToBaseRelativePath(Navigation.Uri), refused.Message);
        RefusalRecorded = true;
        await InvokeAsync(StateHasChanged);
    }
}
