using System.Globalization;
using Microsoft.Extensions.Options;
using Portal.Email;
using Portal.Email.Mails.Account;
using Portal.Email.Mails.Confirmations;
using Portal.Email.Mails.Invitations;
using Portal.Email.Mails.Registration;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Localization;

/// <summary>Every message in German: its own words, the German frame, durations and dates as Germans write them.</summary>
public sealed class MailLanguageTests(TestPortal portal) : IClassFixture<TestPortal>
{
    private static readonly CultureInfo German = CultureInfo.GetCultureInfo("de");

    private MailRenderer Renderer => portal.Get<MailRenderer>();

    /// <summary>Each message by its model's name, its German subject with the sample data, and a sentence of its German text.</summary>
    public static TheoryData<string, string, string> Messages => new()
    {
        { nameof(ActivationMail), "Aktivieren Sie Ihr Konto bei Portal", "um Ihr Konto zu aktivieren" },
        { nameof(AlreadyRegisteredMail), "Jemand wollte sich mit Ihrer Adresse bei Portal registrieren", "Zu dieser Adresse gibt es schon ein Konto (Ihres)" },
        { nameof(ChangeRejectedMail), "Ihre Änderung bei Portal wurde nicht freigegeben", "die Moderation hat Ihre Änderung (Display name) geprüft und nicht freigegeben" },
        { nameof(CodeEntryLockedMail), "Die Code-Eingabe für Ihr Konto bei Portal ist gesperrt", "Damit niemand einen Code erraten kann" },
        { nameof(EmailChangeMail), "Bestätigen Sie Ihre neue Adresse für Portal", "Bis zur Bestätigung behält Ihr Konto seine bisherige Adresse." },
        { nameof(EmailChangeNoticeMail), "Die Adresse Ihres Kontos bei Portal soll sich ändern", "möchte dessen E-Mail-Adresse in a•••@example.net ändern" },
        { nameof(EmailChangedMail), "Die Adresse Ihres Kontos bei Portal wurde geändert", "lautet jetzt a•••@example.net" },
        { nameof(EmailConfirmationMail), "Bestätigen Sie Ihre E-Mail-Adresse für Portal", "bitte bestätigen Sie, dass ada@example.org Ihre Adresse für Portal ist" },
        { nameof(InvitationMail), "Grace Hopper hat Sie zu Portal eingeladen", "Wählen Sie einen Benutzernamen und ein Passwort" },
        { nameof(PasswordResetMail), "Setzen Sie Ihr Passwort bei Portal zurück", "für Ihr Konto bei Portal wurde ein neues Passwort angefordert" },
        { nameof(RegistrationDecisionMail), "Ihre Registrierung bei Portal wurde nicht freigegeben", "Das Konto wurde nicht angelegt." },
    };

    [Fact]
    public void Every_message_is_listed_here()
    {
        Assert.Equal(MailTemplates.All.Select(t => t.Name).Order(), Messages.Select(m => (string)m[0]).Order());
    }

    [Theory]
    [MemberData(nameof(Messages))]
    public async Task Every_message_reads_German_from_subject_to_footer(string name, string subject, string sentence)
    {
        var template = MailTemplates.All.Single(t => t.Name == name);

        var mail = await Renderer.RenderAsync(template.Template, template.Sample(portal.Get<IOptions<PortalOptions>>().Value.Brand), German);

        Assert.Equal(subject, mail.Subject);
        Assert.StartsWith("Hallo", mail.Text);
        Assert.Contains(sentence, mail.Text);
        Assert.EndsWith("Fragen? Schreiben Sie an support@portal.localhost\n", mail.Text);
        Assert.Contains("<html lang=\"de\">", mail.Html);
        Assert.Contains("Diese Nachricht kommt von", mail.Html);
        // Values print as they are in the plain-text parts (a•••@example.net, not a&#x2022;&#x2022;&#x2022;).
        foreach (var plain in new[] { mail.Subject, mail.Text })
        {
            Assert.DoesNotMatch("&(#x?[0-9a-fA-F]+|amp|lt|gt|quot);", plain);
        }
    }

