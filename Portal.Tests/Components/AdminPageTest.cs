using Bunit;
using Bunit.Rendering;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using Portal.Identity;

namespace Portal.Tests.Components;

/// <summary>
/// A test of an admin page on the portal's services: signed in as an admin, with the popover and
/// dialog providers the admin layout gives the page.
/// </summary>
public abstract class AdminPageTest : ComponentTest
{
    protected Actor Admin { get; private set; } = Actor.System;

    /// <summary>What rendered: the providers and the page.</summary>
    protected IRenderedComponent<ContainerFragment> Host { get; private set; } = default!;

    protected async Task SignInAsAdminAsync()
    {
        var user = await SignInAsync("chief@example.org", Roles.Admin);
        Admin = new Actor(user.Id, user.UserName!, new HashSet<string> { Roles.Admin });
    }

    /// <summary>Renders the page with the providers, signed in as an admin (if not already).</summary>
    protected async Task<IRenderedComponent<TPage>> RenderPageAsync<TPage>(IReadOnlyDictionary<string, object?>? parameters = null) where TPage : IComponent
    {
        if (Admin == Actor.System)
        {
            await SignInAsAdminAsync();
        }
        Host = RenderWithProviders<TPage>(parameters);
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
}
