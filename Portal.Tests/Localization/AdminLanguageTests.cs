using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Portal.Identity;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Localization;

/// <summary>An admin whose browser reads German: the dashboard with its counts in German, and the pages anyone may meet.</summary>
public sealed class AdminLanguageTests : IAsyncLifetime
{
    private const string AdminEmail = "chief@example.org";

    private readonly ConfirmationsPortal _fixture = new();

    public async Task InitializeAsync() => await _fixture.PersonAsync(AdminEmail, Roles.Admin);

    public async Task DisposeAsync() => await _fixture.DisposeAsync();

    private HttpClient GermanBrowser() => _fixture.Portal.CreateBrowserlikeClient("de-DE,de;q=0.9");

    [Fact]
    public async Task The_dashboard_reads_German_with_its_counts_in_the_right_number_and_its_days_in_German()
    {
        await _fixture.Portal.SeedSignUpAsync("eins@example.org");
        using var client = GermanBrowser();
        using var signIn = await client.SignInAsync(AdminEmail, TestPortal.DefaultPassword);

        var page = await client.GetPageAsync("/admin");

        Assert.Equal("de", page.DocumentElement.GetAttribute("lang"));
        Assert.Equal("Übersicht", page.QuerySelector("h1")!.TextContent);
        Assert.Equal("Konten", Card(page, "users").QuerySelector(".portal-stat-title")!.TextContent);
        Assert.Equal("1 aktiv, 1 noch nicht aktiv, 0 deaktiviert", Detail(page, "users"));
        Assert.Equal("Alle Konten", Card(page, "users").QuerySelector("a[href='admin/users']")!.TextContent);
        Assert.Equal("Aktiv: 0 von 1 Registrierung der letzten 30 Tage", Detail(page, "activation-rate"));
        Assert.Equal("Einladungen der letzten 30 Tage", page.QuerySelector("[data-chart=invitations] .portal-stat-head")!.TextContent.Trim());
        Assert.Equal("Gesendet: 0 · Angenommen: 0", page.QuerySelector("[data-chart=invitations] [data-chart-totals]")!.TextContent.Trim());
        Assert.Equal("Registriert: 1 · Jetzt aktiv: 0", page.QuerySelector("[data-chart=sign-ups] [data-chart-totals]")!.TextContent.Trim());
        Assert.Contains("Aktualisiert gerade eben; die Zahlen werden alle 5 Sekunden erneuert.", Squeezed(page.Body!.TextContent));
        Assert.Equal("Benutzer", page.QuerySelector(".mud-navmenu a[href='admin/users']")!.TextContent.Trim());

        await _fixture.Portal.SeedSignUpAsync("zwei@example.org");
        var again = await client.GetPageAsync("/admin");

        Assert.Equal("Aktiv: 0 von 2 Registrierungen der letzten 30 Tage", Detail(again, "activation-rate"));
    }

    [Fact]
    public async Task An_address_that_leads_nowhere_says_so_in_German()
    {
        using var client = GermanBrowser();

        using var response = await client.GetAsync("/gibt-es-nicht");

        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
        var page = await Forms.ParseAsync(response);
        Assert.Equal("Seite nicht gefunden", page.QuerySelector("h1")!.TextContent);
        Assert.Equal("Zurück zur Startseite", page.QuerySelector("main a[href='']")!.TextContent);
    }

    [Fact]
    public async Task The_page_confirming_an_address_asks_and_refuses_a_broken_link_in_German()
    {
        const string path = "/account/confirm-email?userId=nobody&email=neu%40example.org&code=kaputt";
        using var client = GermanBrowser();

        var page = await client.GetPageAsync(path);

        Assert.Equal("Bestätigen Sie Ihre Adresse", page.QuerySelector("h1")!.TextContent);
        Assert.Equal("Bestätigen Sie neu@example.org als Ihre Adresse für Portal. Danach melden Sie sich damit an, und Mails gehen dorthin.",
            Squeezed(page.QuerySelector("main p")!.TextContent));
        Assert.Equal("Meine Adresse bestätigen", page.QuerySelector("main button[type=submit]")!.TextContent);

        using var confirm = await client.SubmitFormAsync(path, new Dictionary<string, string>());

        var refused = await Forms.ParseAsync(confirm);
        Assert.Equal("Dieser Link funktioniert nicht", refused.QuerySelector("h1")!.TextContent);
        Assert.Equal("Ihre Adresseinstellungen", refused.QuerySelector("a[href='Identity/Account/Manage/Email']")!.TextContent);
    }

    private static IElement Card(IHtmlDocument page, string name) =>
        page.QuerySelector($"[data-stat={name}]")?.Closest(".portal-stat") ?? throw new InvalidOperationException($"No card {name}.");

    private static string? Detail(IHtmlDocument page, string name) => Card(page, name).QuerySelector(".portal-stat-detail")?.TextContent.Trim();

    private static string Squeezed(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
