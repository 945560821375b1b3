using Microsoft.EntityFrameworkCore;
using Portal.Cli;
using Portal.Identity;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Cli;

public sealed class InviteCommandTests(TestPortal portal) : IClassFixture<TestPortal>, IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "portal-tests", "cli-" + Guid.NewGuid().ToString("N"));

    private async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await PortalCli.RunAsync(portal.Services, args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private async Task<string> FileAsync(string name, string content)
    {
        var path = Path.Combine(_folder, name);
        await File.WriteAllTextAsync(path, content);
        return path;
    }

    private async Task<string> AdminAsync()
    {
        var admin = await portal.CreateUserAsync($"cli-admin-{Guid.NewGuid():N}@example.org", roles: Roles.Admin);
        return admin.Email!;
    }

    [Fact]
    public async Task A_dry_run_classes_look_alike_addresses_as_invalid_with_the_reason()
    {
        var admin = await AdminAsync();
        var csv = await FileAsync("lookalikes.csv", "email\n\u0430dmin@example.com\nuser@exampl\u0435.com\npay\u03BFut@example.com\nplain@example.com\n");

        var (code, output, _) = await RunAsync("invite", "--csv", csv, "--inviter", admin, "--dry-run");

        Assert.Equal(0, code);
        Assert.Matches(@"New\s+1", output);
        Assert.Matches(@"Invalid\s+3", output);
        var results = await File.ReadAllLinesAsync(Path.Combine(_folder, "lookalikes.results.csv"));
        Assert.Contains(results, l => l.StartsWith("2,\u0430dmin@example.com,Invalid,", StringComparison.Ordinal) && l.Contains("mixes Cyrillic and Latin letters", StringComparison.Ordinal));
        Assert.Contains(results, l => l.StartsWith("3,user@exampl\u0435.com,Invalid,", StringComparison.Ordinal) && l.Contains("mixes Latin and Cyrillic letters", StringComparison.Ordinal));
        Assert.Contains(results, l => l.StartsWith("4,pay\u03BFut@example.com,Invalid,", StringComparison.Ordinal) && l.Contains("mixes Latin and Greek letters", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_field_one_character_over_the_limit_makes_its_row_invalid_and_the_other_rows_go_on()
    {
        var admin = await AdminAsync();
        var longName = new string('n', 321);
        var csv = await FileAsync("long.csv", $"email,name\nlong@example.org,{longName}\nshort@example.org,Short\n");

        var (code, output, _) = await RunAsync("invite", "--csv", csv, "--inviter", admin, "--dry-run");

        Assert.Equal(0, code);
        Assert.Matches(@"New\s+1", output);
        Assert.Matches(@"Invalid\s+1", output);
        var results = await File.ReadAllLinesAsync(Path.Combine(_folder, "long.results.csv"));
        Assert.Contains("2,long@example.org,Invalid,The name field is longer than 320 characters.", results);
    }

    [Fact]
    public async Task Rows_naming_no_language_are_invited_in_the_inviters_saved_one_or_in_the_one_asked_for()
    {
        var admin = await AdminAsync();
        await using (var db = await portal.DbAsync())
        {
            await db.Users.Where(u => u.Email == admin).ExecuteUpdateAsync(s => s.SetProperty(u => u.Language, "de"));
        }
        var inviterOwn = await FileAsync("own.csv", "email,language\nown1@example.org,\nown2@example.org,en\n");
        var asked = await FileAsync("asked.csv", "email\nasked@example.org\n");

        Assert.Equal(0, (await RunAsync("invite", "--csv", inviterOwn, "--inviter", admin)).Code);
        Assert.Equal(0, (await RunAsync("invite", "--csv", asked, "--inviter", admin, "--language", "EN")).Code);
        var (code, _, error) = await RunAsync("invite", "--csv", asked, "--inviter", admin, "--language", "klingon");

        await using var check = await portal.DbAsync();
        var languages = await check.Invitations.Where(i => i.Email!.EndsWith("@example.org") && (i.Email.StartsWith("own") || i.Email.StartsWith("asked")))
            .ToDictionaryAsync(i => i.Email!, i => i.Language);
        Assert.Equal(new Dictionary<string, string?> { ["own1@example.org"] = "de", ["own2@example.org"] = "en", ["asked@example.org"] = "en" }, languages);
        Assert.Equal(PortalCli.BadInput, code);
        Assert.Contains("--language: The portal does not speak klingon (its languages: en, de).", error);
    }

    [Fact]
    public async Task A_dry_run_prints_the_classes_writes_a_results_file_and_sends_nothing()
    {
        var admin = await AdminAsync();
        var csv = await FileAsync("dry.csv", "email\ndry1@example.org\nnot-an-address\nDRY1@example.org\n");

        var (code, output, _) = await RunAsync("invite", "--csv", csv, "--inviter", admin, "--dry-run");

        Assert.Equal(0, code);
        Assert.Contains("dry.csv: 3 rows", output);
        Assert.Matches(@"New\s+1", output);
        Assert.Matches(@"Invalid\s+1", output);
        Assert.Matches(@"Duplicate in file\s+1", output);
        Assert.Contains("Dry run: nothing was sent.", output);
        var results = Path.Combine(_folder, "dry.results.csv");
        Assert.Contains($"Results: {results}", output);
        Assert.Equal(["line,email,outcome,reason", "2,dry1@example.org,New,"], (await File.ReadAllLinesAsync(results)).Take(2));
        await using var db = await portal.DbAsync();
        Assert.False(await db.Invitations.AnyAsync(i => i.EmailKey == "dry1@example.org"));
    }

    [Fact]
    public async Task A_run_sends_with_the_role_given_and_reports_the_results()
    {
        var admin = await AdminAsync();
        var csv = await FileAsync("run.csv", "email,name\nrun1@example.org,One\nrun2@example.org,Two\n");

        var (code, output, _) = await RunAsync("invite", "--csv", csv, "--inviter", admin, "--role", "moderator");

        Assert.Equal(0, code);
        Assert.Contains("Sent 2 invitations (Completed).", output);
        var lines = await File.ReadAllLinesAsync(Path.Combine(_folder, "run.results.csv"));
        Assert.Equal(["2,run1@example.org,Sent,", "3,run2@example.org,Sent,"], lines.Skip(1));
        await using var db = await portal.DbAsync();
        Assert.Equal(2, await db.Invitations.CountAsync(i => i.Role == Roles.Moderator && (i.EmailKey == "run1@example.org" || i.EmailKey == "run2@example.org")));
    }

    [Fact]
    public async Task Bad_input_exits_with_2_and_says_why()
    {
        var admin = await AdminAsync();
        var member = await portal.CreateUserAsync($"plain-{Guid.NewGuid():N}@example.org");
        var good = await FileAsync("good.csv", "email\nx@example.org\n");
        var broken = await FileAsync("broken.csv", "name\nAda\n");

        var missing = await RunAsync("invite", "--csv", Path.Combine(_folder, "nope.csv"), "--inviter", admin);
        var notAdmin = await RunAsync("invite", "--csv", good, "--inviter", member.Email!);
        var badFile = await RunAsync("invite", "--csv", broken, "--inviter", admin);
        var badRole = await RunAsync("invite", "--csv", good, "--inviter", admin, "--role", "Overlord");

        Assert.Equal((2, 2, 2, 2), (missing.Code, notAdmin.Code, badFile.Code, badRole.Code));
        Assert.Contains("there is no file at", missing.Error);
        Assert.Contains("is not an active admin account", notAdmin.Error);
        Assert.Contains("broken.csv: The header has no \"email\" column", badFile.Error);
        Assert.Contains("no role called Overlord", badRole.Error);
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
