using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Email.Mails.Registration;
using Portal.Features.Registration;
using Portal.Features.Settings;
using Portal.Identity;

namespace Portal.Tests.TestInfrastructure;

/// <summary>
/// A portal on a test clock, with helpers to sign up and to
/// read the activation key out of the queued activation email (keys are stored only as hashes).
/// </summary>
public sealed partial class RegistrationPortal : IAsyncDisposable
{
    public RegistrationPortal(DatabaseProvider database = DatabaseProvider.Sqlite)
    {
        Portal = TestPortal.WithServices(services =>
        {
            services.AddSingleton<TimeProvider>(Clock);
        }, database);
    }

    public TestPortal Portal { get; }

    public TestClock Clock { get; } = new(DateTimeOffset.UtcNow);

    public Registrations Registrations => Portal.Get<Registrations>();

    public static SignUpForm Form(string userName, string email, string password = TestPortal.DefaultPassword, string? confirm = null) =>
        new() { UserName = userName, Email = email, Password = password, ConfirmPassword = confirm ?? password };

    public Task SetModeAsync(RegistrationMode mode) => Portal.Get<SiteSettings>().SetRegistrationModeAsync(Actor.System, mode);

    /// <summary>Signs up and returns the key from the activation email.</summary>
    public async Task<string> SignUpAsync(string userName, string email)
    {
        var result = await Registrations.RegisterAsync(Form(userName, email), "192.0.2.1");
        Assert.Equal(SignUpOutcome.Accepted, result.Outcome);
        return await KeySentToAsync(email);
    }

    /// <summary>The key in the newest activation email queued to the address.</summary>
    public async Task<string> KeySentToAsync(string email)
    {
        await using var db = await Portal.DbAsync();
        var body = await db.OutboxMessages.Where(m => m.Recipient == email && m.Template == nameof(ActivationMail))
            .OrderByDescending(m => m.Id).Select(m => m.TextBody).FirstAsync();
        return KeyInLink().Match(body).Groups[1].Value;
    }

    public async Task<int> MailCountAsync(string email, string template)
    {
        await using var db = await Portal.DbAsync();
        return await db.OutboxMessages.CountAsync(m => m.Recipient == email && m.Template == template);
    }

    public async Task<PortalUser?> UserAsync(string email)
    {
        await using var db = await Portal.DbAsync();
        var normalized = EmailAddress.Canonicalize(email)!.ToUpperInvariant();
        return await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.NormalizedEmail == normalized);
    }

    public async Task<SignUp> SignUpRowAsync(string email)
    {
        await using var db = await Portal.DbAsync();
        return await db.SignUps.AsNoTracking().SingleAsync(s => s.Email == email);
    }

    public async Task<ActivationKey> KeyRowAsync(string key)
    {
        await using var db = await Portal.DbAsync();
        var hash = Secrets.Hash(key);
        return await db.ActivationKeys.AsNoTracking().SingleAsync(k => k.KeyHash == hash);
    }

    public async ValueTask DisposeAsync() => await Portal.DisposeAsync();

    [GeneratedRegex(@"/activate/([A-Za-z0-9_-]{43})")]
    private static partial Regex KeyInLink();
}
