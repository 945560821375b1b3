using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Features.Confirmations;
using Portal.Features.Dashboard;
using Portal.Features.Invitations;
using Portal.Features.Registration;
using Portal.Identity;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Features.Dashboard;

public class DashboardFiguresTests
{
    private static readonly Actor Admin = new("admin-id", "Grace Admin", new HashSet<string> { Roles.Admin });
    private static readonly Actor Moderator = new("moderator-id", "Mona Moderator", new HashSet<string> { Roles.Moderator });

    private readonly DatabaseProvider _database;

    public DashboardFiguresTests() : this(DatabaseProvider.Sqlite)
    {
    }

    protected DashboardFiguresTests(DatabaseProvider database) => _database = database;

    [DatabaseFact]
    public async Task The_invitation_chart_counts_first_sends_and_acceptances_per_day()
    {
        await using var fixture = new InvitationPortal(_database);
        var token = await fixture.InviteAsync("chart@example.org");
        await fixture.InviteAsync("chart2@example.org");
        await fixture.Responses.AcceptAsync(token, new InviteeForm
        {
            UserName = "charted", Email = "chart@example.org", Password = TestPortal.DefaultPassword, ConfirmPassword = TestPortal.DefaultPassword,
        });

        var days = await fixture.Portal.Get<DashboardFigures>().InvitationsAsync(Admin, 30);

        Assert.Equal(30, days.Count);
        Assert.Equal(DateOnly.FromDateTime(fixture.Clock.Now.UtcDateTime), days[^1].Day);
        Assert.Equal((2, 1), (days[^1].Sent, days[^1].Accepted));
        Assert.All(days.Take(29), d => Assert.Equal((0, 0), (d.Sent, d.Accepted)));
    }

    [DatabaseFact]
    public async Task The_sign_up_chart_counts_sign_ups_per_day_and_the_activation_rate()
    {
        var clock = new TestClock();
        await using var portal = TestPortal.WithServices(services => services.AddSingleton<TimeProvider>(clock), _database);
        var today = clock.Now.UtcDateTime;
        await portal.SeedSignUpAsync("one@stats.example", createdAt: today.AddDays(-2));
        var (_, activeLater) = await portal.SeedSignUpAsync("two@stats.example", createdAt: today.AddDays(-2));
        await portal.SeedSignUpAsync("three@stats.example", SignUpStatus.AwaitingActivation, createdAt: today);
        await portal.SeedSignUpAsync("old@stats.example", createdAt: today.AddDays(-40));
        await portal.Get<RegistrationReview>().ApproveAsync(Moderator, [activeLater.Id]);

        var stats = await portal.Get<DashboardFigures>().SignUpsAsync(Admin, 30);

        Assert.Equal(30, stats.Days.Count);
        Assert.Equal(DateOnly.FromDateTime(today), stats.Days[^1].Day);
        Assert.Equal(new DailySignUps(DateOnly.FromDateTime(today.AddDays(-2)), 2, 1), stats.Days[^3]);
        Assert.Equal(new DailySignUps(DateOnly.FromDateTime(today), 1, 0), stats.Days[^1]);
        Assert.Equal((3, 1), (stats.SignedUp, stats.Activated));
        Assert.Equal(1.0 / 3, stats.ActivationRate!.Value, 6);
    }

    [DatabaseFact]
    public async Task The_change_figures_count_changes_waiting_for_a_code_and_those_applied_or_expired_lately()
    {
        await using var fixture = new ConfirmationsPortal(database: _database);
        var (_, member) = await fixture.PersonAsync("ada@example.org");
        var (_, other) = await fixture.PersonAsync("bob@example.org");
        var (_, admin) = await fixture.PersonAsync("admin@example.org", Roles.Admin);
        var (_, moderator) = await fixture.PersonAsync("mod@example.org", Roles.Moderator);
        var expiring = (await fixture.RequestAsync(other, "phone")).ChangeId!.Value;
        fixture.Clock.Advance(TimeSpan.FromMinutes(11));
        await fixture.Lifecycle.ExpireAsync();
        var applied = (await fixture.RequestAsync(member, "profile")).ChangeId!.Value;
        await fixture.Moderation.ApproveAsync(moderator, applied, (await fixture.Moderation.ReviewAsync(moderator, applied))!.Change.Version);
        await fixture.RequestAsync(member, "phone");
        await fixture.RequestAsync(member, "profile", variant: 1);

        var counts = await fixture.Figures.ChangesAsync(admin, 30);

        Assert.Equal(new ChangeCounts(AwaitingConfirmation: 1, Applied: 1, Expired: 1), counts);
        Assert.Equal(ChangeStatus.Expired, (await fixture.RowAsync(expiring)).Status);
        fixture.Clock.Advance(TimeSpan.FromDays(31));
        Assert.Equal((0, 0), ((await fixture.Figures.ChangesAsync(admin, 30)).Applied, (await fixture.Figures.ChangesAsync(admin, 30)).Expired));
    }

    [DatabaseFact]
    public async Task Only_admins_see_the_figures()
    {
        await using var portal = TestPortal.WithServices(_ => { }, _database);
        var figures = portal.Get<DashboardFigures>();

        foreach (var actor in new[] { Moderator, Actor.Visitor })
        {
            await Assert.ThrowsAsync<UnauthorizedAccessException>(() => figures.InvitationsAsync(actor, 30));
            await Assert.ThrowsAsync<UnauthorizedAccessException>(() => figures.SignUpsAsync(actor, 30));
            await Assert.ThrowsAsync<UnauthorizedAccessException>(() => figures.ChangesAsync(actor, 30));
        }
    }
}

public sealed class DashboardFiguresOnPostgresTests() : DashboardFiguresTests(DatabaseProvider.Postgres), IPostgresVariant;
