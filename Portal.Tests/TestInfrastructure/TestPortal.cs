using System.Security.Cryptography;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Email;

namespace Portal.Tests.TestInfrastructure;

/// <summary>
/// The whole portal in-process on a fresh database (SQLite in a temporary data directory, or a
/// database of its own on the test PostgreSQL server, dropped on dispose), with mail going to the
/// data directory's pickup folder. Several portals can share one PostgreSQL database as the nodes
/// of one site, each with a data directory of its own; the database is then the caller's to drop.
/// The database starts as a copy of one migrated once per test run (<see cref="TemplateDatabases"/>;
/// <see cref="OnEmptyDatabase"/> for one the portal migrates itself). The outbox delivers only when asked
/// (<see cref="DeliverMailAsync"/>, which <see cref="Mail"/> does), so no test depends on its timing.
/// </summary>
public class TestPortal : WebApplicationFactory<Program>
{
    public const string DefaultPassword = "a long enough passphrase";

    private readonly Action<IServiceCollection>? _configureServices;

    private readonly Lock _start = new();

    /// <summary>The connection string of this portal's PostgreSQL database; null on SQLite.</summary>
    private readonly string? _postgres;

    /// <summary>The PostgreSQL database belongs to the caller, who shares it between portals and drops it.</summary>
    private readonly bool _sharedDatabase;

    public TestPortal() : this(null)
    {
    }

    protected TestPortal(Action<IServiceCollection>? configureServices, string? dataDirectory = null,
        DatabaseProvider database = DatabaseProvider.Sqlite, string? postgres = null, bool sharedDatabase = false, bool emptyDatabase = false)
    {
        _configureServices = configureServices;
        _sharedDatabase = sharedDatabase;
        DataDirectory = dataDirectory ?? Path.Combine(Path.GetTempPath(), "portal-tests", Guid.NewGuid().ToString("N"));
        Mail = new PickupFolder(Path.Combine(DataDirectory, "mail"), DeliverMailAsync);
        _postgres = database == DatabaseProvider.Postgres ? postgres ?? PostgresTestServer.CreateDatabase(emptyDatabase) : null;
        if (_postgres is null && !emptyDatabase)
        {
            // Here rather than when the host is built: parallel first uses of Services may build it twice.
            TemplateDatabases.CopySqliteTo(Path.Combine(DataDirectory, "portal.db"));
        }
    }

    /// <summary>A portal with some services replaced (a clock, a mail delivery).</summary>
    public static TestPortal WithServices(Action<IServiceCollection> configureServices, DatabaseProvider database = DatabaseProvider.Sqlite) =>
        new(configureServices, database: database);

    /// <summary>A portal on a database without tables, as at a first start: it migrates the schema itself.</summary>
    public static TestPortal OnEmptyDatabase(DatabaseProvider database = DatabaseProvider.Sqlite, Action<IServiceCollection>? configureServices = null) =>
        new(configureServices, database: database, emptyDatabase: true);

    /// <summary>A portal on the data directory (and database) another one used: a restart.</summary>
    public static TestPortal Restart(TestPortal previous) =>
        new(null, previous.DataDirectory, previous.Database, previous._postgres);

    public DatabaseProvider Database => _postgres is null ? DatabaseProvider.Sqlite : DatabaseProvider.Postgres;

    /// <summary>The connection string of this portal's PostgreSQL database; null on SQLite.</summary>
    public string? PostgresConnectionString => _postgres;

    public string DataDirectory { get; }

    /// <summary>Leave the data directory in place on dispose, for a <see cref="Restart"/>.</summary>
    public bool KeepData { get; set; }

    public virtual string PublicBaseUrl => "https://portal.test/";

    public PickupFolder Mail { get; }

    /// <summary>Settings on top of the defaults, set before the host is built.</summary>
    public Dictionary<string, string?> Settings { get; } = [];

    private bool _published;

