using Microsoft.Playwright;
using Portal.Features.Confirmations;
using Portal.Identity;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Browser;

/// <summary>A member and a moderator who switch to German: the profile, its checks and the review queue in German, at any width.</summary>
[Collection(BrowserCollection.Name)]
public sealed class GermanMemberAndModeratorTests(BrowserFixture fixture)
{
    /// <summary>Signs in (in English, as the sign-in page is not translated yet) and switches to German on the way to <paramref name="path"/>.</summary>
    private async Task<BrowserSession> GermanSessionAsync(string email, string path)
    {
        var session = await fixture.NewSessionAsync("de-DE");
        await session.Page.GotoAsync(LanguageSwitch("en", "/"));
        await session.SignInAsync(email, TestPortal.DefaultPassword);
        await session.Page.GotoAsync(LanguageSwitch("de", path));
        return session;
    }

    private static string LanguageSwitch(string language, string path) => Portal.Localization.LanguageSetup.SwitchLink(language, path);

    [Fact]
    public async Task A_German_member_reads_the_profile_in_German_and_is_told_a_mistake_in_German()
    {
        var member = await fixture.Portal.CreateUserAsync("profil.de@example.org");
        await using var session = await GermanSessionAsync(member.Email!, "/account/profile");
        var page = session.Page;

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Mein Profil", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Postanschrift" })).ToBeVisibleAsync();
        await session.ScreenshotAsync("profile-de");
        var phone = page.Locator("section[data-kind=phone]");
        await phone.GetByText("Ihre Telefonnummer ändern").ClickAsync();
        await phone.GetByLabel("Telefonnummer").FillAsync("0151 2345678");
        await phone.GetByRole(AriaRole.Button, new() { Name = "Speichern und bestätigen" }).ClickAsync();

        await Assertions.Expect(page.Locator("#phone-phonenumber-error")).ToHaveTextAsync("Beginnen Sie die Nummer mit + und der Ländervorwahl, etwa +49 151 23456789.");
        await session.ScreenshotAsync("profile-de-invalid");
        await Accessibility.OnPhoneAsync(page);
        await session.ScreenshotAsync("profile-de-phone");
        await Accessibility.AssertNoSidewaysScrollingAsync(page);
        await Accessibility.OnDesktopAsync(page);
        session.AssertNoErrors();
    }

    [Fact]
    public async Task A_German_moderator_reads_the_review_queue_in_German()
    {
        var portal = fixture.Portal;
        var member = await portal.CreateUserAsync("anzeige.de@example.org");
        var asked = await portal.Get<ChangeRequests>().RequestAsync(new Actor(member.Id, member.UserName!, new HashSet<string>()), "profile", member.Id,
            ConfirmationsPortal.Proposal("profile"), TestPortal.DefaultPassword);
        Assert.Equal(ChangeOutcome.Requested, asked.Outcome);
        await portal.SeedSignUpAsync("wartend.de@example.org");
        var moderator = await portal.CreateUserAsync("pruefer.de@example.org", roles: Roles.Moderator);
        await using var session = await GermanSessionAsync(moderator.Email!, "/admin/review");
        var page = session.Page;

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Zur Prüfung", Level = 1 })).ToBeVisibleAsync();
        await session.WaitForInteractiveAsync();
        var rows = page.GetByTestId("review-inbox").Locator("tbody tr");
        await Assertions.Expect(rows.Filter(new() { HasText = member.UserName! })).ToContainTextAsync("Anzeigename");
        await Assertions.Expect(rows.Filter(new() { HasText = "wartend.de@example.org" })).ToContainTextAsync("Registrierung");
        await Assertions.Expect(rows.Filter(new() { HasText = member.UserName! }).GetByRole(AriaRole.Button, new() { Name = "Genehmigen" })).ToBeVisibleAsync();
        await session.ScreenshotAsync("admin-review-queue-de");
        await ReviewQueueTests.AtPhoneWidthAsync(session, "admin-review-queue-de-phone");
        session.AssertNoErrors();
    }
}
