using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Features.Api;
using Portal.Features.Audit;
using Portal.Features.Users;
using Portal.Identity;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Features.Api;

public sealed class UsersApiTests : IAsyncLifetime
{
    private readonly ApiPortal _fixture = new();
    private PortalUser _adaUser = default!;
    private Actor _ada = default!;
    private string _token = default!;

    public async Task InitializeAsync()
    {
        (_adaUser, _ada) = await _fixture.AdminAsync("ada");
        _token = await _fixture.TokenAsync(_ada);
    }

    public async Task DisposeAsync() => await _fixture.DisposeAsync();

    /// <summary>Every endpoint, with a request it accepts and the scope it needs.</summary>
    public static TheoryData<string, string, string> Endpoints => new()
    {
        { "GET", "/api/v1/users", ApiScopes.UsersRead },
        { "GET", "/api/v1/users/{id}", ApiScopes.UsersRead },
    };

    [Fact]
    public async Task The_list_shows_each_account_as_the_users_page_does_and_nothing_more()
    {
        var grace = await _fixture.Portal.CreateUserAsync("grace@example.org", roles: Roles.Moderator);
        var linus = await _fixture.Portal.CreateUserAsync("linus@example.org");
        await _fixture.Portal.Get<UserAdmin>().DeactivateAsync(_ada, linus.Id);
        var waiting = await _fixture.Portal.CreateUserAsync("new@example.org", state: AccountState.AwaitingActivation, emailConfirmed: false);
        await using (var db = await _fixture.Portal.DbAsync())
        {
            await db.Users.Where(u => u.Id == waiting.Id).ExecuteUpdateAsync(u => u
                .SetProperty(x => x.LockoutEnd, _fixture.Clock.Now.AddMinutes(5))
                .SetProperty(x => x.LastSignInAt, _fixture.Clock.Now.UtcDateTime.AddDays(-1)));
        }
        using var client = _fixture.Client(_token);

        var list = await client.GetFromJsonAsync<JsonElement>("/api/v1/users");

        Assert.Equal((4, 1, ApiLists.DefaultPageSize), (list.GetProperty("total").GetInt32(), list.GetProperty("page").GetInt32(), list.GetProperty("pageSize").GetInt32()));
        var items = list.GetProperty("items").EnumerateArray().ToDictionary(i => i.GetProperty("id").GetString()!);
        Assert.Equal(
            ["createdAt", "email", "id", "lastSignInAt", "lockedOut", "roles", "status", "userName"],
            items[grace.Id].EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal((grace.UserName, "grace@example.org", "Active", false), Shown(items[grace.Id]));
        Assert.Equal([Roles.Moderator], RolesOf(items[grace.Id]));
        Assert.Equal(_fixture.Clock.Now.UtcDateTime, items[grace.Id].GetProperty("createdAt").GetDateTime());
        Assert.Equal(JsonValueKind.Null, items[grace.Id].GetProperty("lastSignInAt").ValueKind);
        Assert.Equal((linus.UserName, "linus@example.org", "Deactivated", false), Shown(items[linus.Id]));
        Assert.Empty(RolesOf(items[linus.Id]));
        Assert.Equal((waiting.UserName, "new@example.org", "AwaitingActivation", true), Shown(items[waiting.Id]));
        Assert.Equal(_fixture.Clock.Now.UtcDateTime.AddDays(-1), items[waiting.Id].GetProperty("lastSignInAt").GetDateTime());
        Assert.Equal([Roles.Admin], RolesOf(items[_adaUser.Id]));
    }

    [Fact]
    public async Task The_filters_narrow_the_list_and_it_pages_with_the_total_in_the_body()
    {
        _fixture.Clock.Advance(TimeSpan.FromMinutes(1));
        var grace = await _fixture.Portal.CreateUserAsync("grace@example.org", roles: Roles.Moderator);
        _fixture.Clock.Advance(TimeSpan.FromMinutes(1));
        var linus = await _fixture.Portal.CreateUserAsync("linus@example.org");
        _fixture.Clock.Advance(TimeSpan.FromMinutes(1));
        await _fixture.Portal.CreateUserAsync("margaret@example.org");
        await _fixture.Portal.Get<UserAdmin>().DeactivateAsync(_ada, linus.Id);
        using var client = _fixture.Client(_token);

        var deactivated = await client.GetFromJsonAsync<JsonElement>("/api/v1/users?status=deactivated");
        var moderators = await client.GetFromJsonAsync<JsonElement>("/api/v1/users?role=moderator");
        var searched = await client.GetFromJsonAsync<JsonElement>("/api/v1/users?search=GRACE%40");
        var activeAdmins = await client.GetFromJsonAsync<JsonElement>("/api/v1/users?status=Active&role=Admin&search=ada");
        var none = await client.GetFromJsonAsync<JsonElement>("/api/v1/users?status=awaitingApproval");
        var page = await client.GetFromJsonAsync<JsonElement>("/api/v1/users?page=2&pageSize=3");

        Assert.Equal([linus.Id], Ids(deactivated));
        Assert.Equal([grace.Id], Ids(moderators));
        Assert.Equal([grace.Id], Ids(searched));
        Assert.Equal([_adaUser.Id], Ids(activeAdmins));
        Assert.Equal(0, none.GetProperty("total").GetInt32());
        Assert.Empty(Ids(none));
        Assert.Equal((4, 2, 3), (page.GetProperty("total").GetInt32(), page.GetProperty("page").GetInt32(), page.GetProperty("pageSize").GetInt32()));
        // Newest first, as on the page: the second page of three holds the oldest account, ada's.
        Assert.Equal([_adaUser.Id], Ids(page));
    }

    [Fact]
    public async Task One_user_reads_as_in_the_list()
    {
        var grace = await _fixture.Portal.CreateUserAsync("grace@example.org", roles: [Roles.Moderator, Roles.Admin]);
        await _fixture.Portal.Get<UserAdmin>().DeactivateAsync(_ada, grace.Id);
        using var client = _fixture.Client(_token);

        var response = await client.GetAsync($"/api/v1/users/{grace.Id}");
        var list = await client.GetFromJsonAsync<JsonElement>("/api/v1/users?role=moderator");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var user = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((grace.UserName, "grace@example.org", "Deactivated", false), Shown(user));
        Assert.Equal([Roles.Admin, Roles.Moderator], RolesOf(user).Order());
        Assert.Equal(Assert.Single(list.GetProperty("items").EnumerateArray()).GetRawText(), user.GetRawText());
    }

    [Fact]
    public async Task An_unknown_user_is_a_404_problem()
    {
        using var client = _fixture.Client(_token);

        await ApiPortal.ProblemAsync(await client.GetAsync($"/api/v1/users/{Guid.CreateVersion7()}"), HttpStatusCode.NotFound, ApiProblems.NotFound);
        await ApiPortal.ProblemAsync(await client.GetAsync("/api/v1/users/nobody"), HttpStatusCode.NotFound, ApiProblems.NotFound);
    }

    [Theory]
    [InlineData("pageSize=201", "pageSize")]
    [InlineData("pageSize=0", "pageSize")]
    [InlineData("page=0", "page")]
    [InlineData("status=lost", "status")]
    [InlineData("status=99", "status")]
    [InlineData("role=Owner", "role")]
    public async Task A_bad_filter_is_a_400_naming_it(string query, string field)
    {
        using var client = _fixture.Client(_token);

        var problem = await ApiPortal.ProblemAsync(await client.GetAsync($"/api/v1/users?{query}"), HttpStatusCode.BadRequest, ApiProblems.InvalidField);

        Assert.Equal(field, problem.GetProperty("field").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task No_password_stamp_key_code_or_token_of_an_account_is_in_the_answers()
    {
        var grace = await _fixture.Portal.CreateUserAsync("grace@example.org", roles: Roles.Moderator);
        await using (var scope = _fixture.Portal.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
            var user = (await users.FindByIdAsync(grace.Id))!;
            await users.ResetAuthenticatorKeyAsync(user);
            await users.GenerateNewTwoFactorRecoveryCodesAsync(user, 10);
            await users.SetPhoneNumberAsync(user, "+49 170 1234567");
        }
        await using (var db = await _fixture.Portal.DbAsync())
        {
            var now = _fixture.Clock.Now.UtcDateTime;
            db.ActivationKeys.Add(new ActivationKey { UserId = grace.Id, KeyHash = "activation-key-hash-of-grace", CreatedAt = now, ExpiresAt = now.AddDays(7) });
            db.MemberProfiles.Add(new MemberProfile { UserId = grace.Id, Iban = "DE89370400440532013000", Street = "Hauptstraße 1", City = "Kassel", UpdatedAt = now });
            await db.SaveChangesAsync();
        }
        var otherToken = await _fixture.TokenAsync(_ada, "Backup");
        using var client = _fixture.Client(_token);

        var json = await client.GetStringAsync("/api/v1/users") + await client.GetStringAsync($"/api/v1/users/{grace.Id}");

        await using var check = await _fixture.Portal.DbAsync();
        var stored = await check.Users.AsNoTracking().Where(u => u.Id == grace.Id || u.Id == _adaUser.Id).ToListAsync();
        var userTokens = await check.UserTokens.AsNoTracking().Where(t => t.UserId == grace.Id).ToListAsync();
        Assert.Equal(["AuthenticatorKey", "RecoveryCodes"], userTokens.Select(t => t.Name).Order());
        var secrets = stored.SelectMany(u => new[] { u.PasswordHash, u.SecurityStamp, u.ConcurrencyStamp })
            .Append(stored.Single(u => u.Id == grace.Id).PhoneNumber)
            .Concat(userTokens.Select(t => t.Value))
            .Concat(await check.ActivationKeys.Select(k => k.KeyHash).ToListAsync())
            .Concat(await check.ApiTokens.Select(t => t.TokenHash).ToListAsync())
            .Concat([_token, otherToken, "DE89370400440532013000", "Hauptstraße"])
            .Select(s => Assert.IsType<string>(s))
            .ToList();
        Assert.Contains(grace.Id, json);
        Assert.All(secrets, secret => Assert.DoesNotContain(secret, json));
        Assert.All(secrets.SelectMany(s => s.Split(';')).Where(s => s.Length >= 8), part => Assert.DoesNotContain(part, json));
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Without_an_accepted_token_every_endpoint_answers_401(string method, string path, string scope)
    {
        _ = scope;
        await _fixture.AssertUnacceptedTokensRefusedAsync(_ada, () => Request(method, path), async valid => Assert.Equal(HttpStatusCode.OK, (await valid.SendAsync(Request(method, path))).StatusCode));
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task A_token_without_the_scope_is_a_403(string method, string path, string scope)
    {
        var other = await _fixture.TokenAsync(_ada, "Narrow", [.. ApiScopes.All.Where(s => s != scope)]);
        using var client = _fixture.Client(other);

        var response = await client.SendAsync(Request(method, path));

        var problem = await ApiPortal.ProblemAsync(response, HttpStatusCode.Forbidden, ApiProblems.InsufficientScope);
        Assert.DoesNotContain("@example.org", problem.GetRawText());
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task The_token_of_an_admin_who_lost_the_role_is_a_401(string method, string path, string scope)
    {
        _ = scope;
        await using (var db = await _fixture.Portal.DbAsync())
        {
            await db.UserRoles.Where(r => r.UserId == _ada.UserId).ExecuteDeleteAsync();
        }
        using var client = _fixture.Client(_token);

        await ApiPortal.ProblemAsync(await client.SendAsync(Request(method, path)), HttpStatusCode.Unauthorized, ApiProblems.TokenOwnerWithoutRights);
        Assert.Single(await _fixture.Portal.AuditAsync(AuditActions.AccessRefused));
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Another_admins_token_acts_as_that_admin(string method, string path, string scope)
    {
        _ = scope;
        var (_, bob) = await _fixture.AdminAsync("bob");
        var bobToken = await _fixture.TokenAsync(bob, "Bob's script");
        using var client = _fixture.Client(bobToken);

        var response = await client.SendAsync(Request(method, path));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(_adaUser.Id, await response.Content.ReadAsStringAsync());
        await using var db = await _fixture.Portal.DbAsync();
        Assert.Equal(bob.UserId, await db.ApiTokens.Where(t => t.LastUsedAt != null).Select(t => t.UserId).SingleAsync());
        // A read leaves nothing in the audit log under anyone's name, ada's least.
        Assert.False(await db.AuditEntries.AnyAsync(e => e.ActorId == _ada.UserId && e.Action != AuditActions.ApiTokenCreated));
    }

    private HttpRequestMessage Request(string method, string path) => new(new HttpMethod(method), path.Replace("{id}", _adaUser.Id));

    private static (string?, string?, string?, bool) Shown(JsonElement user) =>
        (user.GetProperty("userName").GetString(), user.GetProperty("email").GetString(), user.GetProperty("status").GetString(), user.GetProperty("lockedOut").GetBoolean());

    private static IEnumerable<string> RolesOf(JsonElement user) => user.GetProperty("roles").EnumerateArray().Select(r => r.GetString()!);

    private static IEnumerable<string> Ids(JsonElement list) => list.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()!);
}
