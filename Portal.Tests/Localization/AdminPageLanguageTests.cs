using System.Globalization;
using Bunit;
using MudBlazor;
using Portal.Components.Shared;
using Portal.Data;
using Portal.Email;
using Portal.Email.Mails.Account;
using Portal.Features.Outbox;
using Portal.Features.Registration;
using Portal.Features.Settings;
using Portal.Features.Users;
using Portal.Identity;
using Portal.Tests.Components;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Localization;

/// <summary>The admin pages for an admin who reads German: headings, grids, dialogs, checks and messages in German, MudBlazor's own texts too.</summary>
public sealed class AdminPageLanguageTests : PageWithProvidersTest
{
    public AdminPageLanguageTests() => CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("de");

    [Fact]
    public async Task The_settings_page_saves_a_mode_and_says_so_in_German()
    {
        var admin = await SignInAdminAsync();
        var cut = RenderPage<SettingsPage>();
        Eventually(cut, () => Assert.Contains("Gültig: Offen, aus der Konfigurationsdatei (Registration:Mode); hier hat es noch niemand aus der Administration geändert.",
            Squeezed(cut.Find("[data-setting=registration-mode]").TextContent)));
        Assert.Equal("Einstellungen", cut.Find("h1").TextContent);
        Assert.Contains("Nur mit Einladung", cut.Find(".mud-radio-group").TextContent);

        var modes = cut.FindComponent<MudRadioGroup<RegistrationMode>>();
        await modes.InvokeAsync(() => modes.Instance.ValueChanged.InvokeAsync(RegistrationMode.ApprovalRequired));
        Button(cut, "Speichern").Click();

        Eventually(cut, () => Assert.Equal(
            $"Gültig: Mit Freigabe, festgelegt von {admin.UserName} gerade eben. Laut Konfigurationsdatei: Offen.",
            Squeezed(cut.Find("[data-setting=registration-mode]").TextContent)));
        Assert.Equal(["Die Registrierung ist jetzt auf „Mit Freigabe“ gestellt."], Snackbars);
        Assert.Equal(RegistrationMode.ApprovalRequired, await Portal.Get<SiteSettings>().RegistrationModeAsync());
    }

    [Fact]
    public async Task The_users_page_has_German_headings_states_pager_and_messages()
    {
        await SignInAdminAsync();
        var newcomer = await Portal.CreateUserAsync("neu@example.org", state: AccountState.AwaitingActivation);
        var cut = RenderPage<UsersPage>();
        Eventually(cut, () => Assert.Equal(2, cut.FindAll("tbody tr").Count));

        Assert.Equal("Benutzer", cut.Find("h1").TextContent);
        Assert.Equal(["Konto", "Status", "Rollen", "Angelegt", "Letzte Anmeldung", "Aktionen"],
            cut.FindAll("thead th").Select(h => h.TextContent.Trim()).Where(t => t.Length > 0));
        Assert.Equal(["Wartet auf Aktivierung"], Row(cut, "neu@example.org").QuerySelectorAll("[data-status]").Select(s => s.GetAttribute("data-status")));
        Assert.Contains("nie", Row(cut, "neu@example.org").TextContent);
        Assert.Contains("Zeilen pro Seite:", cut.Find(".mud-table-pagination").TextContent);
        Assert.Contains("1–2 von 2", cut.Find(".mud-table-pagination").TextContent);

        Button(Row(cut, "neu@example.org"), "Deaktivieren").Click();
        Eventually(cut, () => Assert.Contains($"{newcomer.UserName} deaktivieren? Eine Anmeldung ist dann nicht mehr möglich", Dialog(cut).TextContent));
        await ClickAsync(cut, () => Button(Dialog(cut), "Deaktivieren"));

        Eventually(cut, () => Assert.Equal([$"{newcomer.UserName} ist deaktiviert: Eine Anmeldung ist nicht mehr möglich, und offene Sitzungen enden innerhalb einer Minute."], Snackbars));
        Eventually(cut, () => Assert.Equal(["Deaktiviert"], Row(cut, "neu@example.org").QuerySelectorAll("[data-status]").Select(s => s.GetAttribute("data-status"))));
    }

    [Fact]
    public async Task The_outbox_counts_and_names_states_in_German()
    {
        await SignInAdminAsync();
        await using (var db = await Portal.DbAsync())
        {
            var failed = await Portal.Get<Mailer>().QueueAsync(db, "kaputt@example.org", new PasswordResetMail("jemand", "https://portal.test/x", TimeSpan.FromHours(3)));
            failed.Status = OutboxStatus.Failed;
            await db.SaveChangesAsync();
        }

        var cut = RenderPage<OutboxPage>();

        Eventually(cut, () => Assert.Equal("0 wartend · 0 gesendet · 1 fehlgeschlagen", cut.Find("[data-counts]").TextContent));
        Assert.Equal("Postausgang", cut.Find("h1").TextContent);
        Eventually(cut, () => Assert.Equal("Fehlgeschlagen", Row(cut, "kaputt@example.org").QuerySelector("[data-status]")!.GetAttribute("data-status")));
        Assert.NotNull(Button(Row(cut, "kaputt@example.org"), "Erneut senden"));
        Assert.Equal("Gesperrte Adressen", cut.Find("h2#suppressed").TextContent);
        Assert.Contains("Keine Adresse ist gesperrt.", cut.Markup);

        await ClickAsync(cut, () => Button(Row(cut, "kaputt@example.org"), "Erneut senden"));

        Eventually(cut, () => Assert.Equal(["Die Nachricht an kaputt@example.org ist wieder in der Warteschlange."], Snackbars));
        Eventually(cut, () => Assert.Equal("Wartend", Row(cut, "kaputt@example.org").QuerySelector("[data-status]")!.GetAttribute("data-status")));
    }

