using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Extensions;
using Portal.Components.Layout;
using Portal.Identity;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Components;

/// <summary>The admin shell: the menu drawer, the light/dark toggle, the account menu, and the menu each role sees.</summary>
public sealed class AdminLayoutTests : ComponentTest
{
    private IRenderedComponent<AdminLayout> RenderLayout()
    {
        _ = Portal;
        return Context.Render<AdminLayout>(p => p.Add(l => l.Body, "<p data-testid=\"body\">the page</p>"));
    }

    [Fact]
    public async Task The_theme_toggle_saves_the_choice_through_the_page_module_and_turns_the_pages_dark()
    {
        await SignInAsync("shade@example.org", Roles.Admin);
        var module = Context.JSInterop.SetupModule("./Components/Layout/AdminLayout.razor.js");
        module.SetupVoid("remember", PortalTheme.Cookie, "dark").SetVoidResult();
        var cut = RenderLayout();
        var toggle = () => cut.Find("[data-testid=theme-toggle]");
        Assert.Equal("Use the dark theme", toggle().GetAttribute("aria-label"));
        Assert.False(cut.FindComponents<MudThemeProvider>().Single().Instance.GetState(x => x.IsDarkMode));

        await cut.InvokeAsync(() => toggle().Click());

        cut.WaitForAssertion(() => Assert.Equal("Use the light theme", toggle().GetAttribute("aria-label")));
        Assert.True(cut.FindComponents<MudThemeProvider>().Single().Instance.GetState(x => x.IsDarkMode));
        Assert.Equal(new object?[] { PortalTheme.Cookie, "dark" }, module.VerifyInvoke("remember").Arguments);
        Assert.Equal("the page", cut.Find("[data-testid=body]").TextContent);
    }

    [Fact]
    public async Task The_menu_button_folds_the_drawer_away_and_brings_it_back()
    {
        await SignInAsync("folder@example.org", Roles.Admin);
        var cut = RenderLayout();
        var button = () => cut.Find("button[aria-label='Show or hide the menu']");
        var drawerOpen = () => cut.FindComponents<MudDrawer>().Single().Instance.GetState(x => x.Open);
        // Open or folded at first as the window's size says; the button says which, and turns it over.
        var first = drawerOpen();
        Assert.Equal(first ? "true" : "false", button().GetAttribute("aria-expanded"));

        await cut.InvokeAsync(() => button().Click());
        Assert.Equal(!first, drawerOpen());
        Assert.Equal(first ? "false" : "true", button().GetAttribute("aria-expanded"));

        await cut.InvokeAsync(() => button().Click());
        Assert.Equal(first, drawerOpen());
        Assert.Equal(first ? "true" : "false", button().GetAttribute("aria-expanded"));
    }

    [Fact]
    public async Task The_account_menu_names_the_person_and_leads_to_their_account_their_profile_and_signing_out()
    {
        var user = await SignInAsync("menu.owner@example.org", Roles.Admin);
        var cut = RenderLayout();
        var opener = cut.FindAll("button").First(b => b.GetAttribute("aria-label") == $"Your account: {user.UserName}");
        Assert.Contains(user.UserName!, opener.TextContent);

        await cut.InvokeAsync(() => opener.Click());

        cut.WaitForAssertion(() => Assert.Contains(cut.FindAll("a[href]"), a => a.GetAttribute("href") == "Identity/Account/Manage"));
        Assert.Contains(cut.FindAll("a[href]"), a => a.GetAttribute("href") == "account/profile" && a.TextContent.Contains("Your profile", StringComparison.Ordinal));
        var signOut = cut.Find("form[action='Identity/Account/Logout']");
        Assert.Equal("post", signOut.GetAttribute("method"));
        Assert.Equal("Sign out", signOut.QuerySelector("button[type=submit]")!.TextContent.Trim());
    }

    [Theory]
    [InlineData(Roles.Admin, new[] { "admin", "admin/invitations", "admin/users", "admin/settings", "admin/review" })]
    [InlineData(Roles.Moderator, new[] { "admin/review" })]
    public async Task The_menu_shows_each_role_the_pages_it_may_open(string role, string[] pages)
    {
        await SignInAsync($"{role.ToLowerInvariant()}.menu@example.org", role);
        var cut = RenderLayout();

        var links = cut.Find("nav[aria-label=Administration]").QuerySelectorAll("a[href]").Select(a => a.GetAttribute("href")).ToList();

        Assert.All(pages, page => Assert.Contains(page, links));
        if (role == Roles.Moderator)
        {
            Assert.Equal(["admin/review"], links);
        }
    }

    [Fact]
    public async Task The_review_queue_entry_counts_what_waits_and_counts_again_on_the_next_page()
    {
        await SignInAsync("counter@example.org", Roles.Moderator);
        await Portal.SeedSignUpAsync("first.applicant@example.org");
        var cut = RenderLayout();
        cut.WaitForAssertion(() => Assert.Equal("1", cut.Find("[data-count=review-queue]").TextContent.Trim()));
        Assert.Equal("Waiting for a moderator: 1 sign-up, 0 changes", cut.Find("[data-count=review-queue]").GetAttribute("title"));

        await Portal.SeedSignUpAsync("second.applicant@example.org");
        await cut.InvokeAsync(() => Context.Services.GetRequiredService<NavigationManager>().NavigateTo("admin/review"));

        cut.WaitForAssertion(() => Assert.Equal("2", cut.Find("[data-count=review-queue]").TextContent.Trim()));
    }
}