    [Fact]
    public async Task Spans_of_time_are_said_as_Germans_say_them()
    {
        var reset = await Renderer.RenderAsync(new PasswordResetMail("greta", "https://portal.test/r", TimeSpan.FromHours(3)), German);
        var changed = await Renderer.RenderAsync(new EmailChangedMail("greta", "g•••@example.net", "https://portal.test/u", TimeSpan.FromDays(7)), German);
        var change = await Renderer.RenderAsync(new EmailChangeMail("greta", "greta@example.net", "https://portal.test/c", TimeSpan.FromHours(1)), German);

        Assert.Contains("Der Link lässt sich nur einmal verwenden und ist 3 Stunden lang gültig.", reset.Text);
        Assert.Contains("können Sie die Änderung noch 7 Tage lang rückgängig machen", changed.Text);
        Assert.Contains("Der Link ist 1 Stunde lang gültig.", change.Text);
    }

    [Fact]
    public async Task The_end_of_a_lock_is_written_as_Germans_write_dates_and_times()
    {
        var locked = new CodeEntryLockedMail("greta", 5, new DateTime(2026, 3, 7, 9, 5, 0, DateTimeKind.Utc), "https://portal.test/p");

        var german = await Renderer.RenderAsync(locked, German);
        var english = await Renderer.RenderAsync(locked, CultureInfo.GetCultureInfo("en"));

        Assert.Contains("wurde 5-mal hintereinander ein falscher Bestätigungscode eingegeben", german.Text);
        Assert.Contains("wird bis zum 07.03.2026 um 09:05 Uhr (UTC) kein Code angenommen", german.Text);
        Assert.Contains("<strong>07.03.2026 um 09:05 Uhr (UTC)</strong>", german.Html);
        Assert.Contains("no code is accepted until 2026-03-07 09:05 UTC.", english.Text);
    }

    [Fact]
    public async Task An_invitation_greets_by_name_or_without_and_names_the_role()
    {
        var anonymous = await Renderer.RenderAsync(new InvitationMail(
            "Grace", null, "gast@example.org", null, "Moderator", TimeSpan.FromDays(14), "https://portal.test/a", "https://portal.test/o"), German);
        var named = await Renderer.RenderAsync(new InvitationMail(
            "Grace", "Zoë", "zoe@example.org", "Schön, dass Sie dabei sind!", null, TimeSpan.FromDays(14), "https://portal.test/a", "https://portal.test/o"), German);

        Assert.StartsWith("Hallo,\n\nGrace hat Sie (gast@example.org) als Moderator zu Portal eingeladen.\n", anonymous.Text);
        Assert.DoesNotContain("schreibt:", anonymous.Text);
        Assert.Contains("Die Einladung ist 14 Tage lang gültig.", anonymous.Text);
        Assert.Contains("Widersprechen Sie Einladungen</a>, und Portal sendet nie wieder eine Einladung an diese Adresse.", anonymous.Html);
        Assert.StartsWith("Hallo Zoë,\n\nGrace hat Sie (zoe@example.org) zu Portal eingeladen.\n\nGrace schreibt:\n\nSchön, dass Sie dabei sind!\n", named.Text);
        Assert.Contains(">Einladung annehmen</a>", named.Html);
        Assert.Contains("Oder öffnen Sie diese Adresse:", named.Html);
    }

    [Fact]
    public async Task An_approved_sign_up_is_told_in_German()
    {
        var mail = await Renderer.RenderAsync(new RegistrationDecisionMail("greta", true, null, "https://portal.test/login"), German);

        Assert.Equal("Ihr Konto bei Portal ist bereit", mail.Subject);
        Assert.Contains("die Moderation hat Ihre Registrierung freigegeben: Ihr Konto bei Portal ist aktiv, und Sie können sich jetzt anmelden:\n\nhttps://portal.test/login\n", mail.Text);
        Assert.Contains(">Anmelden</a>", mail.Html);
    }
}
