using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Features.Audit;
using Portal.Features.Registration;
using Portal.Identity;

namespace Portal.Features.Settings;

/// <summary>The registration mode in force, the configuration file's, and the admin's last change (if any).</summary>
public sealed record RegistrationModeSetting(RegistrationMode Mode, RegistrationMode Configured, DateTime? ChangedAt, string? ChangedByName);

/// <summary>
/// Settings an admin changes at run time. A stored value overrides the configuration file's and
/// takes effect at once; it is read from the database on each use, so every node sees a change.
/// </summary>
public sealed class SiteSettings(
    IDbContextFactory<PortalDbContext> dbFactory,
    AuditLog audit,
    IOptions<RegistrationOptions> registration,
    TimeProvider clock)
{
    public const string AuditTargetType = "setting";
    private const string ModeKey = "Registration:Mode";

    public async Task<RegistrationMode> RegistrationModeAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var stored = await db.SiteSettings.AsNoTracking().Where(s => s.Key == ModeKey).Select(s => s.Value).FirstOrDefaultAsync(cancellationToken);
        return ModeOf(stored);
    }

    /// <summary>What the Settings page shows (admins only): the mode, where it comes from, who changed it last and when.</summary>
    public async Task<RegistrationModeSetting> RegistrationModeSettingAsync(Actor actor, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Admin);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var stored = await db.SiteSettings.AsNoTracking().FirstOrDefaultAsync(s => s.Key == ModeKey, cancellationToken);
        return new RegistrationModeSetting(ModeOf(stored?.Value), registration.Value.Mode, stored?.UpdatedAt, stored?.UpdatedByName);
    }

    /// <summary>Switches the registration mode (admins only); audited with the old and the new mode.</summary>
    public async Task SetRegistrationModeAsync(Actor actor, RegistrationMode mode, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Admin);
        if (!Enum.IsDefined(mode))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "There is no such registration mode.");
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var setting = await db.SiteSettings.FirstOrDefaultAsync(s => s.Key == ModeKey, cancellationToken);
        var before = ModeOf(setting?.Value);
        if (setting is null)
        {
            setting = new SiteSetting { Key = ModeKey, Value = "" };
            db.SiteSettings.Add(setting);
        }
        setting.Value = mode.ToString();
        setting.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        setting.UpdatedByName = actor.Name;
        audit.Record(db, actor, AuditActions.SettingsRegistrationMode, new AuditTarget(AuditTargetType, ModeKey, "Registration mode"), $"{before} -> {mode}");
        await db.SaveChangesAsync(cancellationToken);
    }

    // A value that is no mode (edited by hand, or from an older version) falls back to the configuration.
    private RegistrationMode ModeOf(string? stored) =>
        Enum.TryParse<RegistrationMode>(stored, out var mode) && Enum.IsDefined(mode) ? mode : registration.Value.Mode;
}
