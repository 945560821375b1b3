using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Features.Audit;
using Portal.Features.Registration;
using Portal.Identity;

namespace Portal.Features.Settings;

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
        return Enum.TryParse<RegistrationMode>(stored, out var mode) ? mode : registration.Value.Mode;
    }

    /// <summary>Switches the registration mode (admins only); audited with the old and the new mode.</summary>
    public async Task SetRegistrationModeAsync(Actor actor, RegistrationMode mode, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Admin);
        var before = await RegistrationModeAsync(cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var setting = await db.SiteSettings.FirstOrDefaultAsync(s => s.Key == ModeKey, cancellationToken);
        if (setting is null)
        {
            setting = new SiteSetting { Key = ModeKey, Value = "" };
            db.SiteSettings.Add(setting);
        }
        setting.Value = mode.ToString();
        setting.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        setting.UpdatedByName = actor.Name;
        audit.Record(db, actor, "settings.registration-mode", new AuditTarget(AuditTargetType, ModeKey, "Registration mode"), $"{before} -> {mode}");
        await db.SaveChangesAsync(cancellationToken);
    }
}
