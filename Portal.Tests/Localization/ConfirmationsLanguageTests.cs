using System.Globalization;
using System.Net;
using Portal.Data;
using Portal.Email.Mails.Confirmations;
using Portal.Features.Confirmations;
using Portal.Identity;
using Portal.Localization;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Localization;

/// <summary>A member whose browser reads German: the profile, its checks, the code and the mailed links in German.</summary>
public sealed class ConfirmationsLanguageTests : IAsyncLifetime
{
    private readonly ConfirmationsPortal _fixture = new();

    private HttpClient GermanBrowser() => _fixture.Portal.CreateBrowserlikeClient("de-DE,de;q=0.9");

    private async Task<(PortalUser User, Actor Actor, HttpClient Client)> GermanMemberAsync(string email)
    {
        var (user, actor) = await _fixture.PersonAsync(email);
        var client = GermanBrowser();
        using var signIn = await client.SignInAsync(email, TestPortal.DefaultPassword);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        return (user, actor, client);
    }

    [Fact]
    public async Task The_profile_reads_German_section_by_section()
    {
        var (_, _, client) = await GermanMemberAsync("profil@example.org");

        var page = await client.GetPageAsync("/account/profile");

        Assert.Equal("Mein Profil", page.QuerySelector("main h1")!.TextContent);
        var phone = page.QuerySelector("section[data-kind=phone]")!;
        Assert.Equal("Telefonnummer", phone.QuerySelector("h2")!.TextContent);
        Assert.Equal("Ihre Telefonnummer ändern", phone.QuerySelector("summary")!.TextContent);
        Assert.Equal("Speichern und bestätigen", phone.QuerySelector("button[type=submit]")!.TextContent);
        var address = page.QuerySelector("section[data-kind=postal-address]")!;
        Assert.Equal(["Straße und Hausnummer", "Postleitzahl", "Ort", "Land"], address.QuerySelectorAll("dt").Select(d => d.TextContent));
        Assert.Equal("nicht angegeben", address.QuerySelector("dd[data-field=City]")!.TextContent);
        Assert.Equal("Aktuelles Passwort", page.QuerySelector("label[for=email-currentpassword]")!.TextContent.Trim());
        Assert.Equal("Zur Prüfung senden", page.QuerySelector("section[data-kind=profile] button[type=submit]")!.TextContent);
    }

    [Fact]
    public async Task A_mistake_in_the_profile_is_explained_in_German_and_a_saved_change_says_where_the_code_went()
    {
        var (_, _, client) = await GermanMemberAsync("fehler@example.org");

        using var wrong = await client.SubmitFormAsync("/account/profile", new Dictionary<string, string> { ["PhoneNumber"] = "0151 2345678" }, "form[data-form=phone]");
        using var iban = await client.SubmitFormAsync("/account/profile",
            new Dictionary<string, string> { ["Iban"] = "DE89 3704 0044 0532 0130 01", ["AccountHolder"] = "" }, "form[data-form=bank-account]");
        using var saved = await client.SubmitFormAsync("/account/profile", new Dictionary<string, string> { ["PhoneNumber"] = "+49 151 2345 6789" }, "form[data-form=phone]");

        Assert.Equal("Beginnen Sie die Nummer mit + und der Ländervorwahl, etwa +49 151 23456789.",
            (await Forms.ParseAsync(wrong)).QuerySelector("#phone-phonenumber-error")!.TextContent);
        var bank = await Forms.ParseAsync(iban);
        Assert.Equal("Die Prüfziffern der IBAN stimmen nicht: Sehen Sie nach, ob Sie sich vertippt haben.", bank.QuerySelector("#bank-account-iban-error")!.TextContent);
        Assert.Equal("Geben Sie den Namen des Kontoinhabers ein.", bank.QuerySelector("#bank-account-accountholder-error")!.TextContent);
        var result = (await Forms.ParseAsync(saved)).QuerySelector(".portal-profile-result")!;
        Assert.Contains("Wir haben einen Code an +49 *** **89 gesendet.", result.TextContent);
        Assert.Equal("Ihre offenen Änderungen ansehen", result.QuerySelector("a")!.TextContent);
    }

