using System.Net;
using Portal.Localization;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Localization;

/// <summary>Who reads which language: the browser's languages, else the site's; the visitor's own choice above both.</summary>
public sealed class LanguageTests(TestPortal portal) : IClassFixture<TestPortal>
{
    private static Task<HttpResponseMessage> SignUpAsync(HttpClient client, string userName, string email, string password, string confirmPassword) =>
        client.SubmitFormAsync("/register", new Dictionary<string, string>
        {
            ["Input.UserName"] = userName,
            ["Input.Email"] = email,
            ["Input.Password"] = password,
            ["Input.ConfirmPassword"] = confirmPassword,
        });

    private HttpClient Client(string acceptLanguage) => portal.CreateBrowserlikeClient(acceptLanguage);

    [Fact]
    public async Task A_browser_asking_for_German_gets_German_without_choosing()
    {
        using var client = Client("de-DE,de;q=0.9,en;q=0.8");

        var page = await client.GetPageAsync("/");

        Assert.Equal("de", page.DocumentElement.GetAttribute("lang"));
        Assert.Contains("Melden Sie sich mit Ihrer E-Mail-Adresse und Ihrem Passwort an.", page.QuerySelector("main")!.TextContent);
        Assert.Equal("Anmelden", page.QuerySelector("header nav a[href='Identity/Account/Login']")!.TextContent);
        Assert.Equal("Passwort vergessen?", page.QuerySelector("main a[href='Identity/Account/ForgotPassword']")!.TextContent);
        Assert.Equal("Deutsch", page.QuerySelector("footer .portal-language [aria-current]")!.TextContent);
    }

    [Theory]
    [InlineData("fr-FR,fr;q=0.9")]
    [InlineData("en-GB,en;q=0.9")]
    public async Task A_browser_asking_for_no_offered_language_or_for_English_gets_English(string acceptLanguage)
    {
        using var client = Client(acceptLanguage);

        var page = await client.GetPageAsync("/");

        Assert.Equal("en", page.DocumentElement.GetAttribute("lang"));
        Assert.Contains("Sign in with your email address and password.", page.QuerySelector("main")!.TextContent);
        Assert.Equal("English", page.QuerySelector("footer .portal-language [aria-current]")!.TextContent);
    }

    [Fact]
    public async Task The_language_switch_keeps_the_choice_in_a_cookie_above_the_browsers_languages_and_returns_to_the_page()
    {
        using var client = Client("en-US,en;q=0.9");
        var before = await client.GetPageAsync("/register");
        var link = before.QuerySelector("footer .portal-language a[lang='de']")!.GetAttribute("href")!;
        Assert.Equal("language/de?returnUrl=%2Fregister", link);

        using var switched = await client.GetAsync("/" + link);

        Assert.Equal(HttpStatusCode.Redirect, switched.StatusCode);
        Assert.Equal("/register", switched.Headers.Location!.OriginalString);
        var cookie = Assert.Single(switched.Headers.GetValues("Set-Cookie"), c => c.StartsWith(LanguageSetup.Cookie + "=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
        var after = await client.GetPageAsync("/register");
        Assert.Equal("Konto anlegen", after.QuerySelector("main h1")!.TextContent);
        Assert.Equal("Benutzername", after.QuerySelector("label[for='username']")!.TextContent.Trim());
        Assert.Equal("Mein Konto anlegen", after.QuerySelector("main button[type='submit']")!.TextContent);

        using var back = await client.GetAsync("/language/en?returnUrl=%2Fregister");
        Assert.Equal("Create an account", (await client.GetPageAsync("/register")).QuerySelector("main h1")!.TextContent);
    }

    [Theory]
    [InlineData("//evil.example/")]
    [InlineData("/\\evil.example/")]
    [InlineData("https://evil.example/")]
    [InlineData("/%09/evil.example/")]
    [InlineData("")]
    public async Task The_language_switch_never_leads_to_another_site(string returnUrl)
    {
        using var client = Client("en");

        using var response = await client.GetAsync("/language/de?returnUrl=" + Uri.EscapeDataString(Uri.UnescapeDataString(returnUrl)));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location!.OriginalString);
    }

    [Theory]
    [InlineData("/activate/resend", "Neuen Aktivierungslink senden")]
    [InlineData("/activate/not-a-whole-key", "Dieser Link ist unvollständig")]
    [InlineData("/activate/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "Dieser Aktivierungslink ist ungültig")]
    public async Task The_activation_pages_speak_German_to_a_German_browser(string path, string heading)
    {
        using var client = Client("de");

        var page = await client.GetPageAsync(path);

        Assert.Equal(heading, page.QuerySelector("main h1")!.TextContent);
    }

    [Fact]
    public async Task A_language_that_is_not_offered_cannot_be_chosen()
    {
        using var client = Client("en");

        using var response = await client.GetAsync("/language/fr?returnUrl=%2F");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.False(response.Headers.Contains("Set-Cookie") && response.Headers.GetValues("Set-Cookie").Any(c => c.StartsWith(LanguageSetup.Cookie, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_sign_up_in_German_with_mistakes_is_told_each_one_in_German()
    {
        using var client = Client("de");

        using var response = await SignUpAsync(client, "admin", "keine adresse", "kurz", "anders");

        var page = await Forms.ParseAsync(response);
        var errors = page.QuerySelectorAll(".portal-field-error").Select(e => e.TextContent.Trim()).ToList();
        Assert.Equal(
        [
            "Dieser Benutzername ist reserviert: Wählen Sie einen anderen.",
            "Eine Adresse besteht aus einem Namen, einem @ und einer Domain, etwa name@example.org.",
            "Ein Passwort hat mindestens 10 Zeichen.",
            "Die beiden Passwörter stimmen nicht überein.",
        ], errors);
    }

    [Fact]
    public async Task A_sign_up_in_German_is_answered_in_German_with_the_links_lifetime_in_German()
    {
        using var client = Client("de");

        using var response = await SignUpAsync(client, "deutsch_lerner", "lerner@example.org", "ein langes genug Passwort", "ein langes genug Passwort");

        var page = await Forms.ParseAsync(response);
        Assert.Equal("Sehen Sie in Ihr Postfach", page.QuerySelector("main h1")!.TextContent);
        Assert.Matches(@"der Link ist \d+ (Tage|Stunden) lang gültig\.", page.QuerySelector("main")!.TextContent);
        // The activation email speaks the visitor's language too, from its German template.
        var mail = await portal.Mail.DeliveredAsync("lerner@example.org", "Aktivieren Sie Ihr Konto bei Portal");
        Assert.StartsWith("Hallo deutsch_lerner,", mail.Text);
        Assert.Matches(@"Der Link ist \d+ (Tage|Stunden) lang gültig\.", mail.Text);
        Assert.Contains("Oder öffnen Sie diese Adresse:", mail.Html);
        Assert.Contains("Fragen? Schreiben Sie an", mail.Text);
        Assert.DoesNotMatch(@"\b(days|hours|Hello)\b", mail.Text);
    }
}
