using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Identity;

namespace Portal.Localization;

/// <summary>
/// A member's language: the one their pages (from sign-in on) and every message to them are in,
/// chosen on the profile page.
/// </summary>
public sealed class MemberLanguages(IDbContextFactory<PortalDbContext> dbFactory, IOptions<LanguageOptions> languages)
{
    /// <summary>The member's saved language, as offered; null when they have none (or one no longer offered).</summary>
    public async Task<string?> GetAsync(Actor actor, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var saved = await db.Users.Where(u => u.Id == Member(actor)).Select(u => u.Language).FirstOrDefaultAsync(cancellationToken);
        return languages.Value.Find(saved)?.Name;
    }

    /// <summary>Saves the member's language; null when <paramref name="code"/> is not a language the portal offers.</summary>
    public async Task<string?> SaveAsync(Actor actor, string? code, CancellationToken cancellationToken = default)
    {
        var language = languages.Value.Find(code)?.Name;
        if (language is null)
        {
            return null;
        }
        var member = Member(actor);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.Users.Where(u => u.Id == member).ExecuteUpdateAsync(s => s.SetProperty(u => u.Language, language), cancellationToken);
        return language;
    }

    private static string Member(Actor actor) =>
        actor.UserId ?? throw new UnauthorizedAccessException("Only a signed-in member has a language to keep.");
}