    [Fact]
    public async Task The_code_page_and_a_wrong_code_read_German()
    {
        var (_, actor, client) = await GermanMemberAsync("code@example.org");
        var requested = await _fixture.RequestAsync(actor, "phone");
        var url = $"/account/changes/{requested.ChangeId}/code";

        var page = await client.GetPageAsync(url);
        using var wrong = await client.SubmitFormAsync(url,
            new Dictionary<string, string> { ["Code"] = ConfirmationsPortal.WrongCode(await _fixture.CodeAsync(requested.ChangeId!.Value)) });

        Assert.Equal("Code eingeben", page.QuerySelector("main h1")!.TextContent);
        Assert.Contains("Wir haben einen Code per SMS an +49 *** **89 geschickt.", page.QuerySelector("main p")!.TextContent);
        Assert.Equal("Noch 5 Versuche. Der Code gilt noch 10 Minuten.", page.QuerySelector(".portal-field-hint")!.TextContent.Trim());
        Assert.Equal("Bestätigen", page.QuerySelector("main form button[type=submit]")!.TextContent);
        Assert.Equal("Dieser Code ist nicht richtig. Sie haben noch 4 Versuche.", (await Forms.ParseAsync(wrong)).QuerySelector("#code-error")!.TextContent);
    }

    [Fact]
    public async Task The_link_to_the_new_address_confirms_in_German()
    {
        var (_, actor) = await _fixture.PersonAsync("neu@example.org");
        await _fixture.RequestAsync(actor, "email");
        var path = $"/{ChangeRequests.ConfirmLinkPath}/{await _fixture.TokenAsync("new0@example.net", nameof(EmailChangeMail), ChangeRequests.ConfirmLinkPath)}";
        using var client = GermanBrowser();

        var page = await client.GetPageAsync(path);
        using var confirmed = await client.SubmitFormAsync(path, new Dictionary<string, string>());

        Assert.Equal("Bestätigen Sie Ihre Änderung", page.QuerySelector("main h1")!.TextContent);
        Assert.Equal("E-Mail-Adresse", page.QuerySelector("tr[data-field=Email] th")!.TextContent);
        Assert.Equal("Änderung bestätigen", page.QuerySelector("main button[type=submit]")!.TextContent);
        var done = await Forms.ParseAsync(confirmed);
        Assert.Equal("Ihre neue Adresse gilt", done.QuerySelector("main h1")!.TextContent);
        Assert.Equal("Die Änderung ist bestätigt. Melden Sie sich ab jetzt mit Ihrer neuen Adresse an.", done.QuerySelector(".portal-success")!.TextContent);
    }

    [Fact]
    public async Task The_link_to_the_old_address_cancels_in_German()
    {
        var (_, actor) = await _fixture.PersonAsync("alt@example.org");
        await _fixture.RequestAsync(actor, "email");
        var path = $"/{ChangeRequests.CancelLinkPath}/{await _fixture.TokenAsync("alt@example.org", nameof(EmailChangeNoticeMail), ChangeRequests.CancelLinkPath)}";
        using var client = GermanBrowser();

        var page = await client.GetPageAsync(path);
        using var cancelled = await client.SubmitFormAsync(path, new Dictionary<string, string>());

        Assert.Equal("Adressänderung abbrechen", page.QuerySelector("main h1")!.TextContent);
        Assert.Equal("Das war ich nicht: Änderung abbrechen", page.QuerySelector("main button[type=submit]")!.TextContent);
        var done = await Forms.ParseAsync(cancelled);
        Assert.Equal("Die Änderung ist abgebrochen", done.QuerySelector("main h1")!.TextContent);
        Assert.Equal("Ihr Konto behält seine Adresse: Nichts wurde geändert.", done.QuerySelector(".portal-success")!.TextContent);
    }

