using Microsoft.Playwright;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class LanguageSwitchTests(BrowserFixture fixture)
{
    [Fact]
    public async Task A_German_browser_reads_the_start_and_sign_up_pages_in_German_without_choosing()
    {
        await using var session = await fixture.NewSessionAsync("de-DE");
        var page = session.Page;

        await page.GotoAsync("");
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "de");
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("Melden Sie sich mit Ihrer E-Mail-Adresse und Ihrem Passwort an.");
        await session.ScreenshotAsync("home-de");
        await page.Locator("main").GetByRole(AriaRole.Link, new() { Name = "Konto anlegen" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Konto anlegen" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByLabel("Benutzername")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByLabel("Passwort bestätigen")).ToBeVisibleAsync();
        await session.ScreenshotAsync("register-de");
        await Accessibility.OnPhoneAsync(page);
        await session.ScreenshotAsync("register-de-phone");
        await Accessibility.AssertNoSidewaysScrollingAsync(page);
        await Accessibility.OnDesktopAsync(page);
        session.AssertNoErrors();
    }

    [Fact]
    public async Task A_German_visitor_signs_up_and_activates_in_German_from_the_form_to_the_start_page()
    {
        await using var session = await fixture.NewSessionAsync("de-DE");
        var page = session.Page;
        await page.GotoAsync("register");

        await page.GetByLabel("Benutzername").FillAsync("greta_de");
        await page.GetByLabel("E-Mail-Adresse").FillAsync("greta@example.org");
        await page.GetByLabel("Passwort", new() { Exact = true }).FillAsync("grüne wiesen am morgen");
        await page.GetByLabel("Passwort bestätigen").FillAsync("grüne wiesen am abend");
        await page.GetByRole(AriaRole.Button, new() { Name = "Mein Konto anlegen" }).ClickAsync();
        await Assertions.Expect(page.Locator("#confirm-error")).ToHaveTextAsync("Die beiden Passwörter stimmen nicht überein.");
        await session.ScreenshotAsync("register-de-invalid");
        await page.GetByLabel("Passwort", new() { Exact = true }).FillAsync("grüne wiesen am morgen");
        await page.GetByLabel("Passwort bestätigen").FillAsync("grüne wiesen am morgen");
        await page.GetByRole(AriaRole.Button, new() { Name = "Mein Konto anlegen" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sehen Sie in Ihr Postfach" })).ToBeVisibleAsync();
        await session.ScreenshotAsync("register-de-sent");

        var mail = await fixture.Portal.Mail.DeliveredAsync("greta@example.org", "Aktivieren Sie Ihr Konto bei Portal");
        Assert.Contains("Mein Konto aktivieren", mail.Html);
        await page.GotoAsync(mail.LinkContaining("/activate/"));
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Konto aktivieren" })).ToBeVisibleAsync();
        await session.ScreenshotAsync("activate-de");
        await page.GetByRole(AriaRole.Button, new() { Name = "Mein Konto aktivieren" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Willkommen, greta_de" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("Ihr Konto ist aktiviert, und Sie sind angemeldet.");
        await Assertions.Expect(page.Locator("header")).ToContainTextAsync("Abmelden");
        await session.ScreenshotAsync("activated-home-de");
        session.AssertNoErrors();
    }

    [Fact]
    public async Task An_admin_working_in_English_invites_in_German_and_the_invitee_reads_German_from_the_mail_to_the_start_page()
    {
        await using (var admin = await fixture.SignedInAdminAsync("language.admin@example.org", "an admin's long passphrase"))
        {
            var adminPage = admin.Page;
            await adminPage.GotoAsync("admin/invitations");
            await admin.WaitForInteractiveAsync();
            await adminPage.GetByRole(AriaRole.Button, new() { Name = "Invite people" }).ClickAsync();
            var dialog = adminPage.GetByRole(AriaRole.Dialog);
            await dialog.GetByLabel("Addresses", new() { Exact = true }).FillAsync("gast.de@example.org");
            await dialog.GetByLabel("Personal message (optional)").FillAsync("Schön, dass Sie dabei sind!");
            // The admin's own language is chosen until they pick the invitee's.
            await Assertions.Expect(dialog.GetByTestId("invite-language")).ToContainTextAsync("English");
            await dialog.GetByTestId("invite-language").ClickAsync();
            await adminPage.GetByRole(AriaRole.Option, new() { Name = "Deutsch" }).ClickAsync();
            await Assertions.Expect(dialog.GetByTestId("invite-language")).ToContainTextAsync("Deutsch");
            await admin.ScreenshotAsync("admin-invite-dialog-german");
            await dialog.GetByRole(AriaRole.Button, new() { Name = "Send invitations" }).ClickAsync();
            await Assertions.Expect(dialog.Locator("tr[data-outcome='Sent']")).ToContainTextAsync("Invitation sent");
            admin.AssertNoErrors();
        }

        var mail = await fixture.Portal.Mail.DeliveredAsync("gast.de@example.org", "language.admin@example.org hat Sie zu Portal eingeladen");
        Assert.Contains("Schön, dass Sie dabei sind!", mail.Text);
        Assert.DoesNotMatch(@"\b(invited|Hello|days)\b", mail.Text);
        // The invitee's browser asks for English: the invitation's language comes first.
        await using var session = await fixture.NewSessionAsync("en-US");
        var page = session.Page;

        await page.GotoAsync(mail.LinkContaining("/opt-out"));
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Einladungen widersprechen?" })).ToBeVisibleAsync();
        await session.ScreenshotAsync("opt-out-de");
        await page.GetByRole(AriaRole.Link, new() { Name = "Zurück zur Einladung" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Willkommen bei Portal" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("figcaption")).ToHaveTextAsync("language.admin@example.org schreibt:");
        await session.ScreenshotAsync("invite-accept-de");

        await page.GetByLabel("Benutzername").FillAsync("gast_de");
        await page.GetByLabel("Passwort", new() { Exact = true }).FillAsync("grüne wiesen am morgen");
        await page.GetByLabel("Passwort bestätigen").FillAsync("grüne wiesen am abend");
        await page.GetByRole(AriaRole.Button, new() { Name = "Mein Konto anlegen" }).ClickAsync();
        await Assertions.Expect(page.Locator("#confirm-error")).ToHaveTextAsync("Die beiden Passwörter stimmen nicht überein.");
        await page.GetByLabel("Passwort", new() { Exact = true }).FillAsync("grüne wiesen am morgen");
        await page.GetByLabel("Passwort bestätigen").FillAsync("grüne wiesen am morgen");
        await page.GetByRole(AriaRole.Button, new() { Name = "Mein Konto anlegen" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Willkommen, gast_de" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("Ihr Konto ist eingerichtet, und Sie sind angemeldet.");
        await session.ScreenshotAsync("invite-joined-de");
        session.AssertNoErrors();
    }

    [Fact]
    public async Task The_switch_in_the_footer_changes_the_language_and_keeps_it_from_page_to_page()
    {
        await using var session = await fixture.NewSessionAsync("en-US");
        var page = session.Page;
        await page.GotoAsync("register");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Create an account" })).ToBeVisibleAsync();

        var languages = page.GetByRole(AriaRole.Navigation, new() { Name = "Language" });
        await languages.GetByRole(AriaRole.Link, new() { Name = "Deutsch" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Konto anlegen" })).ToBeVisibleAsync();
        Assert.EndsWith("/register", page.Url);
        await session.ScreenshotAsync("language-switched-de");
        await page.GotoAsync("");
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("Passwort vergessen?");
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Sprache" }).GetByRole(AriaRole.Link, new() { Name = "English" }).ClickAsync();
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("Forgot your password?");
        session.AssertNoErrors();
    }
}