    [Fact]
    public async Task Rejecting_sign_ups_asks_for_the_reason_in_German_and_reports_in_German()
    {
        await Portal.SeedSignUpAsync("eins@queue.example");
        await Portal.SeedSignUpAsync("zwei@queue.example");
        var moderator = await SignInAsync("mod@example.org", Roles.Moderator);
        var cut = RenderPage<SignUpApprovalsPage>();
        Eventually(cut, () => Assert.Equal(2, cut.FindAll("[data-testid=sign-ups] tbody tr").Count));
        Assert.Equal("Freigabe von Registrierungen", cut.Find("h1").TextContent);
        Assert.Equal("Wartet auf Freigabe", Row(cut, "eins@queue.example").QuerySelectorAll("[data-status]").Last().GetAttribute("data-status"));

        await cut.InvokeAsync(() => CheckBox(cut, "eins@queue.example auswählen").Change(true));
        await cut.InvokeAsync(() => CheckBox(cut, "zwei@queue.example auswählen").Change(true));
        Eventually(cut, () => Assert.Contains("2 ausgewählt", Squeezed(cut.Find("[role=toolbar]").TextContent)));
        await ClickAsync(cut, () => Button(cut.Find("[role=toolbar]"), "Auswahl ablehnen"));
        Eventually(cut, () => Assert.Contains("Der Grund wird jeder der 2 Personen per E-Mail geschickt", Dialog(cut).TextContent));
        Assert.Contains("Grund auswählen", Dialog(cut).TextContent);
        await ClickAsync(cut, () => Button(Dialog(cut), "2 ablehnen"));

        Eventually(cut, () => Assert.Contains("Geben Sie einen Grund an: Er wird der Person geschickt, die sich registriert hat.", Dialog(cut).TextContent));
        var reason = cut.FindComponents<MudTextField<string>>().Single(f => f.Instance.Label == "Grund, der an die Person geht");
        await reason.InvokeAsync(() => reason.Instance.ValueChanged.InvokeAsync("Die Anmeldung ist nur für Mitglieder."));
        await ClickAsync(cut, () => Button(Dialog(cut), "2 ablehnen"));

        Eventually(cut, () => Assert.Equal(["2 Registrierungen abgelehnt."], Snackbars));
        await ChooseAsync<SignUpStatus?>(cut, "Status", SignUpStatus.Rejected);
        Eventually(cut, () => Assert.Equal(2, cut.FindAll("[data-testid=sign-ups] tbody tr").Count));
        var rejected = Row(cut, "eins@queue.example");
        Assert.Equal("Abgelehnt", rejected.QuerySelectorAll("[data-status]").Last().GetAttribute("data-status"));
        Assert.Contains($"von {moderator.UserName}, gerade eben", Squeezed(rejected.TextContent));
    }

    [Fact]
    public async Task Pending_activations_count_days_and_accounts_in_German_singular_and_plural()
    {
        await SignInAdminAsync();
        var now = DateTime.UtcNow;
        await Portal.SeedSignUpAsync("frisch@example.org", SignUpStatus.AwaitingActivation, now.AddDays(-1), now.AddDays(6));
        await Portal.SeedSignUpAsync("alt@example.org", SignUpStatus.AwaitingActivation, now.AddDays(-10), now.AddDays(-3));
        var cut = RenderPage<PendingActivationsPage>();
        Eventually(cut, () => Assert.Equal(2, cut.FindAll("tbody tr").Count));

        Assert.Equal("Wartet", Row(cut, "frisch@example.org").QuerySelector("[data-status]")!.GetAttribute("data-status"));
        Assert.Contains("läuft ab in 6 Tagen", Squeezed(Row(cut, "frisch@example.org").TextContent));
        Assert.Equal("Abgelaufen", Row(cut, "alt@example.org").QuerySelector("[data-status]")!.GetAttribute("data-status"));
        Assert.Contains("vor 10 Tagen", Row(cut, "alt@example.org").TextContent);
        Assert.Contains("abgelaufen vor 3 Tagen", Squeezed(Row(cut, "alt@example.org").TextContent));

        Button(Row(cut, "frisch@example.org"), "Erneut senden").Click();
        Eventually(cut, () => Assert.Equal(["Neuer Aktivierungslink an 1 Konto gesendet."], Snackbars));

        Button(cut, "Bereinigung ansehen").Click();
        Eventually(cut, () => Assert.Contains("Vorschau der Bereinigung", cut.Find(".portal-cleanup").TextContent));
        Assert.Equal("Die Bereinigung würde 1 Konto löschen (nie aktiviert, jeder Link abgelaufen) und 0 alte Aktivierungsschlüssel entfernen (verbraucht oder ersetzt, Aufbewahrungsfrist vorbei).",
            cut.Find(".portal-cleanup p").TextContent);
        Assert.Equal("1 Konto", cut.Find(".portal-cleanup p strong").TextContent);
    }

    [Fact]
    public void A_chart_labels_its_days_as_German_writes_them()
    {
        Assert.Equal("5. März", new ChartDay(new DateOnly(2025, 3, 5), 1, 2).Label);
        Assert.Equal("14. Okt.", new ChartDay(new DateOnly(2025, 10, 14), 1, 2).Label);
    }

    private static string Squeezed(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
