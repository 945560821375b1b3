using System.Security.Claims;
using AngleSharp.Dom;
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
using Portal.Identity;
using Portal.Localization;
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
        // The components' texts, MudBlazor's own among them, in the current language, as WebSetup has them.
        Context.Services.AddLocalization();
        Context.Services.AddTransient<MudLocalizer, MudTexts>();
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
        // The portal's policies as IdentitySetup defines them, for the menus that show by policy.
        auth.SetPolicies([
            .. roles.Contains(Roles.Admin) ? [Policies.Admin] : Array.Empty<string>(),
            .. roles.Intersect(Roles.Moderation).Any() ? [Policies.Moderation] : Array.Empty<string>(),
        ]);
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

    /// <summary>The messages shown in snackbars so far.</summary>
    protected IReadOnlyList<string> Snackbars =>
        [.. Context.Services.GetRequiredService<ISnackbar>().ShownSnackbars.Select(s => s.Message ?? "")];

    /// <summary>Waits (for the grid's data, a dialog) until <paramref name="assertion"/> holds.</summary>
    protected static void Eventually(IRenderedComponent<IComponent> cut, Action assertion) =>
        cut.WaitForAssertion(assertion, TimeSpan.FromSeconds(10));

    /// <summary>The one button in <paramref name="scope"/> whose text is <paramref name="name"/>.</summary>
    protected static IElement Button(IParentNode scope, string name) =>
        scope.QuerySelectorAll("button").Single(b => b.TextContent.Trim() == name);

    /// <summary>The one button on the page (or in what it opened) whose text is <paramref name="name"/>.</summary>
    protected static IElement Button(IRenderedComponent<IComponent> cut, string name) =>
        cut.FindAll("button").Single(b => b.TextContent.Trim() == name);

    /// <summary>The check box named <paramref name="name"/> (by the label it points to).</summary>
    protected static IElement CheckBox(IRenderedComponent<IComponent> cut, string name) =>
        cut.FindAll("input[type=checkbox]").Single(box =>
            box.GetAttribute("aria-labelledby") is { Length: > 0 } label && cut.FindAll($"[id='{label}']").Any(l => l.TextContent.Trim() == name));

    /// <summary>The open dialog (a message box or a dialog component).</summary>
    protected static IElement Dialog(IRenderedComponent<IComponent> cut) => cut.Find("[role=dialog]");

    /// <summary>Clicks what <paramref name="element"/> finds, on the renderer's thread.</summary>
    protected static Task ClickAsync(IRenderedComponent<IComponent> cut, Func<IElement> element) => cut.InvokeAsync(() => element().Click());

    /// <summary>Chooses <paramref name="value"/> in the select labelled <paramref name="label"/>, as picking it from its list does.</summary>
    protected static Task ChooseAsync<T>(IRenderedComponent<IComponent> cut, string label, T value)
    {
        var select = cut.FindComponents<MudSelect<T>>().Single(s => s.Instance.Label == label);
        return select.InvokeAsync(() => select.Instance.ValueChanged.InvokeAsync(value));
    }

    /// <summary>Types <paramref name="value"/> into the text field labelled <paramref name="label"/>, past its debounce.</summary>
    protected static Task TypeAsync(IRenderedComponent<IComponent> cut, string label, string value)
    {
        var field = cut.FindComponents<MudTextField<string>>().Single(f => f.Instance.Label == label);
        return field.InvokeAsync(() => field.Instance.ValueChanged.InvokeAsync(value));
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
