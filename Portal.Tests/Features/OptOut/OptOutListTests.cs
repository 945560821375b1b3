using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
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

    private static List<ValidationResult> Validate(string environment, string? key)
    {
        using var services = new ServiceCollection().AddSingleton<IHostEnvironment>(new HostEnvironment { EnvironmentName = environment }).BuildServiceProvider();
        var options = new OptOutOptions { Key = key };
        return options.Validate(new ValidationContext(options, services, null)).ToList();
    }

    [Theory]
    [InlineData("Production", null, "is required outside Development: at least 32 random bytes in base64")]
    [InlineData("Production", "AAAAAAAAAAAAAAAAAAAAAA==", "holds 16 bytes; it needs at least 32")]
    [InlineData("Development", "not base64 at all", "is not base64")]
    public void A_missing_key_outside_development_or_a_short_or_garbled_one_is_refused_without_showing_it(string environment, string? key, string problem)
    {
        var result = Assert.Single(Validate(environment, key));

        Assert.Equal(nameof(OptOutOptions.Key), Assert.Single(result.MemberNames));
        Assert.StartsWith(problem, result.ErrorMessage);
        Assert.False(key is not null && result.ErrorMessage!.Contains(key, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Development", null)]
    [InlineData("Production", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    public void A_long_enough_key_or_in_development_none_is_accepted(string environment, string? key)
    {
        Assert.Empty(Validate(environment, key));
    }

    [Fact]
    public void A_configured_key_is_used_as_it_is()
    {
        var key = RandomNumberGenerator.GetBytes(OptOutKey.MinimumBytes);

        var loaded = OptOutKey.Load(Options.Create(new OptOutOptions { Key = Convert.ToBase64String(key) }), new PortalPaths(Path.GetTempPath(), Path.GetTempPath()));

        Assert.Equal(key, loaded.Bytes);
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

    private sealed class HostEnvironment : IHostEnvironment
    {
        public required string EnvironmentName { get; set; }

        public string ApplicationName { get; set; } = "Portal";

        public string ContentRootPath { get; set; } = Path.GetTempPath();

        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = new Microsoft.Extensions.FileProviders.NullFileProvider();
    }
}
