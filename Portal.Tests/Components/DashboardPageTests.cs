using System.Text;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Portal.Components.Shared;
using Portal.Data;
using Portal.Features.Dashboard;
using Portal.Features.Invitations;
using Portal.Features.Invitations.Bulk;

namespace Portal.Tests.Components;

public sealed class DashboardPageTests : AdminPageTest
{
    [Fact]
    public async Task The_dashboard_counts_invitations_and_charts_them_per_day()
    {
        await SignInAsAdminAsync();
        foreach (var invitee in new[] { "one@invited.example", "two@invited.example" })
        {
            Assert.True((await Portal.Get<InvitationService>().InviteAsync(invitee, Admin)).Sent);
        }

        var page = await RenderPageAsync<DashboardPage>();

        page.WaitForAssertion(() => Assert.Equal("2", page.Find("[data-stat=invitations-pending]").TextContent.Trim()));
        var chart = page.Find("[data-chart=invitations]");
        Assert.Equal("Sent: 2 · Accepted: 0", chart.QuerySelector("[data-chart-totals]")!.TextContent.Trim());
        Assert.NotNull(chart.QuerySelector("svg"));
        Assert.Equal("Signed up: 0 · Active now: 0", page.Find("[data-chart=sign-ups] [data-chart-totals]").TextContent.Trim());
        Assert.Empty(page.FindAll("[data-testid=bulk-in-progress]"));
    }

    [Fact]
    public async Task A_bulk_run_under_way_shows_on_the_dashboard_with_its_progress()
    {
        await SignInAsAdminAsync();
        await Portal.Get<BulkJobRunner>().StopAsync(CancellationToken.None);
        var analysis = Portal.Get<BulkAnalysis>();
        var runs = Portal.Get<BulkRuns>();
        var id = await analysis.AnalyzeAsync(Admin, "team.csv", new MemoryStream(Encoding.UTF8.GetBytes("email\na@example.org\nb@example.org\nc@example.org\n")));
        await runs.StartAsync(Admin, id, new BulkRunOptions(null, null, false, 14));
        await using (var db = await Portal.DbAsync())
        {
            await db.BulkJobs.Where(j => j.Id == id).ExecuteUpdateAsync(s => s.SetProperty(j => j.Status, BulkJobStatus.Running).SetProperty(j => j.ProcessedRows, 1));
        }

        var page = await RenderPageAsync<DashboardPage>();

        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=bulk-in-progress]")));
        var card = page.Find("[data-testid=bulk-in-progress]");
        Assert.Equal($"admin/invitations/bulk/{id}", card.QuerySelector("a")!.GetAttribute("href"));
        Assert.Contains("1 of 3 rows, 0 sent", card.TextContent);
        Assert.Equal("1", card.QuerySelector("[role=progressbar]")!.GetAttribute("aria-valuenow"));
    }

    [Fact]
    public void A_daily_chart_draws_a_bar_per_day_and_series_and_totals_them()
    {
        var days = new[] { new ChartDay("1 Dec", 3, 1), new ChartDay("2 Dec", 0, 0), new ChartDay("3 Dec", 5, 2) };

        var chart = Context.Render<DailyChart>(p => p.Add(c => c.Name, "invitations").Add(c => c.Title, "Invitations")
            .Add(c => c.Days, days).Add(c => c.FirstTitle, "Sent").Add(c => c.SecondTitle, "Accepted"));

        Assert.Equal("Sent: 8 · Accepted: 3", chart.Find("[data-chart-totals]").TextContent.Trim());
        Assert.Contains("Sent", chart.Find("[data-chart=invitations]").TextContent);
        Assert.Contains("Accepted", chart.Find("[data-chart=invitations]").TextContent);
        Assert.Contains("1 Dec", chart.Markup);
    }

    [Fact]
    public void A_daily_chart_without_days_shows_zero_totals()
    {
        var chart = Context.Render<DailyChart>(p => p.Add(c => c.Name, "sign-ups").Add(c => c.Title, "Sign-ups")
            .Add(c => c.Days, []).Add(c => c.FirstTitle, "Signed up").Add(c => c.SecondTitle, "Active now"));

        Assert.Equal("Signed up: 0 · Active now: 0", chart.Find("[data-chart-totals]").TextContent.Trim());
    }
}
