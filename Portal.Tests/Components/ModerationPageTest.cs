using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Portal.Data;
using Portal.Features.Confirmations;
using Portal.Identity;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Components;

/// <summary>
/// A test of a moderator's or admin's page, rendered after the popover and dialog providers as the admin
/// layout has them, so that what the page opens (message boxes, dialogs, select lists) is found in the result.
/// </summary>
public abstract class ModerationPageTest : ComponentTest
{
    /// <summary>Signs in a new account with <paramref name="role"/>, as the page's user.</summary>
    protected Task<PortalUser> SignInNewAsync(string email, string role) => SignInAsync(email, role);

    /// <summary>Renders <typeparamref name="TPage"/> with the providers before it.</summary>
    protected IRenderedComponent<IComponent> RenderPage<TPage>(IReadOnlyDictionary<string, object?>? parameters = null)
        where TPage : IComponent => RenderWithProviders<TPage>(parameters);

    /// <summary>The grid rows (of the grid with <paramref name="testId"/>) that show <paramref name="text"/>.</summary>
    protected static IReadOnlyList<IElement> Rows(IRenderedComponent<IComponent> cut, string testId, string? text = null) =>
        [.. cut.FindAll($"[data-testid={testId}] tbody tr").Where(r => text is null || r.TextContent.Contains(text, StringComparison.Ordinal))];

    /// <summary>Waits for the dialog saying <paramref name="says"/>, presses its button <paramref name="answer"/> and waits until it closed.</summary>
    protected static async Task AnswerAsync(IRenderedComponent<IComponent> cut, string answer, string says = "")
    {
        Eventually(cut, () => Assert.Contains(says, Dialog(cut).TextContent));
        await ClickAsync(cut, () => Button(Dialog(cut), answer));
        Eventually(cut, () => Assert.Empty(cut.FindAll("[role=dialog]")));
    }

    /// <summary>Picks <paramref name="reason"/> among the reject dialog's reasons.</summary>
    protected static Task PickReasonAsync(IRenderedComponent<IComponent> cut, string reason) =>
        ClickAsync(cut, () => Dialog(cut).QuerySelectorAll("label").First(l => l.TextContent.Trim() == reason).QuerySelector("input")!);

    /// <summary>A member without roles, and the actor that stands for them.</summary>
    protected async Task<Actor> MemberAsync(string email)
    {
        var user = await Portal.CreateUserAsync(email);
        return new Actor(user.Id, user.UserName!, new HashSet<string>());
    }

    /// <summary>A change of <paramref name="kind"/> the member asks for, waiting for a moderator.</summary>
    protected async Task<long> RequestAsync(Actor member, string kind, int variant = 0)
    {
        var result = await Portal.Get<ChangeRequests>().RequestAsync(
            member, kind, member.UserId!, ConfirmationsPortal.Proposal(kind, variant), TestPortal.DefaultPassword);
        Assert.True(result.Outcome == ChangeOutcome.Requested, result.Message);
        return result.ChangeId!.Value;
    }

    /// <summary>A sign-up as the database holds it now.</summary>
    protected async Task<SignUp> SignUpAsync(long id)
    {
        await using var db = await Portal.DbAsync();
        return await db.SignUps.AsNoTracking().SingleAsync(s => s.Id == id);
    }

    /// <summary>Text with its runs of white space made single spaces.</summary>
    protected static string Squeezed(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
