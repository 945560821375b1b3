using Portal.Features.Invitations;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Localization;

/// <summary>An invitee of an invitation in German, whose browser reads German: the invitation's pages, their checks and their dates in German.</summary>
public sealed class InvitationLanguageTests : IAsyncLifetime
{
    private static readonly InviteOptions German = new(Language: "de");

    private readonly InvitationPortal _portal = new();

    private HttpClient GermanBrowser() => _portal.Portal.CreateBrowserlikeClient("de-DE,de;q=0.9");

    [Fact]
    public async Task The_invitation_page_reads_German_with_the_date_in_German()
    {
        var token = await _portal.InviteAsync("gast@example.org", new InviteOptions(Role: "Moderator", Message: "Schön, dass Sie dabei sind!", Language: "de"));
        using var client = GermanBrowser();

        var page = await client.GetPageAsync($"/invite/{token}");

        Assert.Equal("Willkommen bei Portal", page.QuerySelector("main h1")!.TextContent);
        var intro = page.QuerySelector("main p")!.TextContent;
        Assert.Contains("Grace Admin hat Sie als Moderator zu Portal eingeladen.", intro);
        var expires = _portal.Clock.GetUtcNow().UtcDateTime.AddDays(14);
        Assert.Contains($"Die Einladung gilt bis zum {expires.Day}. {Months[expires.Month - 1]} {expires.Year}.", intro);
        Assert.Equal("Grace Admin schreibt:", page.QuerySelector("figcaption")!.TextContent);
        Assert.Equal("E-Mail-Adresse", page.QuerySelector("label[for='email']")!.TextContent.Trim());
        Assert.Equal("Widersprechen Sie Einladungen", page.QuerySelector($"a[href='invite/{token}/opt-out']")!.TextContent);
    }

    [Fact]
    public async Task An_invitee_whose_user_name_is_taken_is_told_in_German()
    {
        var taken = await _portal.Portal.CreateUserAsync("taken@example.org");
        var token = await _portal.InviteAsync("neu@example.org", German);
        using var client = GermanBrowser();

        using var response = await client.SubmitFormAsync($"/invite/{token}", new Dictionary<string, string>
        {
            ["Input.UserName"] = taken.UserName!,
            ["Input.Email"] = "neu@example.org",
            ["Input.Password"] = "ein langes genug Passwort",
            ["Input.ConfirmPassword"] = "ein langes genug Passwort",
        });

        var page = await Forms.ParseAsync(response);
        Assert.Equal("Dieser Benutzername ist vergeben: Wählen Sie einen anderen.", page.QuerySelector("#username-error")!.TextContent);
    }

    [Theory]
    [InlineData("/invite/kurz", "Dieser Link ist unvollständig")]
    [InlineData("/invite/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "Dieser Einladungslink ist ungültig")]
    public async Task A_link_that_does_not_work_explains_itself_in_German(string path, string heading)
    {
        using var client = GermanBrowser();

        var page = await client.GetPageAsync(path);

        Assert.Equal(heading, page.QuerySelector("main h1")!.TextContent);
    }

    [Fact]
    public async Task The_opt_out_page_and_its_answer_read_German()
    {
        var token = await _portal.InviteAsync("nein@example.org", German);
        using var client = GermanBrowser();

        var page = await client.GetPageAsync($"/invite/{token}/opt-out");
        Assert.Equal("Einladungen widersprechen?", page.QuerySelector("main h1")!.TextContent);
        using var response = await client.SubmitFormAsync($"/invite/{token}/opt-out", new Dictionary<string, string>());

        Assert.Equal("Sie haben widersprochen", (await Forms.ParseAsync(response)).QuerySelector("main h1")!.TextContent);
    }

    private static readonly string[] Months =
        ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _portal.DisposeAsync();
}
