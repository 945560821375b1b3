using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Features.Audit;
using Portal.Identity;
using Portal.Localization;

namespace Portal.Features.Api;

public sealed record ApiTokenRow(
    long Id, string Name, IReadOnlyList<string> Scopes, string OwnerName, DateTime CreatedAt, DateTime ExpiresAt, DateTime? LastUsedAt, DateTime? RevokedAt);

/// <summary>Which input of a new token cannot be used, and why.</summary>
public sealed record InvalidTokenInput(string Field, string Error);

/// <summary>A token just made: <see cref="Token"/> is shown once, and never stored.</summary>
public sealed record NewApiToken(string Token, ApiTokenRow Row);

/// <summary>Why a request's token was not accepted.</summary>
public enum ApiTokenProblem
{
    Missing,
    Malformed,
    Unknown,
    Revoked,
    Expired,

    /// <summary>The admin who made it is deactivated, or no longer an admin.</summary>
    OwnerWithoutRights,
}

/// <summary>A token that was accepted: who it acts as, and what for.</summary>
public sealed record ApiCaller(Actor Actor, long TokenId, IReadOnlySet<string> Scopes);

/// <summary>
/// The HTTP API's bearer tokens: made and revoked by admins, checked on every request. A token acts as
/// the admin who made it, with the rights that account holds when the request comes, never more.
/// </summary>
public sealed class ApiTokens(IDbContextFactory<PortalDbContext> dbFactory, ActorLookup actors, AuditLog audit, TimeProvider clock)
{
    /// <summary>Marks a string as this portal's API token, so that it is recognised where it leaks (secret scanners, logs).</summary>
    public const string Prefix = "portal_";

    public const string AuditTargetType = "api-token";

    /// <summary>Last use is written at most this often per token: a busy client costs no write per request.</summary>
    public static readonly TimeSpan LastUseResolution = TimeSpan.FromMinutes(1);

    private static readonly StaticTexts Texts = new(typeof(ApiTokens));

