using System.Text;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Extensions;
using Portal.Data;
using Portal.Features.Invitations.Bulk;

namespace Portal.Tests.Components;

public sealed class BulkInvitePagesTests : AdminPageTest
{
    private const string Team = "email\nnew.one@example.org\nnew.two@example.org\nbroken-address\nNEW.ONE@example.org\n";

    private async Task<long> UploadAsync(string fileName = "team.csv", string csv = Team)
    {
        await SignInAsAdminAsync();
        return await Portal.Get<BulkAnalysis>().AnalyzeAsync(Admin, fileName, new MemoryStream(Encoding.UTF8.GetBytes(csv)));
    }

    private async Task<IRenderedComponent<BulkJobPage>> OpenJobAsync(long id)
    {
        var page = await RenderPageAsync<BulkJobPage>(new Dictionary<string, object?> { [nameof(BulkJobPage.Id)] = id });
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=bulk-rows] tbody tr td:nth-child(2)")));
        return page;
    }

    private static IReadOnlyList<string> Addresses(IRenderedComponent<BulkJobPage> page) =>
        [.. page.FindAll("[data-testid=bulk-rows] tbody tr td:nth-child(2)").Select(e => e.TextContent.Trim())];

    private async Task<BulkJob> JobAsync(long id)
    {
        await using var db = await Portal.DbAsync();
        return await db.BulkJobs.AsNoTracking().SingleAsync(j => j.Id == id);
    }

    [Fact]
    public async Task The_upload_page_without_uploads_says_so()
    {
        var page = await RenderPageAsync<BulkInvitePage>();

        page.WaitForAssertion(() => Assert.Contains("Nothing uploaded yet.", page.Find("[data-testid=bulk-jobs]").TextContent));
    }

    [Fact]
    public async Task The_upload_page_lists_uploads_with_their_status_and_a_link()
    {
        var id = await UploadAsync();

        var page = await RenderPageAsync<BulkInvitePage>();

        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=bulk-jobs] tbody tr a")));
        var row = page.Find("[data-testid=bulk-jobs] tbody tr");
        Assert.Equal($"admin/invitations/bulk/{id}", row.QuerySelector("a")!.GetAttribute("href"));
        Assert.Equal("Dry run ready", row.QuerySelector("[data-status]")!.TextContent.Trim());
        Assert.Equal("4", row.QuerySelectorAll("td")[4].TextContent.Trim());
    }

    [Fact]
    public async Task An_uploaded_file_is_read_and_its_dry_run_opened()
    {
        var page = await RenderPageAsync<BulkInvitePage>();

        page.FindComponent<Microsoft.AspNetCore.Components.Forms.InputFile>().UploadFiles(InputFileContent.CreateFromText(Team, "team.csv", contentType: "text/csv"));

        var navigation = Context.Services.GetRequiredService<NavigationManager>();
        page.WaitForAssertion(() => Assert.Matches(@"admin/invitations/bulk/\d+$", navigation.Uri));
        var id = long.Parse(navigation.Uri.Split('/').Last());
        var job = await JobAsync(id);
        Assert.Equal((BulkJobStatus.Analyzed, 4, 2), (job.Status, job.TotalRows, job.NewRows));
    }

    [Fact]
    public async Task A_file_that_cannot_be_read_is_refused_with_the_reason()
    {
        var page = await RenderPageAsync<BulkInvitePage>();

        page.FindComponent<Microsoft.AspNetCore.Components.Forms.InputFile>().UploadFiles(InputFileContent.CreateFromText("name\nAda\n", "names.csv"));

        page.WaitForAssertion(() => Assert.Contains("names.csv was not used.", page.Find("[data-testid=upload-error]").TextContent));
        await using var db = await Portal.DbAsync();
        Assert.False(await db.BulkJobs.AnyAsync());
    }

    [Fact]
    public async Task A_missing_upload_says_it_was_not_found()
    {
        var page = await RenderPageAsync<BulkJobPage>(new Dictionary<string, object?> { [nameof(BulkJobPage.Id)] = 404L });

        page.WaitForAssertion(() => Assert.Equal("Upload not found", page.Find("h1").TextContent));
    }

    [Fact]
    public async Task The_dry_run_counts_each_class_and_a_class_button_filters_the_rows()
    {
        var page = await OpenJobAsync(await UploadAsync());

        Assert.Equal(4, Addresses(page).Count);
        Assert.Equal("2", page.Find("[data-class=New] strong").TextContent);
        Assert.Equal("1", page.Find("[data-class=Invalid] strong").TextContent);
        Assert.Equal("1", page.Find("[data-class=DuplicateInFile] strong").TextContent);

        page.Find("[data-class=Invalid]").Click();
        page.WaitForAssertion(() => Assert.Equal(["broken-address"], Addresses(page)));
        page.Find("[data-class=Invalid]").Click();
        page.WaitForAssertion(() => Assert.Equal(4, Addresses(page).Count));
    }

    [Fact]
    public async Task The_rows_sort_on_the_server()
    {
        var page = await OpenJobAsync(await UploadAsync());
        var grid = page.FindComponent<MudDataGrid<BulkJobRowView>>();

        await page.InvokeAsync(() => grid.Instance.SetSortAsync(nameof(BulkJobRowView.Line), SortDirection.Descending, r => r.Line, null));

        page.WaitForAssertion(() => Assert.Equal(["NEW.ONE@example.org", "broken-address", "new.two@example.org", "new.one@example.org"], Addresses(page)));
    }

    [Fact]
    public async Task Start_queues_the_run_with_the_options_chosen()
    {
        var id = await UploadAsync();
        var page = await OpenJobAsync(id);

        page.FindAll("button").Single(b => b.TextContent.Trim() == "Start: invite 2").Click();

        page.WaitForAssertion(() => Assert.NotEqual(BulkJobStatus.Analyzed, JobAsync(id).GetAwaiter().GetResult().Status));
        Assert.Equal(14, (await JobAsync(id)).ExpiryDays);
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=progress]")));
    }

    [Fact]
    public async Task The_run_is_in_the_admins_language_unless_they_choose_another_for_rows_that_name_none()
    {
        var id = await UploadAsync();
        var page = await OpenJobAsync(id);
        var language = page.FindComponents<MudSelect<string>>().Single(s => s.Instance.Label == "Language");
        Assert.Equal("en", language.Instance.GetState(s => s.Value));

        await page.InvokeAsync(() => language.Instance.ValueChanged.InvokeAsync("de"));
        page.FindAll("button").Single(b => b.TextContent.Trim() == "Start: invite 2").Click();

        page.WaitForAssertion(() => Assert.Equal("de", JobAsync(id).GetAwaiter().GetResult().DefaultLanguage));
    }

    [Fact]
    public async Task Discarding_asks_first_and_keep_going_keeps_the_dry_run()
    {
        var id = await UploadAsync();
        var page = await OpenJobAsync(id);

        page.FindAll("button").Single(b => b.TextContent.Trim() == "Discard").Click();
        Answer("Keep going");
        Assert.Equal(BulkJobStatus.Analyzed, (await JobAsync(id)).Status);

        page.FindAll("button").Single(b => b.TextContent.Trim() == "Discard").Click();
        Answer("Discard");
        Assert.Equal(BulkJobStatus.Cancelled, (await JobAsync(id)).Status);
        page.WaitForAssertion(() => Assert.Equal("Cancelled", page.Find("[data-testid=job-head] [data-status]").TextContent.Trim()));
    }

    [Fact]
    public async Task A_run_under_way_shows_its_progress_and_how_long_it_should_take_still()
    {
        var id = await UploadAsync();
        // Without the runner, the run stays as set here.
        await Portal.Get<BulkJobRunner>().StopAsync(CancellationToken.None);
        var now = Portal.Get<TimeProvider>().GetUtcNow().UtcDateTime;
        await using (var db = await Portal.DbAsync())
        {
            // Half the rows in ten minutes: about ten minutes to go.
            await db.BulkJobs.Where(j => j.Id == id).ExecuteUpdateAsync(s => s
                .SetProperty(j => j.Status, BulkJobStatus.Running).SetProperty(j => j.StartedAt, now.AddMinutes(-10)).SetProperty(j => j.ProcessedRows, 2));
        }

        var page = await OpenJobAsync(id);

        var progress = page.Find("[role=progressbar][aria-label='Rows processed']");
        Assert.Equal(("2", "4"), (progress.GetAttribute("aria-valuenow"), progress.GetAttribute("aria-valuemax")));
        Assert.Contains("2 of 4 rows processed", page.Find("[data-testid=progress]").TextContent);
        Assert.Contains("10 minutes left", page.Find("[data-testid=eta]").TextContent);
        Assert.Equal("Sending", page.Find("h2").TextContent.Trim());
    }

    [Fact]
    public async Task A_failed_run_says_why_and_resume_queues_it_again()
    {
        var id = await UploadAsync();
        await Portal.Get<BulkJobRunner>().StopAsync(CancellationToken.None);
        await Portal.Get<BulkRuns>().StartAsync(Admin, id, new BulkRunOptions(null, null, false, 14));
        await Portal.Get<BulkRuns>().FailAsync(id, "The mail server went away.", CancellationToken.None);

        var page = await OpenJobAsync(id);
        Assert.Contains("The run stopped: The mail server went away.", page.Markup);
        Assert.Equal("Failed", page.Find("[data-testid=job-head] [data-status]").TextContent.Trim());

        page.FindAll("button").Single(b => b.TextContent.Trim() == "Resume").Click();

        page.WaitForAssertion(() => Assert.Equal("Queued", page.Find("[data-testid=job-head] [data-status]").TextContent.Trim()));
        Assert.Equal(BulkJobStatus.Queued, (await JobAsync(id)).Status);
    }
}
