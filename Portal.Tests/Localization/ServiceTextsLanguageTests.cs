using System.Globalization;
using Portal.Email;
using Portal.Features.Confirmations;
using Portal.Features.Invitations;
using Portal.Features.Invitations.Bulk;
using Portal.Features.Outbox;
using Portal.Features.Registration;
using Portal.Identity;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Localization;

/// <summary>What services tell the reader, in the reader's language: a file's problems, a bounce, a message's title, an option refused.</summary>
public sealed class ServiceTextsLanguageTests(TestPortal portal) : IClassFixture<TestPortal>
{
    private static void ReadGerman() => CultureInfo.CurrentUICulture = CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");

    private static async Task<string> RefusedAsync(string content)
    {
        var limits = new BulkInviteOptions { MaxBytes = 1_000_000, MaxRows = 1000, MaxFieldLength = 40 };
        var refused = await Assert.ThrowsAsync<CsvFileException>(async () =>
        {
            await using var file = await CsvInvitationFile.OpenAsync(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(content)), limits, default);
            await foreach (var _ in file.RowsAsync())
            {
            }
        });
        return refused.Message;
    }

    [Fact]
    public async Task A_files_problems_read_German()
    {
        ReadGerman();

        Assert.Equal("Die Datei ist leer. Ihre erste Zeile sollte die Spalten nennen: email und nach Wunsch name, role, message, expires_days, language.",
            await RefusedAsync(""));
        Assert.Equal("Die Datei hat eine Kopfzeile, aber keine Zeilen.", await RefusedAsync("email\n"));
        Assert.StartsWith("Die Kopfzeile hat keine Spalte „email“ (sie hat: \"mail\").", await RefusedAsync("mail\nada@example.org\n"));
    }

    [Fact]
    public void A_bounce_is_explained_in_German_with_a_German_date()
    {
        ReadGerman();

        var bounce = new Bounce(new DateTime(2026, 3, 5, 10, 0, 0, DateTimeKind.Utc), "550 user unknown");

        Assert.Equal("Post an diese Adresse kam am 05.03.2026 als unzustellbar zurück: 550 user unknown; entfernen Sie sie von der Sperrliste, um erneut einzuladen.",
            bounce.Explanation);
    }

    [Fact]
    public void The_messages_have_German_titles()
    {
        ReadGerman();

        var titles = MailTemplates.All.ToDictionary(t => t.Name, t => t.Title);

        Assert.Equal("Einladung", titles["InvitationMail"]);
        Assert.Equal("Kontoaktivierung", titles["ActivationMail"]);
        Assert.All(titles.Values, Assert.NotEmpty);
    }

    [Fact]
    public void A_moderator_reading_German_is_offered_the_general_rejection_reasons_in_German()
    {
        ReadGerman();

        Assert.Equal("Diese Seite ist nur für Mitglieder unserer Organisation.", portal.Get<RegistrationReview>().RejectionReasons[1]);
        Assert.Equal("Der neue Wert entspricht nicht den Regeln der Seite.", portal.Get<ChangeModeration>().RejectionReasons[0]);
    }

    [Fact]
    public async Task An_invitation_in_a_language_not_offered_is_refused_in_German()
    {
        ReadGerman();
        var admin = new Actor("de-admin", "Grete Admin", new HashSet<string> { Roles.Admin });

        var result = await portal.Get<InvitationService>().InviteAsync("x@example.org", admin, choices: new InviteOptions(Language: "fr"));

        Assert.Equal("Das Portal spricht kein fr (seine Sprachen: en, de).", result.Error);
    }
}
