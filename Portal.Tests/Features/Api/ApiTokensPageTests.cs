using Bunit;
using Microsoft.EntityFrameworkCore;
using MudBlazor;
using Portal.Features.Api;
using Portal.Tests.Components;

namespace Portal.Tests.Features.Api;

public sealed class ApiTokensPageTests : AdminPageTest
{
    [Fact]
    public async Task Creating_a_token_shows_it_once_and_lists_it()
    {
        await RenderPageAsync<ApiTokensPage>();
        Eventually(Host, () => Assert.Contains("No token has been made.", Host.Markup));

        await TypeAsync(Host, "Name", "HR sync");
        await ClickAsync(Host, () => Host.Find("[data-testid=create-token]"));

        Eventually(Host, () => Assert.NotEmpty(Host.FindAll("[data-testid=token-value]")));
        var token = Host.Find("[data-testid=token-value]").TextContent;
        Assert.StartsWith(ApiTokens.Prefix, token);
        Assert.Equal("HR sync", Host.Find("tbody [data-token]").TextContent);
        Assert.Contains("invitations:read, invitations:write", Host.Find("tbody tr").TextContent);
        Assert.Contains(Admin.Name, Host.Find("tbody tr").TextContent);
        var (caller, _) = await Portal.Get<ApiTokens>().AuthenticateAsync(token);
        Assert.Equal(Admin.UserId, caller!.Actor.UserId);

        await ClickAsync(Host, () => Host.Find("[data-testid=copy-token]"));
        Assert.Equal(token, Assert.Single(Context.JSInterop.Invocations["navigator.clipboard.writeText"]).Arguments[0]);

        // Another visit to the page: the token is not shown again, only its row.
        var again = Context.Render<ApiTokensPage>();
        Eventually(again, () => Assert.Single(again.FindAll("tbody [data-token]")));
        Assert.Empty(again.FindAll("[data-testid=token-value]"));
        Assert.DoesNotContain(token, again.Markup);
    }

    [Fact]
    public async Task A_token_without_a_name_or_a_scope_is_not_made()
    {
        await RenderPageAsync<ApiTokensPage>();

        await ClickAsync(Host, () => Host.Find("[data-testid=create-token]"));
        Eventually(Host, () => Assert.Equal("Give the token a name of at most 100 characters.", Host.Find("[data-testid=token-error]").TextContent.Trim()));

        await TypeAsync(Host, "Name", "HR sync");
        await UntickAsync(ApiScopes.InvitationsRead);
        await UntickAsync(ApiScopes.InvitationsWrite);
        await ClickAsync(Host, () => Host.Find("[data-testid=create-token]"));
        Eventually(Host, () => Assert.Equal("Choose at least one scope.", Host.Find("[data-testid=token-error]").TextContent.Trim()));

        await using var db = await Portal.DbAsync();
        Assert.False(await db.ApiTokens.AnyAsync());
    }

    private Task UntickAsync(string scope)
    {
        var box = Host.FindComponents<MudCheckBox<bool>>().Single(b => Equals(b.Instance.UserAttributes["data-scope"], scope));
        return box.InvokeAsync(() => box.Instance.ValueChanged.InvokeAsync(false));
    }

    [Fact]
    public async Task Revoking_asks_first_and_the_token_stops_working()
    {
        await SignInAsAdminAsync();
        var created = await Portal.Get<ApiTokens>().CreateAsync(Admin, "HR sync", ApiScopes.All, DateOnly.FromDateTime(DateTime.UtcNow).AddDays(30));
        await RenderPageAsync<ApiTokensPage>();
        Eventually(Host, () => Assert.Contains("Active", Host.Find("tbody tr").TextContent));

        await ClickAsync(Host, () => Button(Host, "Revoke"));
        Eventually(Host, () => Assert.Contains("Revoke the token HR sync", Dialog(Host).TextContent));
        Answer("Keep");
        Assert.Null((await Portal.Get<ApiTokens>().AuthenticateAsync(created.Token)).Problem);

        await ClickAsync(Host, () => Button(Host, "Revoke"));
        Answer("Revoke");

        Eventually(Host, () => Assert.Contains("Revoked", Host.Find("tbody tr").TextContent));
        Assert.Empty(Host.Find("tbody tr").QuerySelectorAll("button"));
        Assert.Contains("The token HR sync is revoked.", Snackbars);
        Assert.Equal(ApiTokenProblem.Revoked, (await Portal.Get<ApiTokens>().AuthenticateAsync(created.Token)).Problem);
    }
}
