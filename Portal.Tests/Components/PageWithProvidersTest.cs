using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Identity;

namespace Portal.Tests.Components;

/// <summary>
/// A test of an admin page rendered beside the providers its dialogs, menus and lists open into, as
/// the admin layout has them; <see cref="Find"/>-style queries on the result see the page and its popups.
/// </summary>
public abstract class PageWithProvidersTest : ComponentTest
{
    /// <summary>An admin, signed in.</summary>
    protected Task<PortalUser> SignInAdminAsync(string email = "admin@example.org") => SignInAsync(email, Roles.Admin);

    /// <summary>Renders <typeparamref name="TPage"/> after the popover and dialog providers, at <paramref name="address"/> when given.</summary>
    protected IRenderedComponent<Bunit.Rendering.ContainerFragment> RenderPage<TPage>(string? address = null)
        where TPage : IComponent
    {
        _ = Portal;
        if (address is not null)
        {
            Context.Services.GetRequiredService<NavigationManager>().NavigateTo(address);
        }
        return RenderWithProviders<TPage>();
    }

    /// <summary>The grid row that shows <paramref name="text"/>.</summary>
    protected static IElement Row(IRenderedComponent<IComponent> cut, string text) =>
        cut.FindAll("tbody tr").Single(r => r.TextContent.Contains(text, StringComparison.Ordinal));
}
