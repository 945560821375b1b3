using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Features.Registration;
using Portal.Features.Settings;
using Portal.Identity;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Features.Settings;

public sealed class SiteSettingsTests : IAsyncLifetime
{
    private static readonly Actor Admin = new("admin-id", "Grace Admin", new HashSet<string> { Roles.Admin });
    private static readonly Actor Moderator = new("moderator-id", "Mona Moderator", new HashSet<string> { Roles.Moderator });
    private static readonly Actor Member = new("member-id", "Max Member", new HashSet<string>());

    private readonly TestClock _clock = new();
    private readonly TestPortal _portal;

    public SiteSettingsTests()
    {
        _portal = TestPortal.WithServices(services => services.AddSingleton<TimeProvider>(_clock));
        _portal.Settings["Registration:Mode"] = nameof(RegistrationMode.InviteOnly);
    }

    private SiteSettings Settings => _portal.Get<SiteSettings>();

    [Fact]
    public async Task Until_an_admin_changes_it_the_mode_comes_from_configuration()
    {
        var setting = await Settings.RegistrationModeSettingAsync(Admin);

        Assert.Equal(RegistrationMode.InviteOnly, await Settings.RegistrationModeAsync());
        Assert.Equal(new RegistrationModeSetting(RegistrationMode.InviteOnly, RegistrationMode.InviteOnly, null, null), setting);
    }

    [Fact]
    public async Task An_admin_switches_the_mode_which_is_stored_audited_and_overrides_configuration()
    {
        await Settings.SetRegistrationModeAsync(Admin, RegistrationMode.ApprovalRequired);
        _clock.Advance(TimeSpan.FromMinutes(5));
        await Settings.SetRegistrationModeAsync(Admin, RegistrationMode.Closed);

        Assert.Equal(RegistrationMode.Closed, await Settings.RegistrationModeAsync());
        Assert.Equal(
            new RegistrationModeSetting(RegistrationMode.Closed, RegistrationMode.InviteOnly, _clock.Now.UtcDateTime, Admin.Name),
            await Settings.RegistrationModeSettingAsync(Admin));
        await using var db = await _portal.DbAsync();
        var entries = await db.AuditEntries.Where(e => e.Action == "settings.registration-mode").OrderBy(e => e.Id).ToListAsync();
        Assert.Equal(["InviteOnly -> ApprovalRequired", "ApprovalRequired -> Closed"], entries.Select(e => e.Details));
        Assert.All(entries, e => Assert.Equal((Admin.Name, SiteSettings.AuditTargetType), (e.ActorName, e.TargetType)));
    }

    [Fact]
    public async Task The_stored_mode_survives_a_restart()
    {
        await Settings.SetRegistrationModeAsync(Admin, RegistrationMode.Open);
        _portal.KeepData = true;
        await _portal.DisposeAsync();

        await using var restarted = TestPortal.Restart(_portal);
        restarted.Settings["Registration:Mode"] = nameof(RegistrationMode.Closed);

        Assert.Equal(RegistrationMode.Open, await restarted.Get<SiteSettings>().RegistrationModeAsync());
    }

    [Fact]
    public async Task Only_admins_read_or_change_the_setting()
    {
        foreach (var actor in new[] { Moderator, Member, Actor.Visitor })
        {
            await Assert.ThrowsAsync<UnauthorizedAccessException>(() => Settings.SetRegistrationModeAsync(actor, RegistrationMode.Open));
            await Assert.ThrowsAsync<UnauthorizedAccessException>(() => Settings.RegistrationModeSettingAsync(actor));
        }

        Assert.Equal(RegistrationMode.InviteOnly, await Settings.RegistrationModeAsync());
        await using var db = await _portal.DbAsync();
        Assert.False(await db.AuditEntries.AnyAsync(e => e.Action == "settings.registration-mode"));
    }

    [Fact]
    public async Task A_value_that_is_no_mode_is_refused()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Settings.SetRegistrationModeAsync(Admin, (RegistrationMode)42));

        Assert.Equal(RegistrationMode.InviteOnly, await Settings.RegistrationModeAsync());
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _portal.DisposeAsync();
}
