using System.Text;
using Microsoft.Playwright;
using Portal.Components.Layout;
using Portal.Data;
using Portal.Features.Confirmations;
using Portal.Features.Invitations;
using Portal.Features.Invitations.Bulk;
using Portal.Features.OptOut;
using Portal.Identity;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Browser;

/// <summary>
/// Every admin and moderator page, light and dark, on a laptop and on a phone, with something in
/// each of its grids: no serious or critical axe-core violation, no sideways scrolling of the page
/// on the phone, and a screenshot of each to look at.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class AdminPagesAccessibilityTests(BrowserFixture fixture)
{
    public static TheoryData<string> Themes => ["light", "dark"];

    [Theory]
    [MemberData(nameof(Themes))]
    public async Task Every_admin_page_passes_axe_and_fits_a_phone(string theme)
    {
        var seeded = await SeedAsync(theme);
        await using var session = await fixture.NewSessionAsync();
        var page = session.Page;
        await page.Context.AddCookiesAsync([new Cookie { Name = PortalTheme.Cookie, Value = theme, Url = fixture.Portal.PublicBaseUrl }]);
        await session.SignInAsync(seeded.AdminEmail, TestPortal.DefaultPassword);

        // Each page with a text that shows its data has come.
        (string Path, string Name, string Shows)[] pages =
        [
            ("admin", "dashboard", "Dashboard"),
            ("admin/users", "users", seeded.MemberEmail),
            ("admin/invitations", "invitations", seeded.InvitedEmail),
            ("admin/invitations/bulk", "bulk", seeded.BulkFile),
            ($"admin/invitations/bulk/{seeded.BulkJob}", "bulk-job", seeded.BulkFile),
            ("admin/registrations", "registrations", seeded.ActivationEmail),
            ("admin/registrations/approvals", "approvals", seeded.ApprovalEmail),
            ("admin/review", "review", seeded.MemberName),
            ($"admin/review/{seeded.Change}", "review-detail", "Countess Ada"),
            ("admin/letters", "letters", "Rue de Rivoli 10"),
            ("admin/transfers", "transfers", "Ada Lovelace"),
            ("admin/opt-outs", "opt-outs", "Opt-outs"),
            ("admin/outbox", "outbox", seeded.InvitedEmail),
            ("admin/webhooks", "webhooks", "Register an endpoint"),
            ("admin/templates", "templates", "Activate your Portal account"),
            ("admin/audit", "audit", "invitation"),
            ("admin/api-tokens", "api-tokens", "API tokens"),
            ("admin/settings", "settings", "Settings"),
        ];
        foreach (var (path, name, shows) in pages)
        {
            await Accessibility.OnDesktopAsync(page);
            await page.GotoAsync(path);
            await session.WaitForInteractiveAsync();
            await Assertions.Expect(page.GetByText(shows).First).ToBeVisibleAsync();
            await Accessibility.AssertNoSeriousViolationsAsync(page);
            // The heading the page focuses for screen readers is not a keyboard stop: no ring around it.
            Assert.True(await page.EvaluateAsync<bool>(
                "() => document.activeElement?.tagName !== 'H1' || getComputedStyle(document.activeElement).outlineStyle === 'none'"),
                $"{path}: the heading focused after navigation shows a focus ring.");
            await session.ScreenshotAsync($"a11y-admin-{name}-{theme}");

            await Accessibility.OnPhoneAsync(page);
            await Accessibility.AssertNoSidewaysScrollingAsync(page);
            await Accessibility.AssertNoSeriousViolationsAsync(page);
            await session.ScreenshotAsync($"a11y-admin-{name}-{theme}-phone");
        }
        session.AssertNoErrors();
    }

    private sealed record Seeded(
        string AdminEmail, string MemberEmail, string MemberName, string InvitedEmail, string ActivationEmail,
        string ApprovalEmail, string BulkFile, long BulkJob, long Change);

    /// <summary>Something for every grid: a member's changes by text message, letter and transfer, sign-ups, invitations, a bulk run, an opt-out.</summary>
    private async Task<Seeded> SeedAsync(string theme)
    {
        var portal = fixture.Portal;
        var admin = await portal.CreateUserAsync($"a11y.admin.{theme}@example.org", roles: Roles.Admin);
        var adminActor = new Actor(admin.Id, admin.UserName!, new HashSet<string> { Roles.Admin });

        var member = await portal.CreateUserAsync($"a11y.member.{theme}@example.org");
        var memberActor = Actor.Self(member);
        var requests = portal.Get<ChangeRequests>();
        long profileChange = 0;
        foreach (var kind in new[] { "profile", "postal-address", "bank-account", "phone" })
        {
            var result = await requests.RequestAsync(memberActor, kind, member.Id, ConfirmationsPortal.Proposal(kind, 1), TestPortal.DefaultPassword);
            Assert.True(result.Outcome == ChangeOutcome.Requested, result.Message);
            profileChange = kind == "profile" ? result.ChangeId!.Value : profileChange;
        }

        var activation = $"a11y.waiting.{theme}@example.org";
        await portal.SeedSignUpAsync(activation, SignUpStatus.AwaitingActivation);
        var approval = $"a11y.applicant.{theme}@example.org";
        await portal.SeedSignUpAsync(approval);

        var invited = $"a11y.invitee.{theme}@example.org";
        Assert.Equal(InviteOutcome.Sent, (await portal.Get<InvitationService>().InviteAsync(invited, adminActor)).Outcome);

        var file = $"team-{theme}.csv";
        var analysis = portal.Get<BulkAnalysis>();
        var runs = portal.Get<BulkRuns>();
        var csv = $"email,name\na11y.one.{theme}@example.org,One\na11y.two.{theme}@example.org,Two\nnot an address,Three\n";
        var job = await analysis.AnalyzeAsync(adminActor, file, new MemoryStream(Encoding.UTF8.GetBytes(csv)));
        Assert.Null(await runs.StartAsync(adminActor, job, new BulkRunOptions(null, null, false, 14)));

        await using (var db = await portal.DbAsync())
        {
            await portal.Get<OptOutList>().AddAsync(db, $"a11y.gone.{theme}@example.org", OptOutSource.Page);
            await db.SaveChangesAsync();
        }
        await portal.DeliverMailAsync();
        return new Seeded(admin.Email!, member.Email!, member.UserName!, invited, activation, approval, file, job, profileChange);
    }
}
