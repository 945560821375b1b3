using System.Security.Claims;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using Portal.Data;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Components;

/// <summary>
/// A component test (bUnit) with MudBlazor's services and, on first use of <see cref="Portal"/>, the
/// portal's own services on a fresh SQLite database behind them: a page calls its services for real.
/// MudBlazor's services are only asynchronously disposable, so the context is disposed that way.
/// </summary>
public abstract class ComponentTest : IAsyncLifetime
{
    private TestPortal? _portal;

    protected ComponentTest()
    {
        Context.Services.AddMudServices();
        Context.JSInterop.Mode = JSRuntimeMode.Loose;
    }

    protected BunitContext Context { get; } = new();

    /// <summary>The portal whose services stand behind the components (started when first used).</summary>
    protected TestPortal Portal
    {
        get
        {
            if (_portal is null)
            {
                _portal = new TestPortal();
                Context.Services.AddFallbackServiceProvider(_portal.Services);
            }
            return _portal;
        }
    }

    /// <summary>Renders as <paramref name="user"/>, signed in with their roles.</summary>
    protected void SignInAs(PortalUser user, params string[] roles)
    {
        var auth = Context.AddAuthorization();
        auth.SetAuthorized(user.UserName!);
        auth.SetRoles(roles);
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, user.Id));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await Context.DisposeAsync();
        if (_portal is not null)
        {
            await _portal.DisposeAsync();
        }
    }
}
