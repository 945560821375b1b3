using Portal.Data;
using Portal.Features.Audit;
using Portal.Identity;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Features.Audit;

public sealed class AuditLogTests : IAsyncLifetime
{
    private readonly TestPortal _portal = new();
    private static readonly Actor Admin = new("admin-id", "root-admin", new HashSet<string> { Roles.Admin });
    private static readonly Actor Moderator = new("mod-id", "mod", new HashSet<string> { Roles.Moderator });

    private AuditLog Log => _portal.Get<AuditLog>();

    public async Task InitializeAsync()
    {
        await using var db = await _portal.DbAsync();
        for (var i = 0; i < 30; i++)
        {
            Log.Record(db, Admin, i % 3 == 0 ? "user.deactivated" : "user.role-granted",
                new AuditTarget("user", $"u{i}", $"person{i}@example.org"), $"detail {i}");
        }
        Log.Record(db, Actor.System, "user.admin-created", new AuditTarget("user", "x", "first@example.org"), "from the command line");
        await db.SaveChangesAsync();
    }

    [Fact]
    public async Task Entries_come_newest_first_in_pages_with_the_total()
    {
        var first = await Log.SearchAsync(Admin, new AuditQuery(), new PageRequest(0, 10));
        var second = await Log.SearchAsync(Admin, new AuditQuery(), new PageRequest(10, 10));

        Assert.Equal(31, first.Total);
        Assert.Equal(10, first.Items.Count);
        Assert.Equal("user.admin-created", first.Items[0].Action);
        Assert.Equal("system", first.Items[0].ActorName);
        Assert.Null(first.Items[0].ActorId);
        Assert.Empty(first.Items.Select(i => i.Id).Intersect(second.Items.Select(i => i.Id)));
    }

    [Fact]
    public async Task Entries_filter_by_action_text_and_time()
    {
        var deactivations = await Log.SearchAsync(Admin, new AuditQuery(Action: "user.deactivated"), new PageRequest());
        var byTarget = await Log.SearchAsync(Admin, new AuditQuery(Search: "person7@"), new PageRequest());
        var byDetail = await Log.SearchAsync(Admin, new AuditQuery(Search: "command line"), new PageRequest());
        var future = await Log.SearchAsync(Admin, new AuditQuery(From: DateTime.UtcNow.AddDays(1)), new PageRequest());
        var wildcard = await Log.SearchAsync(Admin, new AuditQuery(Search: "%"), new PageRequest());

        Assert.Equal(10, deactivations.Total);
        Assert.All(deactivations.Items, e => Assert.Equal("user.deactivated", e.Action));
        Assert.Equal("person7@example.org", Assert.Single(byTarget.Items).TargetName);
        Assert.Equal("first@example.org", Assert.Single(byDetail.Items).TargetName);
        Assert.Equal(0, future.Total);
        Assert.Equal(0, wildcard.Total);
    }

    [Fact]
    public async Task Sorting_uses_only_offered_columns()
    {
        var byActor = await Log.SearchAsync(Admin, new AuditQuery(), new PageRequest(0, 50, "ActorName"));
        var unknown = await Log.SearchAsync(Admin, new AuditQuery(), new PageRequest(0, 50, "Details; DROP TABLE"));

        Assert.Equal("root-admin", byActor.Items[0].ActorName);
        Assert.Equal("user.admin-created", unknown.Items[0].Action);
    }

    [Fact]
    public async Task Only_admins_read_the_log()
    {
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => Log.SearchAsync(Moderator, new AuditQuery(), new PageRequest()));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => Log.ActionsAsync(Actor.FromPrincipal(new())));
    }

    [Fact]
    public async Task The_action_list_holds_each_action_once()
    {
        var actions = await Log.ActionsAsync(Admin);

        Assert.Equal(["user.admin-created", "user.deactivated", "user.role-granted"], actions);
    }

    public Task DisposeAsync() => _portal.DisposeAsync().AsTask();
}
