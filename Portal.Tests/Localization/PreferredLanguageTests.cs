using System.Net;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Features.Invitations;
using Portal.Identity;
using Portal.Localization;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Localization;

/// <summary>
/// The languages that are kept: an invitation's (its mail, its pages, the new member's preference)
/// and a member's (their pages from sign-in on, every message to them), whatever the language of
/// the admin or the browser at hand.
/// </summary>
public sealed class PreferredLanguageTests : IAsyncLifetime
{
    private readonly InvitationPortal _portal = new();

    private TestPortal Portal => _portal.Portal;

    private HttpClient Browser(string acceptLanguage) => Portal.CreateBrowserlikeClient(acceptLanguage);

    private static Dictionary<string, string> Joining(string userName, string email) => new()
    {
        ["Input.UserName"] = userName,
        ["Input.Email"] = email,
        ["Input.Password"] = "ein langes genug Passwort",
        ["Input.ConfirmPassword"] = "ein langes genug Passwort",
    };

    [Fact]
    public async Task An_invitation_takes_the_language_asked_for_as_offered_and_the_sites_when_none_is_given()
    {
        var german = await _portal.Invitations.InviteAsync("a@example.org", InvitationPortal.Admin, choices: new InviteOptions(Language: "de-AT"));
        var plain = await _portal.Invitations.InviteAsync("b@example.org", InvitationPortal.Admin);
        var unknown = await _portal.Invitations.InviteAsync("c@example.org", InvitationPortal.Admin, choices: new InviteOptions(Language: "fr"));

        Assert.Equal("de", (await _portal.InvitationAsync(german.InvitationId!.Value)).Language);
        Assert.Equal("en", (await _portal.InvitationAsync(plain.InvitationId!.Value)).Language);
        Assert.Equal(InviteOutcome.Invalid, unknown.Outcome);
        Assert.Equal("The portal does not speak fr (its languages: en, de).", unknown.Error);
        Assert.Null(await _portal.UserByEmailAsync("c@example.org"));
    }

    [Fact]
    public async Task A_resent_invitation_keeps_its_language()
    {
        var first = await _portal.Invitations.InviteAsync("d@example.org", InvitationPortal.Admin, choices: new InviteOptions(Language: "de"));

        var again = await _portal.Invitations.ResendAsync(InvitationPortal.Admin, first.InvitationId!.Value);

        Assert.Equal(InviteOutcome.Resent, again!.Outcome);
        Assert.Equal("de", (await _portal.InvitationAsync(first.InvitationId.Value)).Language);
    }

    [Fact]
    public async Task The_pages_of_a_German_invitation_read_German_in_an_English_browser_unless_its_reader_switched()
    {
        var token = await _portal.InviteAsync("e@example.org", new InviteOptions(Language: "de"));
        using var english = Browser("en-US,en;q=0.9");

        var page = await english.GetPageAsync($"/invite/{token}");
        var optOut = await english.GetPageAsync($"/invite/{token}/opt-out");
        await english.GetAsync($"/language/en?returnUrl=/invite/{token}");
        var switched = await english.GetPageAsync($"/invite/{token}");

        Assert.Equal("de", page.DocumentElement.GetAttribute("lang"));
        Assert.Equal("Willkommen bei Portal", page.QuerySelector("main h1")!.TextContent);
        Assert.Equal("Einladungen widersprechen?", optOut.QuerySelector("main h1")!.TextContent);
        Assert.Equal("en", switched.DocumentElement.GetAttribute("lang"));
        Assert.Equal("Join Portal", switched.QuerySelector("main h1")!.TextContent);
    }

    [Fact]
    public async Task A_replaced_link_of_a_German_invitation_says_so_in_German()
    {
        var old = await _portal.InviteAsync("f@example.org", new InviteOptions(Language: "de"));
        await _portal.InviteAsync("f@example.org");
        using var english = Browser("en");

        var page = await english.GetPageAsync($"/invite/{old}");

        Assert.Equal("de", page.DocumentElement.GetAttribute("lang"));
    }

    [Theory]
    [InlineData(false, "de")]
    [InlineData(true, "en")]
    public async Task The_new_member_keeps_the_language_they_read_the_invitation_in(bool switchedToEnglish, string kept)
    {
        var token = await _portal.InviteAsync("g@example.org", new InviteOptions(Language: "de"));
        using var browser = Browser("en");
        if (switchedToEnglish)
        {
            await browser.GetAsync($"/language/en?returnUrl=/invite/{token}");
        }

        using var response = await browser.SubmitFormAsync($"/invite/{token}", Joining("gerda", "g@example.org"));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(kept, (await _portal.UserByEmailAsync("g@example.org"))!.Language);
    }

