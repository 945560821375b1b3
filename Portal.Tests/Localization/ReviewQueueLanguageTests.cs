using System.Globalization;
using Bunit;
using Portal.Features.Confirmations;
using Portal.Identity;
using Portal.Tests.Components;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Localization;

/// <summary>A moderator who reads German: the review queue, its kinds, its filters and its answers in German.</summary>
public sealed class ReviewQueueLanguageTests : ModerationPageTest
{
    private const string Grid = "review-inbox";

    [Fact]
    public async Task The_review_queue_reads_German_with_the_kinds_and_the_sign_ups_in_German()
    {
        var member = await MemberAsync("ada@example.org");
        await RequestAsync(member, "profile");
        await Portal.SeedSignUpAsync("newcomer@example.net");
        await SignInNewAsync("mod@example.org", Roles.Moderator);
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("de");

        var cut = RenderPage<ReviewInboxPage>();

        Eventually(cut, () => Assert.Equal(2, Rows(cut, Grid).Count));
        Assert.Equal("Zur Prüfung", cut.Find("h1").TextContent);
        Assert.Equal("Alle 2", Squeezed(cut.Find("[data-kind=all]").TextContent));
        Assert.Equal("Anzeigename 1", Squeezed(cut.Find("[data-kind=profile]").TextContent));
        Assert.Equal("Registrierung 1", Squeezed(cut.Find("[data-kind=sign-up]").TextContent));
        var change = Assert.Single(Rows(cut, Grid, member.Name));
        Assert.Contains("Anzeigename", change.TextContent);
        Assert.Equal(["Öffnen", "Genehmigen", "Ablehnen"], change.QuerySelectorAll("button").Select(b => b.TextContent.Trim()));
        Assert.Equal(["Art", "Antragsteller", "Wartet seit", "Aktionen"],
            cut.FindAll($"[data-testid={Grid}] thead th").Skip(1).Select(th => th.TextContent.Trim()));
        Assert.Equal(["Art", "Alter", "Antragsteller", "Reihenfolge"], cut.FindAll("label.mud-input-label").Select(l => l.TextContent.Trim()));
    }

    [Fact]
    public async Task Approving_in_German_asks_and_answers_in_German()
    {
        var member = await MemberAsync("ben@example.org");
        await RequestAsync(member, "profile");
        await SignInNewAsync("mod@example.org", Roles.Moderator);
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("de");
        var cut = RenderPage<ReviewInboxPage>();
        Eventually(cut, () => Assert.Single(Rows(cut, Grid)));

        await ClickAsync(cut, () => Button(Rows(cut, Grid)[0], "Genehmigen"));
        await AnswerAsync(cut, "Genehmigen", $"„Anzeigename“ von {member.Name} genehmigen?");

        Eventually(cut, () => Assert.Contains("1 Eintrag genehmigt. Erledigt: Ihr Anzeigename ist geändert.", Snackbars));
        Eventually(cut, () => Assert.Contains("Nichts wartet auf einen Moderator.", cut.Find($"[data-testid={Grid}]").TextContent));
    }
}
