using Microsoft.EntityFrameworkCore;
using Portal.Cli;
using Portal.Data;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Cli;

public sealed class CleanupCommandTests : IAsyncLifetime
{
    private readonly TestPortal _portal = new();

    private async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await PortalCli.RunAsync(_portal.Services, args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>An account that signed up ten days ago and never used its link, which expired three days ago.</summary>
    private async Task<PortalUser> ExpiredAsync(string email)
    {
        var now = DateTime.UtcNow;
        return (await _portal.SeedSignUpAsync(email, SignUpStatus.AwaitingActivation, now.AddDays(-10), now.AddDays(-3))).User;
    }

    private async Task<int> AccountsAsync(params PortalUser[] users)
    {
        var ids = users.Select(u => u.Id).ToList();
        await using var db = await _portal.DbAsync();
        return await db.Users.CountAsync(u => ids.Contains(u.Id));
    }

    [Fact]
    public async Task A_dry_run_prints_what_would_be_deleted_and_deletes_nothing()
    {
        var expired = await ExpiredAsync("dry@example.org");
        var (waiting, _) = await _portal.SeedSignUpAsync("waiting@example.org", SignUpStatus.AwaitingActivation);

        var (code, output, _) = await RunAsync("cleanup", "--dry-run");

        Assert.Equal(0, code);
        var registered = DateTime.UtcNow.AddDays(-10).ToString("yyyy-MM-dd");
        Assert.Contains($"Would delete d•••@example.org, registered {registered}: never activated; the activation link expired on ", output);
        Assert.DoesNotContain("w•••@example.org", output);
        Assert.DoesNotContain("dry@example.org", output);
        Assert.Contains("Dry run: 1 account and 0 old activation keys would be deleted; nothing was changed.", output);
        Assert.Equal(2, await AccountsAsync(expired, waiting));
    }

    [Fact]
    public async Task A_run_deletes_prints_each_account_and_the_totals()
    {
        var first = await ExpiredAsync("first@example.org");
        var second = await ExpiredAsync("second@example.org");
        var (waiting, _) = await _portal.SeedSignUpAsync("still-waiting@example.org", SignUpStatus.AwaitingActivation);

        var (code, output, _) = await RunAsync("cleanup");

        Assert.Equal(0, code);
        Assert.Contains("Deleted f•••@example.org, registered ", output);
        Assert.Contains("Deleted s•••@example.org, registered ", output);
        Assert.Contains("Deleted 2 accounts and 0 old activation keys.", output);
        Assert.Equal(0, await AccountsAsync(first, second));
        Assert.Equal(1, await AccountsAsync(waiting));

        var again = await RunAsync("cleanup");
        Assert.Equal((0, "Deleted 0 accounts and 0 old activation keys."), (again.Code, again.Output.Trim()));
    }

    [Fact]
    public async Task An_unknown_option_exits_with_2()
    {
        var user = await ExpiredAsync("untouched@example.org");

        var (code, _, error) = await RunAsync("cleanup", "--everything");

        Assert.Equal(2, code);
        Assert.Contains("--everything", error);
        Assert.Equal(1, await AccountsAsync(user));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _portal.DisposeAsync();
}