    [Fact]
    public async Task A_reason_the_portal_recorded_reads_German_while_the_record_keeps_the_base_language()
    {
        var (_, actor, client) = await GermanMemberAsync("zurueck@example.org");
        var id = (await _fixture.RequestAsync(actor, "phone")).ChangeId!.Value;
        Assert.Equal(ChangeOutcome.Cancelled, (await _fixture.Requests.CancelAsync(actor, id)).Outcome);

        var page = await client.GetPageAsync("/account/changes");

        Assert.Equal("Von der anfragenden Person zurückgezogen.", page.QuerySelector(".portal-change-reason")!.TextContent);
        Assert.Equal("Withdrawn by the requester.", (await _fixture.RowAsync(id)).Reason);
    }

    [Fact]
    public void Words_a_person_wrote_are_shown_as_written()
    {
        CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("de");

        Assert.Equal("Zu viele falsche Codes.", RecordedTexts.Show(RecordedTexts.Record("TooManyWrongCodes")));
        Assert.Equal("Too many wrong codes.", RecordedTexts.Record("TooManyWrongCodes"));
        Assert.Equal("Please use your full name.", RecordedTexts.Show("Please use your full name."));
        Assert.Null(RecordedTexts.Show(null));
    }

    [Fact]
    public async Task The_undo_link_reads_German_and_undoes_in_German()
    {
        var (_, actor) = await _fixture.PersonAsync("zurueck@example.org");
        await _fixture.RequestAsync(actor, "email");
        Assert.Equal(ChangeOutcome.Applied,
            (await _fixture.Requests.ConfirmLinkAsync(await _fixture.TokenAsync("new0@example.net", nameof(EmailChangeMail), ChangeRequests.ConfirmLinkPath))).Outcome);
        var path = $"/{EmailChangeReverts.LinkPath}/{await _fixture.TokenAsync("zurueck@example.org", nameof(EmailChangedMail), EmailChangeReverts.LinkPath)}";
        using var client = GermanBrowser();

        var page = await client.GetPageAsync(path);
        using var undone = await client.SubmitFormAsync(path, new Dictionary<string, string>());

        Assert.Equal("Adressänderung rückgängig machen", page.QuerySelector("main h1")!.TextContent);
        Assert.Contains("Die Adresse Ihres Kontos wurde von zurueck@example.org auf n•••@example.net geändert.", page.QuerySelector("main p")!.TextContent);
        Assert.Equal("Das war ich nicht: Änderung rückgängig machen", page.QuerySelector("main button[type=submit]")!.TextContent);
        var done = await Forms.ParseAsync(undone);
        Assert.Equal("Die Änderung ist rückgängig gemacht", done.QuerySelector("main h1")!.TextContent);
        Assert.Equal("Ihr Konto hat wieder die Adresse zurueck@example.org und ist auf allen Geräten abgemeldet.", done.QuerySelector(".portal-success")!.TextContent);
    }

    [Theory]
    [InlineData(ChangeRequests.ConfirmLinkPath, "Dieser Link ist ungültig")]
    [InlineData(ChangeRequests.CancelLinkPath, "Dieser Link ist ungültig")]
    [InlineData(EmailChangeReverts.LinkPath, "Dieser Link ist ungültig")]
    public async Task A_link_that_belongs_to_no_change_says_so_in_German(string linkPath, string heading)
    {
        using var client = GermanBrowser();

        var page = await client.GetPageAsync($"/{linkPath}/{Secrets.NewToken().Token}");

        Assert.Equal(heading, page.QuerySelector("main h1")!.TextContent);
        Assert.StartsWith("Dieser Link gehört zu keiner", page.QuerySelector("main p")!.TextContent);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _fixture.DisposeAsync();
}