    /// <summary>
    /// Before the host is built: run as a published portal does, in Production with the settings it
    /// then requires, serving the libraries' static files that a publish copies beside it.
    /// </summary>
    public void RunAsPublished()
    {
        _published = true;
        Settings["environment"] = "Production";
        Settings["OptOut:Key"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        // The build copies the mail templates beside the app, as a publish does.
        Settings.TryAdd("Email:TemplatesDirectory", BuiltTemplates);
    }

    /// <summary>The mail templates the build copies beside the tests.</summary>
    private static readonly string BuiltTemplates = Path.Combine(AppContext.BaseDirectory, "Templates");

    /// <summary>
    /// The mail templates compiled once for every portal of the test run that does not point at
    /// templates of its own: compiling them takes seconds of CPU, which every portal would spend again.
    /// </summary>
    private static readonly Lazy<MailTemplateEngine> SharedTemplates = new(() => new MailTemplateEngine(BuiltTemplates));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        // The content root dotnet run gives the portal: the repository, with the settings and wwwroot.
        builder.UseContentRoot(Repository.Root);
        builder.UseSetting("Portal:DataDirectory", DataDirectory);
        if (_postgres is not null)
        {
            builder.UseSetting("Database:Provider", nameof(DatabaseProvider.Postgres));
            builder.UseSetting("ConnectionStrings:Portal", _postgres);
        }
        builder.UseSetting("Portal:PublicBaseUrl", PublicBaseUrl);
        // Mail and webhooks go out when a test asks for them, never because time passed.
        builder.UseSetting("Email:PollInterval", "01:00:00");
        builder.UseSetting("Webhooks:PollInterval", "01:00:00");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        // Every in-process request comes from one unknown address: only the rate limit tests
        // (which set their own figures) should meet the per-IP limits.
        builder.UseSetting("RateLimits:AccountMail:PerIp", "1000");
        builder.UseSetting("RateLimits:SignIn:PerIp", "1000");
        builder.UseSetting("RateLimits:SignUp:PerIp", "1000");
        builder.UseSetting("RateLimits:Activation:PerIp", "1000");
        builder.UseSetting("RateLimits:ChangeConfirmation:PerIp", "1000");
        // Tests seed never-activated accounts that the scheduled cleanup would remove under them;
        // the cleanup and its schedule are tested on their own.
        builder.UseSetting("Registration:CleanupEnabled", "false");
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }
        if (_published)
        {
            builder.UseStaticWebAssets();
        }
        if (Settings.GetValueOrDefault("Email:TemplatesDirectory") is null || Settings["Email:TemplatesDirectory"] == BuiltTemplates)
        {
            builder.ConfigureTestServices(services => services.AddSingleton(SharedTemplates.Value));
        }
        if (_configureServices is not null)
        {
            builder.ConfigureTestServices(_configureServices);
        }
    }

    /// <summary>
    /// The host is built on first use; tests that first use it from several threads at once would
    /// otherwise build (and start) two on one data directory.
    /// </summary>
    public override IServiceProvider Services
    {
        get
        {
            lock (_start)
            {
                return base.Services;
            }
        }
    }

    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();

    public async Task<PortalDbContext> DbAsync() =>
        await Get<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();

    /// <summary>The audit log's entries of one action, oldest first: what each operation that happened left behind.</summary>
    public async Task<IReadOnlyList<AuditEntry>> AuditAsync(string action)
    {
        await using var db = await DbAsync();
        return await db.AuditEntries.AsNoTracking().Where(e => e.Action == action).OrderBy(e => e.Id).ToListAsync();
    }

    /// <summary>Creates an account directly, as the features that create accounts would leave it.</summary>
    public async Task<PortalUser> CreateUserAsync(
        string email, string? password = DefaultPassword, AccountState state = AccountState.Active,
        bool emailConfirmed = true, params string[] roles)
    {
        await using var scope = Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var now = Get<TimeProvider>().GetUtcNow().UtcDateTime;
        var user = new PortalUser
        {
            UserName = email.Split('@')[0] + "-" + Guid.NewGuid().ToString("N")[..6],
            Email = email,
            EmailConfirmed = emailConfirmed,
            State = state,
            CreatedAt = now,
            ActivatedAt = state == AccountState.Active ? now : null,
        };
        var result = password is null ? await users.CreateAsync(user) : await users.CreateAsync(user, password);
        Assert.True(result.Succeeded, string.Join("; ", result.Errors.Select(e => e.Description)));
        foreach (var role in roles)
        {
            await users.AddToRoleAsync(user, role);
        }
        return user;
    }

    /// <summary>Has the webhook dispatcher post every delivery due now, and waits until it has.</summary>
    public Task DeliverWebhooksAsync() =>
        Patience.For(Get<Portal.Features.Webhooks.WebhookDispatcher>().DeliverNowAsync(), "the webhook dispatcher to post the deliveries due");

    /// <summary>Has the outbox deliver every message queued so far, and waits until it has.</summary>
    public Task DeliverMailAsync() =>
        Patience.For(Get<OutboxDispatcher>().DeliverNowAsync(), "the outbox to deliver the messages queued so far");

    public HttpClient CreateBrowserlikeClient() =>
        CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    /// <summary>A browser-like client whose browser asks for these languages ("de-DE,de;q=0.9").</summary>
    public HttpClient CreateBrowserlikeClient(string acceptLanguage)
    {
        var client = CreateBrowserlikeClient();
        client.DefaultRequestHeaders.AcceptLanguage.ParseAdd(acceptLanguage);
        return client;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        GC.SuppressFinalize(this);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (KeepData)
        {
            return;
        }
        if (_postgres is not null && !_sharedDatabase)
        {
            PostgresTestServer.DropDatabase(_postgres);
        }
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open is left for the OS to clean from the temp folder.
        }
    }
}
