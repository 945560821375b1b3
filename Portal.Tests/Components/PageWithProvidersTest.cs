using System.Security.Claims;
using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MudBlazor;
using Portal.Data;
using Portal.Identity;

namespace Portal.Tests.Components;

/// <summary>
/// A test of an admin page rendered beside the providers its dialogs, menus and lists open into, as
/// the admin layout has them; <see cref="Find"/>-style queries on the result see the page and its popups.
/// </summary>
public abstract class PageWithProvidersTest : ComponentTest, IAsyncLifetime
{
    private AsyncServiceScope? _circuit;

    /// <summary>
    /// The portal's services as a circuit sees them, from a scope of their own: the renderer and the
    /// pages ask for scoped services, which the portal's root provider refuses to give.
    /// </summary>
    private void UseCircuitScope()
    {
        if (_circuit is null)
        {
            _circuit = Portal.Services.CreateAsyncScope();
            Context.Services.AddFallbackServiceProvider(_circuit.Value.ServiceProvider);
        }
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await Context.DisposeAsync();
        if (_circuit is { } circuit)
        {
            await circuit.DisposeAsync();
        }
        await DisposeAsync();
    }

    /// <summary>An admin, signed in.</summary>
    protected async Task<PortalUser> SignInAdminAsync(string email = "admin@example.org")
    {
        var admin = await Portal.CreateUserAsync(email, roles: Roles.Admin);
        // The security stamp as the sign-in cookie carries it: without it the actor has no roles.
        var auth = Context.AddAuthorization();
        auth.SetAuthorized(admin.UserName!);
        auth.SetRoles(Roles.Admin);
        auth.SetClaims(
            new Claim(ClaimTypes.NameIdentifier, admin.Id),
            new Claim(Portal.Get<IOptions<IdentityOptions>>().Value.ClaimsIdentity.SecurityStampClaimType, admin.SecurityStamp!));
        return admin;
    }

    /// <summary>Renders <typeparamref name="TPage"/> after the popover and dialog providers, at <paramref name="address"/> when given.</summary>
    protected IRenderedComponent<Bunit.Rendering.ContainerFragment> RenderPage<TPage>(string? address = null)
        where TPage : IComponent
    {
        UseCircuitScope();
        if (address is not null)
        {
            Context.Services.GetRequiredService<NavigationManager>().NavigateTo(address);
        }
        return Context.Render(builder =>
        {
            builder.OpenComponent<MudPopoverProvider>(0);
            builder.CloseComponent();
            builder.OpenComponent<MudDialogProvider>(1);
            builder.CloseComponent();
            builder.OpenComponent<TPage>(2);
            builder.CloseComponent();
        });
    }

    /// <summary>The messages shown in snackbars so far.</summary>
    protected IReadOnlyList<string> Snackbars =>
        [.. Context.Services.GetRequiredService<ISnackbar>().ShownSnackbars.Select(s => s.Message ?? "")];

    /// <summary>Waits for what the page loads in the background (its grid's data) to meet <paramref name="assertion"/>.</summary>
    protected static void Eventually(IRenderedComponent<IComponent> cut, Action assertion) =>
        cut.WaitForAssertion(assertion, TimeSpan.FromSeconds(10));

    /// <summary>The one button whose text is <paramref name="name"/>.</summary>
    protected static IElement Button(IRenderedComponent<IComponent> cut, string name) =>
        cut.FindAll("button").Single(b => b.TextContent.Trim() == name);

    /// <summary>The one button inside <paramref name="scope"/> whose text is <paramref name="name"/>.</summary>
    protected static IElement Button(IElement scope, string name) =>
        scope.QuerySelectorAll("button").Single(b => b.TextContent.Trim() == name);

    /// <summary>The check box whose accessible name is <paramref name="name"/> (MudBlazor names it through aria-labelledby).</summary>
    protected static IElement CheckBox(IRenderedComponent<IComponent> cut, string name) =>
        cut.FindAll("input[type=checkbox]").Single(box => cut.Find($"#{box.GetAttribute("aria-labelledby")}").TextContent == name);

    /// <summary>The grid row that shows <paramref name="text"/>.</summary>
    protected static IElement Row(IRenderedComponent<IComponent> cut, string text) =>
        cut.FindAll("tbody tr").Single(r => r.TextContent.Contains(text, StringComparison.Ordinal));

    /// <summary>The open dialog (a message box or a dialog component).</summary>
    protected static IElement Dialog(IRenderedComponent<IComponent> cut) => cut.Find("[role=dialog]");

    /// <summary>Chooses <paramref name="value"/> in the select labelled <paramref name="label"/>, as picking it from the list does.</summary>
    protected static Task ChooseAsync<T>(IRenderedComponent<IComponent> cut, string label, T value)
    {
        var select = cut.FindComponents<MudSelect<T>>().Single(s => s.Instance.Label == label);
        return select.InvokeAsync(() => select.Instance.ValueChanged.InvokeAsync(value));
    }
}
