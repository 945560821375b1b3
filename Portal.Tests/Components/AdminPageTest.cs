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
using Portal.Identity;

namespace Portal.Tests.Components;

/// <summary>
/// A test of an admin page on the portal's services: signed in as an admin, with the popover and
/// dialog providers the admin layout gives the page.
/// </summary>
public abstract class AdminPageTest : ComponentTest
{
    protected AdminPageTest()
    {
        // The renderer asks for this scoped service; unregistered here, the fallback would look it up in
        // the portal's root provider, which refuses scoped services.
        Context.Services.AddScoped(Type.GetType("Microsoft.AspNetCore.Components.ComponentsActivitySource, Microsoft.AspNetCore.Components", true)!);
    }

    protected Actor Admin { get; private set; } = Actor.System;

    /// <summary>What rendered: the providers and the page.</summary>
    protected IRenderedComponent<ContainerFragment> Host { get; private set; } = default!;

    protected async Task SignInAsAdminAsync()
    {
        var user = await Portal.CreateUserAsync("chief@example.org", roles: Roles.Admin);
        Admin = new Actor(user.Id, user.UserName!, new HashSet<string> { Roles.Admin });
        // The services ask the database for the actor's roles, and only while the sign-in's security stamp is current.
        await using var db = await Portal.DbAsync();
        var stamp = (await db.Users.AsNoTracking().SingleAsync(u => u.Id == user.Id)).SecurityStamp!;
        var auth = Context.AddAuthorization();
        auth.SetAuthorized(user.UserName!);
        auth.SetRoles(Roles.Admin);
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, user.Id),
            new Claim(Portal.Get<IOptions<IdentityOptions>>().Value.ClaimsIdentity.SecurityStampClaimType, stamp));
    }

    /// <summary>Renders the page with the providers, signed in as an admin (if not already).</summary>
    protected async Task<IRenderedComponent<TPage>> RenderPageAsync<TPage>(IReadOnlyDictionary<string, object?>? parameters = null) where TPage : IComponent
    {
        if (Admin == Actor.System)
        {
            await SignInAsAdminAsync();
        }
        Host = Context.Render(builder =>
        {
            builder.OpenComponent<MudPopoverProvider>(0);
            builder.CloseComponent();
            builder.OpenComponent<MudDialogProvider>(1);
            builder.CloseComponent();
            builder.OpenComponent<TPage>(2);
            if (parameters is not null)
            {
                builder.AddMultipleAttributes(3, parameters!);
            }
            builder.CloseComponent();
        });
        return Host.FindComponent<TPage>();
    }

    /// <summary>Where dialogs and message boxes render.</summary>
    protected IRenderedComponent<MudDialogProvider> Dialogs => Host.FindComponent<MudDialogProvider>();

    /// <summary>Answers the message box or dialog showing a button named <paramref name="answer"/>, and waits until it has closed.</summary>
    protected void Answer(string answer)
    {
        var dialogs = Dialogs;
        dialogs.WaitForAssertion(() => Assert.Contains(dialogs.FindAll("button"), b => b.TextContent.Trim() == answer));
        dialogs.FindAll("button").First(b => b.TextContent.Trim() == answer).Click();
        dialogs.WaitForAssertion(() => Assert.DoesNotContain(dialogs.FindAll("button"), b => b.TextContent.Trim() == answer));
    }

    /// <summary>The check box named <paramref name="label"/> (MudBlazor names it through aria-labelledby).</summary>
    protected static IElement CheckBox<T>(IRenderedComponent<T> rendered, string label) where T : IComponent
    {
        var name = rendered.FindAll("[id]").First(e => e.TextContent.Trim() == label && e.TagName == "SPAN");
        return rendered.Find($"input[aria-labelledby='{name.Id}']");
    }
}
