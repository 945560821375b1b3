using System.Globalization;
using System.Resources;
using System.Security.Cryptography;
using Microsoft.Extensions.Hosting;
using Portal.Cli;
using Portal.Data;
using Portal.Email;
using Portal.Features.OptOut;
using Portal.Identity;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Localization;

/// <summary>The commands in the language of the shell they run in: German in a German one.</summary>
public sealed class CommandLineLanguageTests(TestPortal portal) : IClassFixture<TestPortal>, IAsyncLifetime
{
    private static readonly CultureInfo German = CultureInfo.GetCultureInfo("de-DE");

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "portal-tests", "cli-de-" + Guid.NewGuid().ToString("N"));

    /// <summary>Runs a command as a shell set to <paramref name="culture"/> would, then gives the test its own language back.</summary>
    private static async Task<(int Code, string Output, string Error)> RunAsync(TestPortal on, CultureInfo culture, params string[] args)
    {
        var (ui, formats) = (CultureInfo.CurrentUICulture, CultureInfo.CurrentCulture);
        CultureInfo.CurrentUICulture = CultureInfo.CurrentCulture = culture;
        try
        {
            using var output = new StringWriter();
            using var error = new StringWriter();
            var code = await PortalCli.RunAsync(on.Services, args, output, error);
            return (code, output.ToString(), error.ToString());
        }
        finally
        {
            (CultureInfo.CurrentUICulture, CultureInfo.CurrentCulture) = (ui, formats);
        }
    }

    private Task<(int Code, string Output, string Error)> GermanAsync(params string[] args) => RunAsync(portal, German, args);

    private async Task<string> CsvAsync(string name, string content)
    {
        var path = Path.Combine(_folder, name);
        await File.WriteAllTextAsync(path, content);
        return path;
    }

    [Fact]
    public async Task Creating_an_admin_is_told_in_German_and_so_are_its_mistakes()
    {
        var created = await GermanAsync("create-admin", "--email", "chefin@example.org", "--password", "correct horse battery");
        var again = await GermanAsync("create-admin", "--email", "chefin@example.org");
        var noPassword = await GermanAsync("create-admin", "--email", "neu@example.org");
        var unknown = await GermanAsync("create-admin", "--email", "neu@example.org", "--farbe", "blau");

        Assert.Equal((0, "Das Admin-Konto chefin@example.org <chefin@example.org> ist angelegt. Melden Sie sich unter /Identity/Account/Login an."),
            (created.Code, created.Output.Trim()));
        Assert.Equal("chefin@example.org <chefin@example.org> ist ein aktiver Admin.", again.Output.Trim());
        Assert.Equal((2, "Für ein neues Konto ist --password nötig."), (noPassword.Code, noPassword.Error.Trim()));
        Assert.Equal(2, unknown.Code);
        Assert.Contains("Befehl oder Argument '--farbe' nicht erkannt.", unknown.Error);
    }

    [Fact]
    public async Task The_help_describes_each_command_and_option_in_German()
    {
        var (_, output, _) = await GermanAsync("invite", "--help");

        Assert.Contains("Lädt die Adressen einer CSV-Datei ein.", output);
        Assert.Contains("Die Zeilen nur einordnen; nichts senden.", output);
        Assert.Contains("Offene Einladungen mit neuen Links noch einmal senden.", output);
    }

    [Fact]
    public async Task Inviting_counts_rows_and_invitations_in_German_one_and_many()
    {
        var admin = (await portal.CreateUserAsync($"cli-de-{Guid.NewGuid():N}@example.org", roles: Roles.Admin)).Email!;
        var dry = await CsvAsync("probe.csv", "email\nprobe1@example.org\nkeine-adresse\n");
        var one = await CsvAsync("eine.csv", "email\neine@example.org\n");

        var dryRun = await GermanAsync("invite", "--csv", dry, "--inviter", admin, "--dry-run");
        var run = await GermanAsync("invite", "--csv", one, "--inviter", admin);
        var notAdmin = await GermanAsync("invite", "--csv", one, "--inviter", "niemand@example.org");

        Assert.Contains("probe.csv: 2 Zeilen", dryRun.Output);
        Assert.Contains("Probelauf: Es wurde nichts gesendet.", dryRun.Output);
        Assert.Contains($"Ergebnisse: {Path.Combine(_folder, "probe.results.csv")}", dryRun.Output);
        Assert.Contains("eine.csv: 1 Zeile\n", run.Output.ReplaceLineEndings("\n"));
        Assert.Contains("1 Einladung gesendet (abgeschlossen).", run.Output);
        Assert.Equal((2, "--inviter: niemand@example.org ist kein aktives Admin-Konto. Legen Sie eines mit create-admin an."),
            (notAdmin.Code, notAdmin.Error.Trim()));
    }

    [Fact]
    public void Every_state_an_invitation_run_ends_in_has_a_name()
    {
        var texts = new ResourceManager(typeof(InviteCommand).FullName!, typeof(InviteCommand).Assembly);

        Assert.All(Enum.GetValues<BulkJobStatus>(), status => Assert.NotNull(texts.GetString($"Status{status}", CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task The_cleanup_lists_with_dates_as_Germans_write_them()
    {
        var registered = DateTime.UtcNow.AddDays(-10);
        await portal.SeedSignUpAsync("vergessen@example.org", SignUpStatus.AwaitingActivation, registered, DateTime.UtcNow.AddDays(-3));

        var (code, output, _) = await GermanAsync("cleanup", "--dry-run");

        Assert.Equal(0, code);
        Assert.Contains($"Würde v•••@example.org löschen, registriert am {registered:dd.MM.yyyy}: ", output);
        Assert.Contains("würden gelöscht; nichts wurde geändert.", output);
    }

    [Fact]
    public async Task The_template_check_reports_in_German_and_counts_one_error_as_one()
    {
        using var templates = new TemplateCopy();
        templates.Edit("de/Account/PasswordReset.cshtml", t => t.Replace("Hallo @Model.UserName,</p>", "Hallo @Model.Nope,</p>"));
        await using var broken = new TestPortal();
        templates.Configure(broken);

        var good = await GermanAsync("templates", "check");
        var german = await RunAsync(broken, German, "templates", "check");
        var english = await RunAsync(broken, CultureInfo.InvariantCulture, "templates", "check");

        Assert.Contains($"E-Mail-Vorlagen in {portal.Get<MailTemplateEngine>().Root} lassen sich kompilieren, und die {MailTemplates.All.Count} Nachrichten", good.Output);
        Assert.Contains($"1 Fehler in den E-Mail-Vorlagen in {templates.Root}.", german.Error);
        Assert.Contains($"1 error in the mail templates in {templates.Root}.", english.Error);
    }

    [Fact]
    public async Task The_built_program_speaks_the_language_of_its_shell()
    {
        var exit = await PortalProcess.RunAsync(Environments.Production,
            new Dictionary<string, string>
            {
                ["LANG"] = "de_DE.UTF-8",
                ["Portal:DataDirectory"] = Path.Combine(portal.DataDirectory, "cli-de-process"),
                ["OptOut:Key"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(OptOutKey.MinimumBytes)),
            },
            "create-admin", "--email", "shell@example.org");

        Assert.Equal(2, exit.Code);
        Assert.Equal("Für ein neues Konto ist --password nötig.", exit.Error.Trim());
    }

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }
}
