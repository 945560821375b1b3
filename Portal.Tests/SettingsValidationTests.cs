using Microsoft.Extensions.Hosting;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests;

/// <summary>
/// A bad or missing setting stops the portal, the web start and every command, with one line per
/// setting on stderr naming it, saying what is wrong and where to set it, and exit code 1. These run
/// the built portal as an operator does.
/// </summary>
public sealed class SettingsValidationTests : IDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "portal-tests", "settings-" + Guid.NewGuid().ToString("N"));

    /// <summary>One bad value for each settings class, of every kind of check: ranges, formats, nested objects, list items and rules across settings.</summary>
    private static readonly (string Key, string Value, string Problem)[] BadSettings =
    [
        ("Portal:PublicBaseUrl", "portal.example.org", "must be an absolute http or https address without query, such as https://portal.example.org/ (it is 'portal.example.org')"),
        ("Email:Delivery", "Carrier pigeon", "must be Pickup or Smtp (it is 'Carrier pigeon')"),
        ("Invitations:ExpiryDays", "0", "must be between 1 and 365 (it is 0)"),
        ("OptOut:Key", Convert.ToBase64String(new byte[16]), "holds 16 bytes; it needs at least 32"),
        ("BulkInvitations:MaxRows", "0", "must be between 1 and 10000000 (it is 0)"),
        ("Registration:TermsUrl", "javascript:alert(1)", "must be an http or https address, or a path on the portal"),
        ("Confirmations:Phone:MaxAttempts", "0", "must be between 1 and 20 (it is 0)"),
        ("Confirmations:ProfileFields:0:Name", "Iban", "is Iban, a name that is taken"),
        ("RateLimits:SignIn:Window", "5 minutes", "must be a duration written hh:mm:ss or d.hh:mm:ss, such as 00:05:00 (it is '5 minutes')"),
        ("Proxy:KnownNetworks:1", "10.0.0.300", "is '10.0.0.300', which is neither an address nor a network"),
        ("Localization:Languages:1", "fr", "is 'fr', a language the portal has no texts for (it has: en, de)"),
        ("Api:RequestsPerToken", "0", "must be between 1 and 1000000 (it is 0)"),
        ("Webhooks:LeaseDuration", "00:00:05", "must be longer than Webhooks:Timeout, 00:00:10: a request that may take that long has to end within its claim (it is 00:00:05)"),
    ];

    /// <summary>Good settings the bad ones above need beside them.</summary>
    private static readonly Dictionary<string, string> Companions = new()
    {
        ["Confirmations:ProfileFields:0:Label"] = "Bank",
        ["Proxy:KnownNetworks:0"] = "10.0.0.0/8",
        ["Localization:Languages:0"] = "en",
    };

    private Dictionary<string, string> Settings(params (string Key, string Value)[] settings)
    {
        var all = new Dictionary<string, string> { ["Portal:DataDirectory"] = _data };
        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }
        return all;
    }

    private static void AssertOneLinePerProblem(PortalProcess.Exit exit, params (string Key, string Problem)[] problems)
    {
        Assert.Equal(1, exit.Code);
        Assert.Equal(problems.Length, exit.ErrorLines.Length);
        foreach (var (key, problem) in problems)
        {
            var line = Assert.Single(exit.ErrorLines, l => l.StartsWith(key + " ", StringComparison.Ordinal));
            Assert.Contains(problem, line);
            Assert.EndsWith($". Set it in appsettings.json or as the environment variable {key.Replace(":", "__", StringComparison.Ordinal)}.", line);
        }
        Assert.DoesNotContain("Exception", exit.Output + exit.Error);
        Assert.DoesNotContain("   at ", exit.Output + exit.Error);
    }

    [Fact]
    public async Task A_command_given_a_field_length_over_the_database_limit_exits_1_with_one_line_naming_it()
    {
        var exit = await PortalProcess.RunAsync(Environments.Development, Settings(("BulkInvitations:MaxFieldLength", "5000")),
            "invite", "--csv", Path.Combine(_data, "people.csv"), "--inviter", "admin@example.org");

        AssertOneLinePerProblem(exit, ("BulkInvitations:MaxFieldLength", ""));
        Assert.Equal(
            "BulkInvitations:MaxFieldLength must be between 1 and 1000 (it is 5000). Set it in appsettings.json or as the environment variable BulkInvitations__MaxFieldLength.",
            exit.ErrorLines[0]);
    }

    [Fact]
    public async Task The_web_start_in_production_without_an_opt_out_key_exits_1_with_one_line_naming_it()
    {
        var exit = await PortalProcess.RunAsync(Environments.Production, Settings(), "--urls", "http://127.0.0.1:0");

        AssertOneLinePerProblem(exit, ("OptOut:Key", "is required outside Development: at least 32 random bytes in base64, such as the output of 'openssl rand -base64 32'"));
    }

    [Fact]
    public async Task Each_settings_class_refuses_a_bad_value_with_one_line_naming_its_key()
    {
        var exit = await PortalProcess.RunAsync(Environments.Development,
            Settings([.. BadSettings.Select(b => (b.Key, b.Value)), .. Companions.Select(c => (c.Key, c.Value))]),
            "cleanup", "--dry-run");

        AssertOneLinePerProblem(exit, [.. BadSettings.Select(b => (b.Key, b.Problem))]);
        Assert.DoesNotContain(BadSettings.Single(b => b.Key == "OptOut:Key").Value, exit.Error);
    }

    [Theory]
    [InlineData("Database:Provider", "MySql", "must be Sqlite or Postgres (it is 'MySql')")]
    [InlineData("DataProtection:CertificatePath", "missing.pfx", "is 'missing.pfx', but there is no file at")]
    // A folder inside a file (the content root's appsettings.json) cannot be made.
    [InlineData("Portal:DataDirectory", "appsettings.json/data", "is 'appsettings.json/data', where the portal cannot make its folder")]
    public async Task A_bad_setting_read_before_the_host_exists_stops_the_start_with_one_line(string key, string value, string problem)
    {
        var exit = await PortalProcess.RunAsync(Environments.Development, Settings((key, value)), "cleanup", "--dry-run");

        AssertOneLinePerProblem(exit, (key, problem));
    }

    public void Dispose()
    {
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }
}
