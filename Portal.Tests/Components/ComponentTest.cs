using System.Security.Claims;
using Bunit;
using Bunit.Rendering;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MudBlazor;
using MudBlazor.Services;
using Portal.Data;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Components;

/// <summary>
/// A component test (bUnit) with MudBlazor's services and, on first use of <see cref="Portal"/>, the
/// portal's own services on a fresh SQLite database behind them, in a scope of their own as a
/// circuit has: a page calls its services for real. MudBlazor's services are only asynchronously
/// disposable, so the context is disposed that way.
/// </summary>
public abstract class ComponentTest : IAsyncLifetime
{
    private TestPortal? _portal;
    private AsyncServiceScope? _circuit;

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
                // The renderer and the pages ask for scoped services, which the root provider refuses.
                _circuit = _portal.Services.CreateAsyncScope();
                Context.Services.AddFallbackServiceProvider(_circuit.Value.ServiceProvider);
            }
            return _portal;
        }
    }

    /// <summary>
    /// Creates an account with <paramref name="roles"/> and renders as it, signed in with the security
    /// stamp the pages check their actor's roles against (a stale one has no roles).
    /// </summary>
    protected async Task<PortalUser> SignInAsync(string email, params string[] roles)
    {
        var created = await Portal.CreateUserAsync(email, roles: roles);
        await using var db = await Portal.DbAsync();
        var user = await db.Users.AsNoTracking().SingleAsync(u => u.Id == created.Id);
        var auth = Context.AddAuthorization();
        auth.SetAuthorized(user.UserName!);
        auth.SetRoles(roles);
        auth.SetClaims(
            new Claim(ClaimTypes.NameIdentifier, user.Id),
            new Claim(Portal.Get<IOptions<IdentityOptions>>().Value.ClaimsIdentity.SecurityStampClaimType, user.SecurityStamp!));
        return user;
    }

    /// <summary>
    /// Renders <typeparamref name="TPage"/> after the popover and dialog providers, as the admin layout
    /// has them, so that what the page opens (message boxes, dialogs, select lists) is in the result.
    /// </summary>
    protected IRenderedComponent<ContainerFragment> RenderWithProviders<TPage>(IReadOnlyDictionary<string, object?>? parameters = null)
        where TPage : IComponent
    {
        _ = Portal;
        return Context.Render(builder =>
        {
            builder.OpenComponent<MudPopoverProvider>(0);
            builder.CloseComponent();
            builder.OpenComponent<MudDialogProvider>(1);
            builder.CloseComponent();
            builder.OpenComponent<TPage>(2);
            foreach (var (name, value) in parameters ?? new Dictionary<string, object?>())
            {
                builder.AddComponentParameter(3, name, value);
            }
            builder.CloseComponent();
        });
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await Context.DisposeAsync();
        if (_circuit is { } circuit)
        {
            await circuit.DisposeAsync();
        }
        if (_portal is not null)
        {
            await _portal.DisposeAsync();
        }
    }
}
