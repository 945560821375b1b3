using Microsoft.Playwright;
using Portal.Components.Layout;
using Portal.Data;
using Portal.Features.Confirmations;
using Portal.Features.Invitations;
using Portal.Features.Registration;
using Portal.Identity;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Browser;

/// <summary>
/// The public and member pages, light and dark, on a desktop and on a phone: no serious or critical
/// axe-core violation, no sideways scrolling on the phone, and a screenshot of each to look at.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class PublicPagesAccessibilityTests(BrowserFixture fixture)
{
    private static readonly string[] SignedOut =
        ["", "register", "activate/resend", "Identity/Account/Login", "Identity/Account/ForgotPassword", "Identity/Account/ResendEmailConfirmation"];

    private static readonly string[] Member =
    [
        "account/profile", "account/changes", "Identity/Account/Manage", "Identity/Account/Manage/Email",
        "Identity/Account/Manage/ChangePassword", "Identity/Account/Manage/TwoFactorAuthentication",
        "Identity/Account/Manage/EnableAuthenticator", "Identity/Account/Manage/PersonalData",
    ];

    public static TheoryData<string> Themes => ["light", "dark"];

    [Theory]
    [MemberData(nameof(Themes))]
    public async Task Every_public_and_member_page_passes_axe_and_fits_a_phone(string theme)
    {
        await using var session = await fixture.NewSessionAsync();
        var page = session.Page;
        await page.Context.AddCookiesAsync([new Cookie { Name = PortalTheme.Cookie, Value = theme, Url = fixture.Portal.PublicBaseUrl }]);
        await CheckAsync(session, SignedOut, theme);

        await fixture.Portal.CreateUserAsync($"member.{theme}@example.org");
        await session.SignInAsync($"member.{theme}@example.org", TestPortal.DefaultPassword);
        await CheckAsync(session, Member, theme);
        session.AssertNoErrors();
    }

    [Theory]
    [MemberData(nameof(Themes))]
    public async Task Every_page_opened_from_a_mail_passes_axe_and_fits_a_phone(string theme)
    {
        var portal = fixture.Portal;
        var admin = await portal.CreateUserAsync($"mailed.admin.{theme}@example.org", roles: Roles.Admin);
        var invitee = $"mailed.invitee.{theme}@example.org";
        var invited = await portal.Get<InvitationService>().InviteAsync(invitee, new Actor(admin.Id, admin.UserName!, new HashSet<string> { Roles.Admin }));
        Assert.Equal(InviteOutcome.Sent, invited.Outcome);
        var invitation = await portal.Mail.DeliveredAsync(invitee, "invited you");

        var visitor = $"mailed.visitor.{theme}@example.org";
        var signUp = await portal.Get<Registrations>().RegisterAsync(new SignUpForm
        {
            UserName = $"mailed-visitor-{theme}", Email = visitor, Password = TestPortal.DefaultPassword,
            ConfirmPassword = TestPortal.DefaultPassword, AcceptTerms = true,
        }, null);
        Assert.True(signUp.Outcome == SignUpOutcome.Accepted, string.Join("; ", signUp.Errors.Values));
        var activation = await portal.Mail.DeliveredAsync(visitor, "Activate your Portal account");

        var member = await portal.CreateUserAsync($"mailed.member.{theme}@example.org");
        var requests = portal.Get<ChangeRequests>();
        var variant = theme == "light" ? 20 : 21;
        var emailChange = await requests.RequestAsync(Actor.Self(member), "email", member.Id, ConfirmationsPortal.Proposal("email", variant), TestPortal.DefaultPassword);
        Assert.True(emailChange.Outcome == ChangeOutcome.Requested, emailChange.Message);
        var confirm = await portal.Mail.DeliveredAsync($"new{variant}@example.net", "Confirm your new address for Portal");
        var phoneChange = await requests.RequestAsync(Actor.Self(member), "phone", member.Id, ConfirmationsPortal.Proposal("phone"), TestPortal.DefaultPassword);
        Assert.True(phoneChange.Outcome == ChangeOutcome.Requested, phoneChange.Message);

        await using var session = await fixture.NewSessionAsync();
        var page = session.Page;
        await page.Context.AddCookiesAsync([new Cookie { Name = PortalTheme.Cookie, Value = theme, Url = portal.PublicBaseUrl }]);
        await CheckAsync(session, [
            Path(invitation.LinkContaining("/invite/")),
            Path(invitation.LinkContaining("/opt-out")),
            Path(activation.LinkContaining("/activate/")),
            Path(confirm.LinkContaining($"/{ChangeRequests.ConfirmLinkPath}/")),
        ], theme, ["invitation", "opt-out", "activation", "confirm-change"]);

        await session.SignInAsync(member.Email!, TestPortal.DefaultPassword);
        await CheckAsync(session, [$"account/changes/{phoneChange.ChangeId}/code"], theme, ["enter-code"]);
        session.AssertNoErrors();
        // Last: the browser reports the page's 404 status as an error of its own.
        await CheckAsync(session, ["no/such/page"], theme, ["not-found"]);
    }

    /// <summary>The link's path and query, for the session's base address.</summary>
    private static string Path(string link) => new Uri(link).PathAndQuery.TrimStart('/');

    private static async Task CheckAsync(BrowserSession session, IEnumerable<string> paths, string theme, IReadOnlyList<string>? names = null)
    {
        var page = session.Page;
        foreach (var (path, index) in paths.Select((p, i) => (p, i)))
        {
            var name = names?[index] ?? (path.Length == 0 ? "home" : path.Replace('/', '-').ToLowerInvariant());
            await Accessibility.OnDesktopAsync(page);
            await page.GotoAsync(path);
            await Accessibility.AssertNoSeriousViolationsAsync(page);
            await session.ScreenshotAsync($"a11y-{name}-{theme}");

            await Accessibility.OnPhoneAsync(page);
            await page.ReloadAsync();
            await Accessibility.AssertNoSeriousViolationsAsync(page);
            await Accessibility.AssertNoSidewaysScrollingAsync(page);
            await session.ScreenshotAsync($"a11y-{name}-{theme}-phone");
        }
    }
}
