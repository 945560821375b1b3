using System.Globalization;
using System.Text;
using Bunit;
using Portal.Features.Invitations.Bulk;
using Portal.Tests.Components;

namespace Portal.Tests.Localization;

/// <summary>An admin who reads German: the bulk invite pages and the dry run's reasons in German.</summary>
public sealed class BulkInviteLanguageTests : AdminPageTest
{
    private const string Team = "email,role,expires_days\nnew.one@example.org,,\nnew.two@example.org,Kapitän,\nnew.three@example.org,,900\nNEW.ONE@example.org,,\n";

    private static void ReadGerman() => CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("de");

    [Fact]
    public async Task The_upload_page_reads_German()
    {
        ReadGerman();

        var page = await RenderPageAsync<BulkInvitePage>();

        Assert.Equal("Sammeleinladung", page.Find("h1").TextContent);
        Assert.Equal("Ziehen Sie eine CSV-Datei hierher oder klicken Sie, um eine auszuwählen", page.Find(".portal-dropzone strong").TextContent);
        Assert.Matches(@"^Bis zu \d+(,\d)? MB und \d{1,3}(\.\d{3})+ Zeilen, UTF-8, getrennt durch Kommas, Semikolons oder Tabulatoren\.", page.Find(".portal-dropzone .portal-small").TextContent.Trim());
        Assert.Equal("Hochgeladene Dateien", page.Find("h2").TextContent);
        page.WaitForAssertion(() => Assert.Contains("Noch nichts hochgeladen.", page.Find("[data-testid=bulk-jobs]").TextContent));
    }

    [Fact]
    public async Task The_dry_run_gives_each_rows_class_and_reason_in_German()
    {
        ReadGerman();
        await SignInAsAdminAsync();
        var id = await Portal.Get<BulkAnalysis>().AnalyzeAsync(Admin, "team.csv", new MemoryStream(Encoding.UTF8.GetBytes(Team)));

        var page = await RenderPageAsync<BulkJobPage>(new Dictionary<string, object?> { [nameof(BulkJobPage.Id)] = id });

        page.WaitForAssertion(() => Assert.Equal(4, page.FindAll("[data-testid=bulk-rows] tbody tr").Count));
        Assert.Equal("Probelauf", page.Find("h2").TextContent);
        Assert.Equal("Neu 1", Squeezed(page.Find("[data-class=New]").TextContent));
        Assert.Equal("Ungültig 2", Squeezed(page.Find("[data-class=Invalid]").TextContent));
        Assert.Equal("Doppelt in der Datei 1", Squeezed(page.Find("[data-class=DuplicateInFile]").TextContent));
        Assert.Equal("Starten: 1 einladen", page.FindAll("button").Single(b => b.TextContent.Contains("Starten")).TextContent.Trim());
        string Why(string address) => page.FindAll("[data-testid=bulk-rows] tbody tr")
            .Single(r => r.QuerySelectorAll("td")[1].TextContent.Trim() == address).QuerySelectorAll("td")[4].TextContent.Trim();
        Assert.Equal("Es gibt keine Rolle namens „Kapitän“ (Rollen: Admin, Moderator).", Why("new.two@example.org"));
        Assert.Equal("expires_days muss eine ganze Zahl von Tagen zwischen 1 und 365 sein (angegeben ist „900“).", Why("new.three@example.org"));
        Assert.Equal("Die Adresse steht schon weiter oben in der Datei.", Why("NEW.ONE@example.org"));
    }

    private static string Squeezed(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
