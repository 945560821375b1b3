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

    /// <summary>The grid rows (of the grid with <paramref name="testId"/>) that show <paramref name="text"/>.</summary>
    protected static IReadOnlyList<IElement> Rows(IRenderedComponent<IComponent> cut, string testId, string? text = null) =>
        [.. cut.FindAll($"[data-testid={testId}] tbody tr").Where(r => text is null || r.TextContent.Contains(text, StringComparison.Ordinal))];

    /// <summary>The check box named <paramref name="name"/> (by the label it points to).</summary>
    protected static IElement CheckBox(IRenderedComponent<IComponent> cut, string name) =>
        cut.FindAll("input[type=checkbox]").Single(box =>
            box.GetAttribute("aria-labelledby") is { Length: > 0 } label && cut.FindAll($"[id='{label}']").Any(l => l.TextContent.Trim() == name));

    /// <summary>The open dialog (a message box or a dialog component).</summary>
    protected static IElement Dialog(IRenderedComponent<IComponent> cut) => cut.Find("[role=dialog]");

    /// <summary>Clicks what <paramref name="element"/> finds, on the renderer's thread.</summary>
    protected static Task ClickAsync(IRenderedComponent<IComponent> cut, Func<IElement> element) => cut.InvokeAsync(() => element().Click());

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

    /// <summary>A member without roles, and the actor that stands for them.</summary>
    protected async Task<Actor> MemberAsync(string email)
    {
        var user = await Portal.CreateUserAsync(email);
        return new Actor(user.Id, user.UserName!, new HashSet<string>());
    }

    /// <summary>A change of <paramref name="kind"/> the member asks for, waiting for a moderator.</summary>
    protected async Task<long> RequestAsync(Actor member, string kind, int variant = 0)
    {
        var result = await Portal.Get<DeferredChanges>().RequestAsync(
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
