using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Features.Api;
using Portal.Features.Audit;
using Portal.Identity;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Features.Api;

public sealed class ApiTokensTests : IAsyncLifetime
{
    private readonly ApiPortal _fixture = new();

    private ApiTokens Tokens => _fixture.Tokens;

    [Fact]
    public async Task A_new_token_is_shown_once_and_stored_only_as_its_hash()
    {
        var (_, ada) = await _fixture.AdminAsync("ada");

        var created = await Tokens.CreateAsync(ada, "  HR sync ", [ApiScopes.InvitationsWrite, ApiScopes.InvitationsRead], _fixture.NextYear);

        Assert.StartsWith(ApiTokens.Prefix, created.Token);
        Assert.True(Secrets.IsWellFormed(created.Token[ApiTokens.Prefix.Length..]));
        Assert.Equal("HR sync", created.Row.Name);
        Assert.Equal([ApiScopes.InvitationsRead, ApiScopes.InvitationsWrite], created.Row.Scopes);
        await using var db = await _fixture.Portal.DbAsync();
        var stored = await db.ApiTokens.AsNoTracking().SingleAsync();
        Assert.Equal(Secrets.Hash(created.Token[ApiTokens.Prefix.Length..]), stored.TokenHash);
        Assert.DoesNotContain(created.Token[ApiTokens.Prefix.Length..], stored.TokenHash);
        Assert.Equal(ada.UserId, stored.UserId);
        Assert.Equal(_fixture.NextYear.ToDateTime(TimeOnly.MinValue), stored.ExpiresAt);
        var row = Assert.Single(await Tokens.ListAsync(ada));
        Assert.Equal((created.Row.Id, "HR sync", ada.Name, (DateTime?)null), (row.Id, row.Name, row.OwnerName, row.LastUsedAt));
        var entry = Assert.Single(await _fixture.Portal.AuditAsync(AuditActions.ApiTokenCreated));
        Assert.Equal(("HR sync", ada.Name), (entry.TargetName, entry.ActorName));
        Assert.DoesNotContain(created.Token, entry.Details);
    }

    [Fact]
    public async Task A_token_acts_as_its_admin_with_its_scopes()
    {
        var (_, ada) = await _fixture.AdminAsync("ada");
        var token = await _fixture.TokenAsync(ada, "HR sync", ApiScopes.InvitationsRead);

        var (caller, problem) = await Tokens.AuthenticateAsync(token);

        Assert.Null(problem);
        Assert.Equal((ada.UserId, ada.Name, "HR sync"), (caller!.Actor.UserId, caller.Actor.Name, caller.Actor.Token));
        Assert.Equal($"{ada.Name} (token: HR sync)", caller.Actor.AuditName);
        Assert.True(caller.Actor.IsInAnyRole(Roles.Admin));
        Assert.Equal([ApiScopes.InvitationsRead], caller.Scopes);
    }

    [Theory]
    [InlineData(null, ApiTokenProblem.Missing)]
    [InlineData("", ApiTokenProblem.Malformed)]
    [InlineData("portal_short", ApiTokenProblem.Malformed)]
    [InlineData("github_pat_0123456789012345678901234567890123456789012", ApiTokenProblem.Malformed)]
    [InlineData("portal_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", ApiTokenProblem.Unknown)]
    public async Task A_token_that_is_not_one_is_refused(string? presented, ApiTokenProblem expected)
    {
        Assert.Equal((null, expected), await Tokens.AuthenticateAsync(presented));
    }

    [Fact]
    public async Task A_revoked_token_is_refused_from_the_next_request_on()
    {
        var (_, ada) = await _fixture.AdminAsync("ada");
        var (_, bob) = await _fixture.AdminAsync("bob");
        var token = await Tokens.CreateAsync(ada, "HR sync", ApiScopes.All, _fixture.NextYear);

        Assert.True(await Tokens.RevokeAsync(bob, token.Row.Id));

        Assert.Equal((null, ApiTokenProblem.Revoked), await Tokens.AuthenticateAsync(token.Token));
        Assert.False(await Tokens.RevokeAsync(bob, token.Row.Id));
        Assert.Equal(_fixture.Clock.Now.UtcDateTime, Assert.Single(await Tokens.ListAsync(ada)).RevokedAt);
        var entry = Assert.Single(await _fixture.Portal.AuditAsync(AuditActions.ApiTokenRevoked));
        Assert.Equal((bob.Name, "HR sync"), (entry.ActorName, entry.TargetName));
    }

    [Fact]
    public async Task A_token_works_until_its_expiry_date_begins()
    {
        var (_, ada) = await _fixture.AdminAsync("ada");
        var expiresOn = DateOnly.FromDateTime(_fixture.Clock.Now.UtcDateTime).AddDays(2);
        var token = (await Tokens.CreateAsync(ada, "HR sync", ApiScopes.All, expiresOn)).Token;

        _fixture.Clock.Now = new DateTimeOffset(expiresOn.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).AddTicks(-10);
        Assert.Null((await Tokens.AuthenticateAsync(token)).Problem);

        _fixture.Clock.Advance(TimeSpan.FromTicks(10));
        Assert.Equal((null, ApiTokenProblem.Expired), await Tokens.AuthenticateAsync(token));
    }

