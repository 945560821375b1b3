namespace Portal.Features.Api;

/// <summary>What a token may be used for. A scope never widens the rights of the admin who made the token.</summary>
public static class ApiScopes
{
    public const string InvitationsRead = "invitations:read";
    public const string InvitationsWrite = "invitations:write";
    public const string ReviewsRead = "reviews:read";
    public const string ReviewsWrite = "reviews:write";
    public const string UsersRead = "users:read";

    public static readonly IReadOnlyList<string> All = [InvitationsRead, InvitationsWrite, ReviewsRead, ReviewsWrite, UsersRead];

    /// <summary>The claim a token's principal carries once per scope.</summary>
    public const string ClaimType = "scope";
}
