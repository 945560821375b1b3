using System.Text;
using Microsoft.Playwright;
using Portal.Identity;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class BulkInviteFlowTests(BrowserFixture fixture)
{
    [Fact]
    public async Task An_admin_uploads_a_file_reads_the_dry_run_runs_it_and_downloads_the_results()
    {
        await fixture.Portal.CreateUserAsync("already@example.org");
        await using var admin = await fixture.SignedInAdminAsync("bulk.boss@example.org", "a calm admin passphrase");
        var page = admin.Page;
        await page.GotoAsync("admin/invitations/bulk");
        await admin.WaitForInteractiveAsync();
        await admin.ScreenshotAsync("admin-bulk-upload");

        var csv = "email;name;role\n" +
                  "bulk.one@example.org;One;\n" +
                  "bulk.two@example.org;Two;Moderator\n" +
                  "already@example.org;;\n" +
                  "broken-address;;\n" +
                  "BULK.ONE@example.org;;\n" +
                  "=cmd@example.org;;\n";
        await page.Locator("input[type=file]").SetInputFilesAsync(new FilePayload
        {
            Name = "team.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(csv),
        });

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "team.csv" })).ToBeVisibleAsync();
        await admin.WaitForInteractiveAsync();
        await Assertions.Expect(page.Locator("[data-class=New] strong")).ToHaveTextAsync("3");
        await Assertions.Expect(page.Locator("[data-class=AlreadyMember] strong")).ToHaveTextAsync("1");
        await Assertions.Expect(page.Locator("[data-class=Invalid] strong")).ToHaveTextAsync("1");
        await Assertions.Expect(page.Locator("[data-class=DuplicateInFile] strong")).ToHaveTextAsync("1");
        await page.Locator("[data-class=Invalid]").ClickAsync();
        var rows = page.GetByTestId("bulk-rows").Locator("tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(rows.First).ToContainTextAsync("broken-address");
        await admin.ScreenshotAsync("admin-bulk-dry-run");
        Assert.Empty(await fixture.Portal.Mail.DeliveredToAsync("bulk.one@example.org"));

        await page.GetByRole(AriaRole.Button, new() { Name = "Start: invite 3" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Done" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("progress")).ToContainTextAsync("6 of 6 rows processed, 3 invitations sent");
        await Assertions.Expect(page.Locator("[data-stat=funnel-invited]")).ToHaveTextAsync("3");
        await admin.ScreenshotAsync("admin-bulk-done");
        await fixture.Portal.Mail.DeliveredAsync("bulk.two@example.org", "invited you");

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByText("Results file (CSV)").ClickAsync());
        Assert.Equal("team-results.csv", download.SuggestedFilename);
        var lines = (await File.ReadAllTextAsync((await download.PathAsync())!)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(
        [
            "line,email,outcome,reason",
            "2,bulk.one@example.org,Sent,",
            "3,bulk.two@example.org,Sent,",
            "4,already@example.org,AlreadyMember,",
        ], lines.Take(4));
        Assert.StartsWith("5,broken-address,Invalid,", lines[4]);
        Assert.Equal("6,BULK.ONE@example.org,Duplicate,The address appears earlier in the file.", lines[5]);
        Assert.Equal("7,'=cmd@example.org,Sent,", lines[6].Replace("\"", "", StringComparison.Ordinal));

        await page.GotoAsync("admin/invitations/bulk");
        await admin.WaitForInteractiveAsync();
        await Assertions.Expect(page.GetByTestId("bulk-jobs").Locator("tbody tr").Filter(new() { HasText = "team.csv" })).ToContainTextAsync("Completed");
        admin.AssertNoErrors();
    }

    [Fact]
    public async Task A_ready_dry_run_is_marked_as_going_well_and_every_reason_reads_whole()
    {
        // A Cyrillic "а" in a Latin name: the longest reason the dry run gives.
        const string lookalike = "\u0430dmin.lookalike@example.org";
        var reason = EmailAddress.Check(lookalike).Error!;
        await using var admin = await fixture.SignedInAdminAsync("bulk.boss@example.org", "a calm admin passphrase");
        var page = admin.Page;
        await page.GotoAsync("admin/invitations/bulk");
        await admin.WaitForInteractiveAsync();

        await page.Locator("input[type=file]").SetInputFilesAsync(new FilePayload
        {
            Name = "lookalikes.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes($"email\n{lookalike}\nplain.newcomer@example.org\n"),
        });

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "lookalikes.csv" })).ToBeVisibleAsync();
        await admin.WaitForInteractiveAsync();
        var status = page.GetByTestId("job-head").Locator("[data-status]");
        await Assertions.Expect(status).ToHaveTextAsync("Dry run ready");
        // In the theme's information blue, not a warning's orange or an error's red.
        var rgb = await status.EvaluateAsync<int[]>("e => { const [r, g, b] = getComputedStyle(e).color.match(/\\d+/g).map(Number); return [r, g, b]; }");
        Assert.True(rgb[2] > rgb[0], $"The status is not in the information colour (rgb {string.Join(", ", rgb)}).");
        var why = page.GetByTestId("bulk-rows").Locator("tbody tr").Filter(new() { HasText = lookalike }).Locator("td").Last;
        await Assertions.Expect(why).ToHaveTextAsync(reason);
        await Assertions.Expect(why).ToBeVisibleAsync();
        Assert.True(await why.EvaluateAsync<bool>("cell => cell.scrollWidth <= cell.clientWidth && cell.scrollHeight <= cell.clientHeight"),
            "The reason is cut off.");
        var grid = (await page.GetByTestId("bulk-rows").BoundingBoxAsync())!;
        var cell = (await why.BoundingBoxAsync())!;
        Assert.True(cell.X + cell.Width <= grid.X + grid.Width + 1, "The reason runs past the grid's edge.");
        await admin.ScreenshotAsync("admin-bulk-dry-run-reasons");

        await Accessibility.OnPhoneAsync(page);
        await Assertions.Expect(status).ToBeVisibleAsync();
        await Accessibility.AssertNoSidewaysScrollingAsync(page);
        await admin.ScreenshotAsync("admin-bulk-dry-run-phone");
        admin.AssertNoErrors();
    }

    [Fact]
    public async Task A_file_that_cannot_be_read_is_refused_with_the_reason()
    {
        await using var admin = await fixture.SignedInAdminAsync("bulk.boss@example.org", "a calm admin passphrase");
        var page = admin.Page;
        await page.GotoAsync("admin/invitations/bulk");
        await admin.WaitForInteractiveAsync();

        await page.Locator("input[type=file]").SetInputFilesAsync(new FilePayload
        {
            Name = "names.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes("name\nAda\n"),
        });

        await Assertions.Expect(page.GetByTestId("upload-error")).ToContainTextAsync("names.csv was not used. The header has no \"email\" column");
        await admin.ScreenshotAsync("admin-bulk-refused");

        await Accessibility.OnPhoneAsync(page);
        await Assertions.Expect(page.GetByTestId("upload-error")).ToBeVisibleAsync();
        await Accessibility.AssertNoSidewaysScrollingAsync(page);
        await admin.ScreenshotAsync("admin-bulk-upload-phone");
        admin.AssertNoErrors();
    }
}
