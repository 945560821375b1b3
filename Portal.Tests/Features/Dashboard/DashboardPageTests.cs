using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Portal.Data;
using Portal.Features.Invitations;
using Portal.Features.Users;
using Portal.Identity;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Features.Dashboard;

/// <summary>The dashboard's figures as the page renders them for an admin.</summary>
public sealed class DashboardPageTests : IAsyncLifetime
{
    private const string AdminEmail = "chief@example.org";

    private readonly ConfirmationsPortal _fixture = new();

    private Actor _admin = Actor.System;

    public async Task InitializeAsync() => (_, _admin) = await _fixture.PersonAsync(AdminEmail, Roles.Admin);

    public async Task DisposeAsync() => await _fixture.DisposeAsync();

    [Fact]
    public async Task Accounts_are_people_who_signed_up_or_accepted_and_invitees_count_as_pending_invitations()
    {
        await _fixture.PersonAsync("member@example.org");
        var leaver = await _fixture.Portal.CreateUserAsync("leaver@example.org");
        await _fixture.Portal.Get<UserAdmin>().DeactivateAsync(_admin, leaver.Id);
        await _fixture.Portal.SeedSignUpAsync("approval@example.org");
        await _fixture.Portal.SeedSignUpAsync("activation@example.org", SignUpStatus.AwaitingActivation);
        foreach (var invitee in new[] { "one@invited.example", "two@invited.example", "three@invited.example" })
        {
            Assert.True((await _fixture.Portal.Get<InvitationService>().InviteAsync(invitee, _admin)).Sent);
        }

        var page = await OpenDashboardAsync();

        Assert.Equal("5", Stat(page, "users"));
        Assert.Equal("2 active, 2 not yet active, 1 deactivated", Detail(page, "users"));
        Assert.Equal("1", Stat(page, "awaiting-activation"));
        Assert.Equal("3", Stat(page, "invitations-pending"));
    }

    [Fact]
    public async Task The_moderator_card_counts_what_the_sidebar_badge_counts_sign_ups_and_changes()
    {
        var (_, member) = await _fixture.PersonAsync("ada@example.org");
        await _fixture.RequestAsync(member, "profile");
        await _fixture.Portal.SeedSignUpAsync("waiting@example.org");

        var page = await OpenDashboardAsync();

        Assert.Equal("2", Stat(page, "awaiting-moderator"));
        Assert.Equal("1 sign-up, 1 change", Detail(page, "awaiting-moderator"));
        Assert.Equal("2", page.QuerySelector("[data-count=review-queue]")?.TextContent.Trim());
        Assert.Equal("1", Stat(page, "changes-review"));
        Assert.NotNull(Card(page, "awaiting-moderator").QuerySelector("a[href='admin/review']"));
    }

    private async Task<IHtmlDocument> OpenDashboardAsync()
    {
        using var client = _fixture.Portal.CreateBrowserlikeClient();
        using var signIn = await client.SignInAsync(AdminEmail, TestPortal.DefaultPassword);
        return await client.GetPageAsync("/admin");
    }

    private static IElement Card(IHtmlDocument page, string name) =>
        page.QuerySelector($"[data-stat={name}]")?.Closest(".portal-stat") ?? throw new InvalidOperationException($"No card {name}.");

    private static string? Stat(IHtmlDocument page, string name) => page.QuerySelector($"[data-stat={name}]")?.TextContent.Trim();

    private static string? Detail(IHtmlDocument page, string name) => Card(page, name).QuerySelector(".portal-stat-detail")?.TextContent.Trim();
}
