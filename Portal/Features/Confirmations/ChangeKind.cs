using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Localization;

namespace Portal.Features.Confirmations;

/// <summary>One field a change kind edits: its name in the proposed values and its label for people.</summary>
public sealed record ChangeField(string Name, string Label);

/// <summary>Checked input: the values in their stored form, or the errors by field name.</summary>
public sealed record ChangeValidation(IReadOnlyDictionary<string, string?> Values, IReadOnlyDictionary<string, string> Errors)
{
    public bool IsValid => Errors.Count == 0;
}

/// <summary>What a kind needs to deliver a secret: the change (saved, so it has its id), the account, the values, and the secret in clear.</summary>
/// <param name="Secret">The link token or code; null for moderator kinds.</param>
/// <param name="CancelToken">The "this wasn't me" token, for kinds that tell the old address.</param>
/// <param name="IsResend">True when the requester asked for the secret again.</param>
public sealed record ChangeNotice(
    PortalDbContext Db, DeferredChange Change, PortalUser User, MemberProfile? Profile,
    IReadOnlyDictionary<string, string?> Before, IReadOnlyDictionary<string, string?> Proposed,
    string? Secret, string? CancelToken, bool IsResend);

/// <summary>
/// Declares a deferrable edit in one place: which record and fields, how input is validated (the
/// same checks a direct edit uses: <see cref="MemberDetailsRules"/>), how it is confirmed, how the
/// requester is told, and how it is applied. Register implementations as <see cref="ChangeKind"/>
/// singletons; <see cref="ChangeLifecycle"/> does the rest.
/// </summary>
public abstract class ChangeKind
{
    /// <summary>The target type of kinds that edit a member's own details; the target id is the user id.</summary>
    public const string UserTarget = "user";

    /// <summary>The key in URLs and the database, such as "email".</summary>
    public abstract string Name { get; }

    /// <summary>The kind's name, in the reader's language: "Phone number".</summary>
    public abstract string Title { get; }

    /// <summary>The kind in a sentence to its member, in the reader's language: "your phone number".</summary>
    public abstract string Yours { get; }

    /// <summary>
    /// The title as records keep it (the audit log, stored reasons): in
    /// the site's base language, whoever acted in whatever language.
    /// </summary>
    public string RecordTitle => InLanguage.Read(CultureInfo.InvariantCulture, () => Title);

    public virtual string TargetType => UserTarget;

    public abstract IReadOnlyList<ChangeField> Fields { get; }

    public abstract ChangeChannel Channel { get; }

    /// <summary>Lifetime, tries and approvals, from configuration.</summary>
    public abstract ChangeKindOptions Settings { get; }

    public bool ConfirmedByModerator => Channel == ChangeChannel.Moderator;

    /// <summary>True when the requester must give their current password first.</summary>
    public virtual bool RequiresPassword => false;

    /// <summary>
    /// What happens when the record changed between the request and the confirmation: true refuses
    /// the change (the member asks again), false hands it to the moderators with then, now and proposed.
    /// </summary>
    public virtual bool RefusesChangedTarget => false;

    /// <summary>The current values of the fields, or null when the record is gone.</summary>
    public abstract Task<IReadOnlyDictionary<string, string?>?> ReadAsync(PortalDbContext db, string targetId, CancellationToken cancellationToken);

    /// <summary>Checks proposed values as a direct edit would; unknown fields are ignored.</summary>
    public abstract Task<ChangeValidation> ValidateAsync(PortalDbContext db, string targetId, IReadOnlyDictionary<string, string?> proposed, CancellationToken cancellationToken);

    /// <summary>Writes validated values to the record through the context; the caller saves in its transaction.</summary>
    public abstract Task ApplyAsync(PortalDbContext db, DeferredChange change, IReadOnlyDictionary<string, string?> values, DateTime now, CancellationToken cancellationToken);

    /// <summary>Delivers the secret by the kind's channel and returns what the requester is told happens next.</summary>
    public abstract Task<string> NotifyAsync(ChangeNotice notice, CancellationToken cancellationToken);

    /// <summary>Where the secret goes, masked for display; null when nothing is sent.</summary>
    public virtual string? Destination(IReadOnlyDictionary<string, string?> proposed) => null;

    /// <summary>Runs each field's check and collects the stored forms and the errors.</summary>
    protected static ChangeValidation Check(IReadOnlyDictionary<string, string?> proposed, params (string Field, Func<string?, MemberDetailsRules.Checked> Rule)[] rules)
    {
        var values = new Dictionary<string, string?>();
        var errors = new Dictionary<string, string>();
        foreach (var (field, rule) in rules)
        {
            var result = rule(proposed.GetValueOrDefault(field));
            if (result.IsValid)
            {
                values[field] = result.Value;
            }
            else
            {
                errors[field] = result.Error!;
            }
        }
        return new ChangeValidation(values, errors);
    }
}

/// <summary>A kind that edits the member's <see cref="MemberProfile"/>; the row is created on the first change.</summary>
public abstract class ProfileChangeKind : ChangeKind
{
    public override async Task<IReadOnlyDictionary<string, string?>?> ReadAsync(PortalDbContext db, string targetId, CancellationToken cancellationToken)
    {
        if (!await db.Users.AnyAsync(u => u.Id == targetId, cancellationToken))
        {
            return null;
        }
        var profile = await db.MemberProfiles.AsNoTracking().FirstOrDefaultAsync(p => p.UserId == targetId, cancellationToken);
        return Fields.ToDictionary(f => f.Name, f => profile is null ? null : Get(profile, f.Name));
    }

    public override async Task ApplyAsync(PortalDbContext db, DeferredChange change, IReadOnlyDictionary<string, string?> values, DateTime now, CancellationToken cancellationToken)
    {
        var profile = await db.MemberProfiles.FirstOrDefaultAsync(p => p.UserId == change.TargetId, cancellationToken);
        if (profile is null)
        {
            profile = new MemberProfile { UserId = change.TargetId };
            db.MemberProfiles.Add(profile);
        }
        foreach (var field in Fields)
        {
            Set(profile, field.Name, values.GetValueOrDefault(field.Name));
        }
        profile.UpdatedAt = now;
        profile.ConcurrencyStamp = Guid.NewGuid();
    }

    /// <summary>A column of the profile, or one of the site's own fields kept in <see cref="MemberProfile.ExtraFieldsJson"/>.</summary>
    private static string? Get(MemberProfile profile, string field) =>
        typeof(MemberProfile).GetProperty(field) is { } column ? (string?)column.GetValue(profile) : Extra(profile).GetValueOrDefault(field);

    private static void Set(MemberProfile profile, string field, string? value)
    {
        if (typeof(MemberProfile).GetProperty(field) is { } column)
        {
            column.SetValue(profile, value);
            return;
        }
        var extra = Extra(profile);
        if (value is null)
        {
            extra.Remove(field);
        }
        else
        {
            extra[field] = value;
        }
        profile.ExtraFieldsJson = extra.Count == 0 ? null : JsonSerializer.Serialize(extra);
    }

    private static Dictionary<string, string> Extra(MemberProfile profile) =>
        profile.ExtraFieldsJson is null ? [] : JsonSerializer.Deserialize<Dictionary<string, string>>(profile.ExtraFieldsJson) ?? [];
}