    /// <summary>Makes a token that acts as <paramref name="actor"/> until the start of <paramref name="expiresOn"/> (UTC).</summary>
    public async Task<NewApiToken> CreateAsync(
        Actor actor, string name, IReadOnlyCollection<string> scopes, DateOnly expiresOn, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Admin);
        if (Check(name, scopes, expiresOn) is { } problem)
        {
            throw new ArgumentException(problem.Error, problem.Field);
        }
        var now = clock.GetUtcNow().UtcDateTime;
        name = name.Trim();
        var expiresAt = ExpiresAt(expiresOn);
        var (secret, hash) = Secrets.NewToken();
        var ordered = ApiScopes.All.Where(scopes.Contains).ToList();
        var token = new ApiToken
        {
            Name = name,
            TokenHash = hash,
            Scopes = string.Join(' ', ordered),
            UserId = actor.UserId!,
            CreatedAt = now,
            ExpiresAt = expiresAt,
        };
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        db.ApiTokens.Add(token);
        await db.SaveChangesAsync(cancellationToken);
        audit.Record(db, actor, AuditActions.ApiTokenCreated, Target(token), $"scopes {token.Scopes}, expires {expiresAt:yyyy-MM-dd}");
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new NewApiToken(Prefix + secret, new ApiTokenRow(token.Id, name, ordered, actor.Name, now, expiresAt, null, null));
    }

    /// <summary>What is wrong with a new token's name, scopes or expiry (the parameter's name, and why); null when nothing is.</summary>
    public InvalidTokenInput? Check(string? name, IReadOnlyCollection<string> scopes, DateOnly? expiresOn)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Trim().Length > ApiTokenLimits.NameLength)
        {
            return new(nameof(name), Texts.Format("Name", ApiTokenLimits.NameLength));
        }
        if (scopes.Count == 0 || scopes.Any(s => !ApiScopes.All.Contains(s)))
        {
            return new(nameof(scopes), Texts["Scopes"]);
        }
        if (expiresOn is not { } date || ExpiresAt(date) <= clock.GetUtcNow().UtcDateTime)
        {
            return new(nameof(expiresOn), Texts["Expiry"]);
        }
        return null;
    }

    private static DateTime ExpiresAt(DateOnly expiresOn) => expiresOn.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);

    /// <summary>Every token, newest first, with the admin it acts as.</summary>
    public async Task<IReadOnlyList<ApiTokenRow>> ListAsync(Actor actor, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Admin);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db.ApiTokens.AsNoTracking()
            .OrderByDescending(t => t.Id)
            .Select(t => new { t.Id, t.Name, t.Scopes, Owner = t.User!.UserName!, t.CreatedAt, t.ExpiresAt, t.LastUsedAt, t.RevokedAt })
            .ToListAsync(cancellationToken);
        return [.. rows.Select(t => new ApiTokenRow(t.Id, t.Name, t.Scopes.Split(' '), t.Owner, t.CreatedAt, t.ExpiresAt, t.LastUsedAt, t.RevokedAt))];
    }

    /// <summary>Stops a token working from the next request on; false when it was revoked already (or never was).</summary>
    public async Task<bool> RevokeAsync(Actor actor, long id, CancellationToken cancellationToken = default)
    {
        actor.Require(Roles.Admin);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var token = await db.ApiTokens.FirstOrDefaultAsync(t => t.Id == id && t.RevokedAt == null, cancellationToken);
        if (token is null)
        {
            return false;
        }
        token.RevokedAt = clock.GetUtcNow().UtcDateTime;
        token.RevokedBy = actor.Name;
        audit.Record(db, actor, AuditActions.ApiTokenRevoked, Target(token));
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    /// <summary>
    /// Checks the token a request presents (null when it presents none) and notes its use. The caller acts
    /// as the token's admin (named in the audit log as "ada (token: HR sync)"), with the roles the database gives
    /// that account now.
    /// </summary>
    public async Task<(ApiCaller? Caller, ApiTokenProblem? Problem)> AuthenticateAsync(string? presented, CancellationToken cancellationToken = default)
    {
        if (presented is null)
        {
            return (null, ApiTokenProblem.Missing);
        }
        if (!presented.StartsWith(Prefix, StringComparison.Ordinal) || !Secrets.IsWellFormed(presented[Prefix.Length..]))
        {
            return (null, ApiTokenProblem.Malformed);
        }
        var hash = Secrets.Hash(presented[Prefix.Length..]);
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var token = await db.ApiTokens.AsNoTracking().FirstOrDefaultAsync(t => t.TokenHash == hash, cancellationToken);
        if (token is null)
        {
            return (null, ApiTokenProblem.Unknown);
        }
        if (token.RevokedAt is not null)
        {
            return (null, ApiTokenProblem.Revoked);
        }
        if (token.ExpiresAt <= now)
        {
            return (null, ApiTokenProblem.Expired);
        }
        var account = await actors.AccountAsync(token.UserId, cancellationToken);
        var actor = new Actor(token.UserId, account?.UserName ?? token.UserId, account is { Active: true } ? account.Roles : new HashSet<string>())
        {
            Token = token.Name,
        };
        var noted = await NoteUseAsync(db, token, now, cancellationToken);
        if (!actor.IsInAnyRole(Roles.Admin))
        {
            // Once a minute at most, like the use itself: a script that goes on calling fills no audit log.
            if (noted)
            {
                await actors.RecordRefusalAsync(actor, "api", "The token's admin is deactivated or no longer an admin.", cancellationToken);
            }
            return (null, ApiTokenProblem.OwnerWithoutRights);
        }
        return (new ApiCaller(actor, token.Id, token.Scopes.Split(' ').ToHashSet()), null);
    }

    /// <summary>Writes the token's last use when the one written is a minute old or more; true when this request wrote it.</summary>
    private static async Task<bool> NoteUseAsync(PortalDbContext db, ApiToken token, DateTime now, CancellationToken cancellationToken)
    {
        if (token.LastUsedAt is { } last && now - last < LastUseResolution)
        {
            return false;
        }
        // Conditional, so that of parallel requests one writes it.
        var since = now - LastUseResolution;
        return await db.ApiTokens.Where(t => t.Id == token.Id && (t.LastUsedAt == null || t.LastUsedAt <= since))
            .ExecuteUpdateAsync(u => u.SetProperty(t => t.LastUsedAt, now), cancellationToken) == 1;
    }

    private static AuditTarget Target(ApiToken token) => new(AuditTargetType, token.Id.ToString(CultureInfo.InvariantCulture), token.Name);
}