    [Fact]
    public async Task Last_use_is_written_at_most_once_a_minute()
    {
        var (_, ada) = await _fixture.AdminAsync("ada");
        var token = await _fixture.TokenAsync(ada);
        var first = _fixture.Clock.Now.UtcDateTime;

        await Tokens.AuthenticateAsync(token);
        Assert.Equal(first, Assert.Single(await Tokens.ListAsync(ada)).LastUsedAt);

        _fixture.Clock.Advance(TimeSpan.FromSeconds(59));
        await Tokens.AuthenticateAsync(token);
        Assert.Equal(first, Assert.Single(await Tokens.ListAsync(ada)).LastUsedAt);

        _fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        await Tokens.AuthenticateAsync(token);
        Assert.Equal(_fixture.Clock.Now.UtcDateTime, Assert.Single(await Tokens.ListAsync(ada)).LastUsedAt);
    }

    [Fact]
    public async Task A_token_of_an_admin_who_lost_the_role_or_was_deactivated_no_longer_works()
    {
        var (demoted, ada) = await _fixture.AdminAsync("ada");
        var (deactivated, bob) = await _fixture.AdminAsync("bob");
        var adaToken = await _fixture.TokenAsync(ada);
        var bobToken = await _fixture.TokenAsync(bob);
        await using (var db = await _fixture.Portal.DbAsync())
        {
            await db.UserRoles.Where(r => r.UserId == demoted.Id).ExecuteDeleteAsync();
            await db.Users.Where(u => u.Id == deactivated.Id).ExecuteUpdateAsync(u => u.SetProperty(x => x.DeactivatedAt, DateTime.UtcNow));
        }

        Assert.Equal((null, ApiTokenProblem.OwnerWithoutRights), await Tokens.AuthenticateAsync(adaToken));
        Assert.Equal((null, ApiTokenProblem.OwnerWithoutRights), await Tokens.AuthenticateAsync(bobToken));
        var refusals = await _fixture.Portal.AuditAsync(AuditActions.AccessRefused);
        Assert.Equal([$"{ada.Name} (token: HR sync)", $"{bob.Name} (token: HR sync)"], refusals.Select(r => r.ActorName));
    }

    [Fact]
    public async Task A_demoted_admins_token_is_refused_every_time_but_audited_once_a_minute()
    {
        var (demoted, ada) = await _fixture.AdminAsync("ada");
        var token = await _fixture.TokenAsync(ada);
        await using (var db = await _fixture.Portal.DbAsync())
        {
            await db.UserRoles.Where(r => r.UserId == demoted.Id).ExecuteDeleteAsync();
        }

        var answers = new List<ApiTokenProblem?>();
        for (var i = 0; i < 5; i++)
        {
            answers.Add((await Tokens.AuthenticateAsync(token)).Problem);
        }
        var withinTheMinute = (await _fixture.Portal.AuditAsync(AuditActions.AccessRefused)).Count;
        _fixture.Clock.Advance(ApiTokens.LastUseResolution);
        answers.Add((await Tokens.AuthenticateAsync(token)).Problem);

        Assert.All(answers, a => Assert.Equal(ApiTokenProblem.OwnerWithoutRights, a));
        Assert.Equal(1, withinTheMinute);
        Assert.Equal(2, (await _fixture.Portal.AuditAsync(AuditActions.AccessRefused)).Count);
    }

    [Fact]
    public async Task A_token_needs_a_name_a_known_scope_and_a_future_expiry()
    {
        var (_, ada) = await _fixture.AdminAsync("ada");
        var today = DateOnly.FromDateTime(_fixture.Clock.Now.UtcDateTime);

        Assert.Equal("name", (await Assert.ThrowsAsync<ArgumentException>(() => Tokens.CreateAsync(ada, " ", ApiScopes.All, _fixture.NextYear))).ParamName);
        Assert.Equal("name", (await Assert.ThrowsAsync<ArgumentException>(() => Tokens.CreateAsync(ada, new string('x', 101), ApiScopes.All, _fixture.NextYear))).ParamName);
        Assert.Equal("scopes", (await Assert.ThrowsAsync<ArgumentException>(() => Tokens.CreateAsync(ada, "HR", [], _fixture.NextYear))).ParamName);
        Assert.Equal("scopes", (await Assert.ThrowsAsync<ArgumentException>(() => Tokens.CreateAsync(ada, "HR", ["admin"], _fixture.NextYear))).ParamName);
        Assert.Equal("expiresOn", (await Assert.ThrowsAsync<ArgumentException>(() => Tokens.CreateAsync(ada, "HR", ApiScopes.All, today))).ParamName);
        Assert.Empty(await Tokens.ListAsync(ada));
    }

    [Fact]
    public async Task Only_an_admin_makes_lists_or_revokes_tokens()
    {
        var (_, ada) = await _fixture.AdminAsync("ada");
        var token = await Tokens.CreateAsync(ada, "HR sync", ApiScopes.All, _fixture.NextYear);
        var moderator = ada with { Roles = new HashSet<string> { Roles.Moderator } };

        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => Tokens.CreateAsync(moderator, "Mine", ApiScopes.All, _fixture.NextYear));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => Tokens.ListAsync(moderator));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => Tokens.RevokeAsync(moderator, token.Row.Id));
        Assert.Null(Assert.Single(await Tokens.ListAsync(ada)).RevokedAt);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _fixture.DisposeAsync();
}
