using System.Net;
using AngleSharp.Html.Dom;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Localization;

/// <summary>
/// Identity's pages speak German to a German browser: the portal's copies of them, and what Identity's
/// page models write in English (field names, validation, errors and messages after a change).
/// </summary>
public sealed class IdentityLanguageTests(TestPortal portal) : IClassFixture<TestPortal>
{
    private HttpClient German() => portal.CreateBrowserlikeClient("de-DE,de;q=0.9");

    private static string Text(IHtmlDocument page, string selector) => page.QuerySelector(selector)!.TextContent.Trim();

    private static async Task<IHtmlDocument> FollowAsync(HttpClient client, HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return await client.GetPageAsync(response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task The_sign_in_page_is_German_and_so_is_a_wrong_passwords_answer()
    {
        await portal.CreateUserAsync("anna@example.org");
        using var client = German();

        var page = await client.GetPageAsync("/Identity/Account/Login");

        Assert.Equal("de", page.DocumentElement.GetAttribute("lang"));
        Assert.Equal("Anmelden", Text(page, "main h1"));
        Assert.Equal("E-Mail-Adresse", Text(page, "label[for='Input_Email']"));
        Assert.Equal("Passwort", Text(page, "label[for='Input_Password']"));
        Assert.Equal("Auf diesem Gerät angemeldet bleiben", Text(page, "label[for='Input_RememberMe']"));
        Assert.Equal("Anmelden", Text(page, "#login-submit"));
        Assert.Equal("Passwort vergessen?", Text(page, "#forgot-password"));
        Assert.Equal("Bitte füllen Sie das Feld „E-Mail-Adresse“ aus.", page.QuerySelector("#Input_Email")!.GetAttribute("data-val-required"));
        Assert.StartsWith("Anmelden · ", page.Title);

        using var wrong = await client.SignInAsync("anna@example.org", "not her password");

        var answer = await Forms.ParseAsync(wrong);
        Assert.Equal("Die Anmeldung ist fehlgeschlagen. Bitte prüfen Sie Ihre E-Mail-Adresse und Ihr Passwort.", Text(answer, ".validation-summary-errors li"));
    }

    [Fact]
    public async Task The_forgot_password_page_its_mistakes_and_its_answer_are_German()
    {
        using var client = German();

        var page = await client.GetPageAsync("/Identity/Account/ForgotPassword");
        using var empty = await client.SubmitFormAsync("/Identity/Account/ForgotPassword", new Dictionary<string, string> { ["Input.Email"] = "" });
        using var sent = await client.SubmitFormAsync("/Identity/Account/ForgotPassword", new Dictionary<string, string> { ["Input.Email"] = "niemand@example.org" });

        Assert.Equal("Passwort vergessen?", Text(page, "main h1"));
        Assert.Equal("Geben Sie Ihre E-Mail-Adresse ein.", Text(page, "main h2"));
        Assert.Equal("E-Mail-Adresse", Text(page, "label[for='Input_Email']"));
        Assert.Equal("Passwort zurücksetzen", Text(page, "main button[type='submit']"));
        Assert.Equal("Bitte füllen Sie das Feld „E-Mail-Adresse“ aus.", Text(await Forms.ParseAsync(empty), "[data-valmsg-for='Input.Email']"));
        var answer = await FollowAsync(client, sent);
        Assert.Equal("Sehen Sie in Ihr Postfach", Text(answer, "main h1"));
        Assert.Equal("Bitte sehen Sie in Ihr Postfach: Mit dem Link in der E-Mail setzen Sie Ihr Passwort zurück.", Text(answer, "main p"));
    }

    [Fact]
    public async Task The_reset_password_page_its_mistakes_and_its_confirmation_are_German()
    {
        await portal.CreateUserAsync("bernd@example.org");
        using var client = German();

        var page = await client.GetPageAsync("/Identity/Account/ResetPassword?code=QUJD");
        using var differ = await client.SubmitFormAsync("/Identity/Account/ResetPassword?code=QUJD", new Dictionary<string, string>
        {
            ["Input.Email"] = "bernd@example.org", ["Input.Password"] = "ein neues Passwort", ["Input.ConfirmPassword"] = "ein anderes Passwort",
        });
        using var badLink = await client.SubmitFormAsync("/Identity/Account/ResetPassword?code=QUJD", new Dictionary<string, string>
        {
            ["Input.Email"] = "bernd@example.org", ["Input.Password"] = "ein neues Passwort", ["Input.ConfirmPassword"] = "ein neues Passwort",
        });
        var confirmation = await client.GetPageAsync("/Identity/Account/ResetPasswordConfirmation");

        Assert.Equal("Passwort zurücksetzen", Text(page, "main h1"));
        Assert.Equal("Legen Sie ein neues Passwort fest.", Text(page, "main h2"));
        Assert.Equal(["E-Mail-Adresse", "Passwort", "Passwort bestätigen"], page.QuerySelectorAll("main label").Select(l => l.TextContent.Trim()));
        Assert.Equal("Zurücksetzen", Text(page, "main button[type='submit']"));
        Assert.Equal("Die beiden Passwörter stimmen nicht überein.", Text(await Forms.ParseAsync(differ), "[data-valmsg-for='Input.ConfirmPassword']"));
        Assert.Equal("Dieser Link ist ungültig oder abgelaufen.", Text(await Forms.ParseAsync(badLink), ".validation-summary-errors li"));
        Assert.Equal("Passwort zurückgesetzt", Text(confirmation, "main h1"));
        Assert.Equal("Ihr Passwort wurde zurückgesetzt. Bitte melden Sie sich hier an.", Text(confirmation, "main p"));
        Assert.Equal("/Identity/Account/Login", confirmation.QuerySelector("main p a")!.GetAttribute("href"));
    }

    [Fact]
    public async Task The_lockout_and_access_denied_pages_are_German()
    {
        await portal.CreateUserAsync("carla@example.org");
        using var client = German();

        var lockout = await client.GetPageAsync("/Identity/Account/Lockout");
        using (var signIn = await client.SignInAsync("carla@example.org", TestPortal.DefaultPassword))
        {
            Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        }
        using var admin = await client.GetAsync("/admin");
        var denied = await FollowAsync(client, admin);

        Assert.Equal("Konto gesperrt", Text(lockout, "main h1"));
        Assert.Equal("Dieses Konto ist vorübergehend gesperrt. Bitte versuchen Sie es später noch einmal.", Text(lockout, "main p"));
        Assert.Equal("Zugriff verweigert", Text(denied, "main h1"));
        Assert.Equal("Sie haben keinen Zugriff auf diese Seite.", Text(denied, "main p"));
    }

    [Fact]
    public async Task A_member_changes_the_password_in_German_and_is_told_a_wrong_current_one_in_German()
    {
        await portal.CreateUserAsync("dora@example.org");
        using var client = German();
        using (var signIn = await client.SignInAsync("dora@example.org", TestPortal.DefaultPassword))
        {
            Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        }
        const string Path = "/Identity/Account/Manage/ChangePassword";

        var page = await client.GetPageAsync(Path);
        using var wrong = await client.SubmitFormAsync(Path, new Dictionary<string, string>
        {
            ["Input.OldPassword"] = "nicht mein Passwort", ["Input.NewPassword"] = "ein ganz neues Passwort", ["Input.ConfirmPassword"] = "ein ganz neues Passwort",
        });
        using var changed = await client.SubmitFormAsync(Path, new Dictionary<string, string>
        {
            ["Input.OldPassword"] = TestPortal.DefaultPassword, ["Input.NewPassword"] = "ein ganz neues Passwort", ["Input.ConfirmPassword"] = "ein ganz neues Passwort",
        });

        Assert.Equal("Ihr Konto verwalten", Text(page, "main h1"));
        Assert.Equal("Ändern Sie die Einstellungen Ihres Kontos", Text(page, "main h2"));
        Assert.Equal(["Profil", "E-Mail-Adresse", "Passwort", "Zwei-Faktor-Authentifizierung", "Persönliche Daten"],
            page.QuerySelectorAll("main .nav-link").Select(a => a.TextContent.Trim()));
        Assert.Equal("Passwort ändern", Text(page, "main h3"));
        Assert.Equal(["Aktuelles Passwort", "Neues Passwort", "Neues Passwort bestätigen"], page.QuerySelectorAll("main form label").Select(l => l.TextContent.Trim()));
        Assert.Equal("Die beiden neuen Passwörter stimmen nicht überein.", page.QuerySelector("#Input_ConfirmPassword")!.GetAttribute("data-val-equalto"));
        Assert.Equal("Passwort ändern", Text(page, "main form button[type='submit']"));
        Assert.Equal("Das Passwort ist falsch.", Text(await Forms.ParseAsync(wrong), ".validation-summary-errors li"));
        var done = await FollowAsync(client, changed);
        Assert.Equal("Ihr Passwort wurde geändert.", Text(done, "main .alert-success"));
    }

    [Fact]
    public async Task The_two_factor_and_personal_data_pages_are_German()
    {
        await portal.CreateUserAsync("emil@example.org");
        using var client = German();
        using (var signIn = await client.SignInAsync("emil@example.org", TestPortal.DefaultPassword))
        {
            Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        }

        var twoFactor = await client.GetPageAsync("/Identity/Account/Manage/TwoFactorAuthentication");
        var enable = await client.GetPageAsync("/Identity/Account/Manage/EnableAuthenticator");
        using var wrongCode = await client.SubmitFormAsync("/Identity/Account/Manage/EnableAuthenticator",
            new Dictionary<string, string> { ["Input.Code"] = "123456" }, "#send-code");
        var personal = await client.GetPageAsync("/Identity/Account/Manage/PersonalData");
        var delete = await client.GetPageAsync("/Identity/Account/Manage/DeletePersonalData");

        Assert.Equal("Zwei-Faktor-Authentifizierung (2FA)", Text(twoFactor, "main h3"));
        Assert.Equal("Authenticator-App hinzufügen", Text(twoFactor, "#enable-authenticator"));
        Assert.Equal("Authenticator-App einrichten", Text(enable, "main h3"));
        Assert.Equal("Bestätigungscode", Text(enable, "label[for='Input_Code']"));
        Assert.Equal("Der Bestätigungscode ist ungültig.", Text(await Forms.ParseAsync(wrongCode), "[data-valmsg-for='Input.Code']"));
        Assert.Equal("Persönliche Daten", Text(personal, "main h3"));
        Assert.Equal("Herunterladen", Text(personal, "#download-data button"));
        Assert.Equal("Persönliche Daten löschen", Text(delete, "main h3"));
        Assert.Equal("Daten löschen und Konto schließen", Text(delete, "#delete-user button"));
    }
}
