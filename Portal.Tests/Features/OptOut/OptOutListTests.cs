using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Features.Audit;
using Portal.Features.Invitations;
using Portal.Features.OptOut;
using Portal.Identity;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Features.OptOut;

public sealed class OptOutListTests : IAsyncLifetime
{
    private readonly InvitationPortal _fixture = new();

    private OptOutList List => _fixture.Portal.Get<OptOutList>();

    private static Actor Admin => InvitationPortal.Admin;

    [Fact]
    public async Task An_address_can_be_checked_in_any_spelling_without_being_stored()
    {
        var token = await _fixture.InviteAsync("private@example.org");
        await _fixture.Responses.OptOutAsync(token, OptOutSource.Page);

        var listed = await List.CheckAsync(Admin, " PRIVATE@Example.ORG");
        var other = await List.CheckAsync(Admin, "someone@example.org");
        var invalid = await List.CheckAsync(Admin, "nope");

        Assert.True(listed.Listed);
        Assert.False(other.Listed);
        Assert.NotNull(invalid.Error);
        var rows = await List.SearchAsync(Admin, new PageRequest());
        Assert.Equal(1, rows.Total);
        await using var db = await _fixture.Portal.DbAsync();
        Assert.DoesNotContain("private", (await db.OptOutEntries.SingleAsync()).Hash, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Removing_an_entry_needs_a_reason_makes_the_address_invitable_and_is_audited()
    {
        var token = await _fixture.InviteAsync("back@example.org");
        await _fixture.Responses.OptOutAsync(token, OptOutSource.Page);
        var entry = (await List.SearchAsync(Admin, new PageRequest())).Items.Single();

        await Assert.ThrowsAsync<ArgumentException>(() => List.RemoveAsync(Admin, entry.Id, " "));
        Assert.True(await List.RemoveAsync(Admin, entry.Id, "Asked by mail on 2 March"));
        Assert.False(await List.RemoveAsync(Admin, entry.Id, "again"));

        var again = await _fixture.Invitations.InviteAsync("back@example.org", Admin);
        Assert.Equal(InviteOutcome.Sent, again.Outcome);
        var audit = await _fixture.Portal.Get<AuditLog>().SearchAsync(Admin, new AuditQuery(Action: "opt-out.removed"), new PageRequest());
        Assert.Equal("Asked by mail on 2 March", Assert.Single(audit.Items).Details);
    }

    [Fact]
    public async Task The_development_key_lives_in_the_data_directory_not_the_database()
    {
        _ = _fixture.Portal.Get<OptOutKey>();

        var file = Path.Combine(_fixture.Portal.DataDirectory, "optout.key");
        Assert.True(File.Exists(file));
        Assert.Equal(OptOutKey.MinimumBytes, Convert.FromBase64String(await File.ReadAllTextAsync(file)).Length);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }
        await using var db = await _fixture.Portal.DbAsync();
        var key = await File.ReadAllTextAsync(file);
        Assert.False(await db.AuditEntries.AnyAsync(e => e.Details!.Contains(key)));
    }

    [Fact]
    public void Outside_development_a_missing_or_short_key_stops_the_portal()
    {
        var production = new ProductionEnvironment();
        var paths = new PortalPaths(Path.GetTempPath(), Path.GetTempPath());

        var missing = Assert.Throws<InvalidOperationException>(() => OptOutKey.Load(Options.Create(new OptOutOptions()), production, paths));
        var shortKey = Assert.Throws<InvalidOperationException>(() =>
            OptOutKey.Load(Options.Create(new OptOutOptions { Key = Convert.ToBase64String(new byte[16]) }), production, paths));
        var configured = OptOutKey.Load(Options.Create(new OptOutOptions { Key = Convert.ToBase64String(new byte[32]) }), production, paths);

        Assert.Contains("OptOut:Key is not set", missing.Message);
        Assert.Contains("at least 32", shortKey.Message);
        Assert.Equal(32, configured.Bytes.Length);
    }

    [Fact]
    public async Task Only_admins_see_or_change_the_list()
    {
        var moderator = new Actor("m", "mod", new HashSet<string> { Roles.Moderator });

        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => List.CheckAsync(moderator, "a@example.org"));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => List.SearchAsync(moderator, new PageRequest()));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => List.RemoveAsync(moderator, 1, "reason"));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _fixture.DisposeAsync();

    private sealed class ProductionEnvironment : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = Environments.Production;

        public string ApplicationName { get; set; } = "Portal";

        public string ContentRootPath { get; set; } = Path.GetTempPath();

        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = new Microsoft.Extensions.FileProviders.NullFileProvider();
    }
}