    [Fact]
    public async Task A_member_who_signs_in_reads_their_own_language_in_a_browser_asking_for_another()
    {
        var member = await Portal.CreateUserAsync("h@example.org");
        await SetLanguageAsync(member.Id, "de");
        using var english = Browser("en-US,en;q=0.9");

        using var signIn = await english.SignInAsync("h@example.org", TestPortal.DefaultPassword);
        var home = await english.GetPageAsync("/");

        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.Equal("de", home.DocumentElement.GetAttribute("lang"));
    }

    [Fact]
    public async Task A_member_chooses_their_language_on_the_profile_page_and_reads_it_at_once()
    {
        var member = await Portal.CreateUserAsync("i@example.org");
        using var browser = Browser("en");
        await browser.SignInAsync("i@example.org", TestPortal.DefaultPassword);
        var before = await browser.GetPageAsync("/account/profile");
        Assert.Equal("English", before.QuerySelector("#member-language option[selected]")!.TextContent);

        using var saved = await browser.SubmitFormAsync("/account/profile", new Dictionary<string, string> { ["Language"] = "de" }, formSelector: "form[data-form='language']");
        var after = await browser.GetPageAsync("/account/profile");

        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        Assert.EndsWith("account/profile#language", saved.Headers.Location!.OriginalString);
        Assert.Equal("de", (await UserAsync(member.Id)).Language);
        Assert.Equal("de", after.DocumentElement.GetAttribute("lang"));
        Assert.Equal("Sprache", after.QuerySelector("#language h2")!.TextContent);
        Assert.Equal("Deutsch", after.QuerySelector("#member-language option[selected]")!.TextContent);
    }

    [Fact]
    public async Task A_member_with_no_saved_language_finds_the_one_they_read_chosen()
    {
        await Portal.CreateUserAsync("l@example.org");
        using var german = Browser("de");
        await german.SignInAsync("l@example.org", TestPortal.DefaultPassword);

        var page = await german.GetPageAsync("/account/profile");

        Assert.Equal("Deutsch", page.QuerySelector("#member-language option[selected]")!.TextContent);
    }

    [Fact]
    public async Task A_language_the_portal_does_not_offer_is_refused_on_the_profile_page_and_nothing_changes()
    {
        var member = await Portal.CreateUserAsync("j@example.org");
        using var browser = Browser("en");
        await browser.SignInAsync("j@example.org", TestPortal.DefaultPassword);

        using var refused = await browser.SubmitFormAsync("/account/profile", new Dictionary<string, string> { ["Language"] = "fr" }, formSelector: "form[data-form='language']");

        var page = await Forms.ParseAsync(refused);
        Assert.Equal("Choose one of the languages listed.", page.QuerySelector("#member-language-error")!.TextContent);
        Assert.Null((await UserAsync(member.Id)).Language);
    }

    [Fact]
    public async Task A_visitor_who_signed_up_in_German_gets_German_mail_even_when_asking_again_from_an_English_page()
    {
        using var german = Browser("de");
        await german.SubmitFormAsync("/register", Joining("deutsch_nutzer", "k@example.org"));
        using var english = Browser("en");

        await english.SubmitFormAsync("/activate/resend", new Dictionary<string, string> { ["Input.Email"] = "k@example.org" });

        var mails = await Portal.Mail.DeliveredToAsync("k@example.org");
        Assert.Equal(2, mails.Count);
        Assert.All(mails, m => Assert.Equal("Aktivieren Sie Ihr Konto bei Portal", m.Subject));
        Assert.Equal("de", (await _portal.UserByEmailAsync("k@example.org"))!.Language);
    }

    private async Task SetLanguageAsync(string userId, string language)
    {
        await using var db = await Portal.DbAsync();
        await db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(s => s.SetProperty(u => u.Language, language));
    }

    private async Task<PortalUser> UserAsync(string userId)
    {
        await using var db = await Portal.DbAsync();
        return await db.Users.AsNoTracking().SingleAsync(u => u.Id == userId);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _portal.DisposeAsync();
}
