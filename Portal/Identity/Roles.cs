namespace Portal.Identity;

public static class Roles
{
    public const string Admin = "Admin";
    public const string Moderator = "Moderator";

    public static readonly IReadOnlyList<string> All = [Admin, Moderator];

    /// <summary>Who may review sign-ups: the moderation policy and the review service both check this.</summary>
    public static readonly IReadOnlyList<string> Moderation = [Admin, Moderator];
}

/// <summary>Authorization policy names used on pages; services check roles through <see cref="Actor"/>.</summary>
public static class Policies
{
    public const string Admin = "Admin";

    /// <summary>The review pages: moderators and admins.</summary>
    public const string Moderation = "Moderation";
}
