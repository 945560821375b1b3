using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Features.Confirmations;
using Portal.Features.Registration;
using Portal.Identity;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Features.Confirmations;

public sealed class ReviewInboxTests : IAsyncLifetime
{
    private readonly ConfirmationsPortal _fixture = new();

    private ReviewInbox Inbox => _fixture.Portal.Get<ReviewInbox>();

    private DateTime Now => _fixture.Clock.Now.UtcDateTime;

    [Fact]
    public async Task Changes_and_sign_ups_wait_in_one_list_oldest_first_with_counts_per_kind_and_filters()
    {
        var (_, member) = await _fixture.PersonAsync("ada@example.org");
        var (_, moderator) = await _fixture.PersonAsync("mod@example.org", Roles.Moderator);
        var (_, signUp) = await _fixture.Portal.SeedSignUpAsync("newcomer@example.net", createdAt: Now.AddDays(-3));
        var change = (await _fixture.RequestAsync(member, "profile")).ChangeId!.Value;
        _fixture.Clock.Advance(TimeSpan.FromDays(1));

        var inbox = await Inbox.ListAsync(moderator, new InboxFilter());

        Assert.Equal([(InboxSource.SignUp, signUp.Id), (InboxSource.Change, change)], inbox.Items.Select(i => (i.Source, i.Id)));
        Assert.Equal([new InboxKindCount("profile", "Display name", 1), new InboxKindCount(ReviewInbox.SignUpKind, "Sign-up", 1)], inbox.Counts);
        Assert.Equal(2, inbox.Total);
        Assert.Equal(new InboxWaiting(SignUps: 1, Changes: 1), await Inbox.WaitingAsync(moderator));
        Assert.Contains("newcomer@example.net", inbox.Items[0].Requester);

        var signUpsOnly = await Inbox.ListAsync(moderator, new InboxFilter(Kind: ReviewInbox.SignUpKind));
        Assert.Equal(signUp.Id, Assert.Single(signUpsOnly.Items).Id);
        Assert.Equal(2, signUpsOnly.Total);
        Assert.Equal(signUp.Id, Assert.Single((await Inbox.ListAsync(moderator, new InboxFilter(OlderThan: TimeSpan.FromDays(2)))).Items).Id);
        Assert.Equal(change, Assert.Single((await Inbox.ListAsync(moderator, new InboxFilter(Requester: member.Name))).Items).Id);
        Assert.Equal(change, (await Inbox.ListAsync(moderator, new InboxFilter(NewestFirst: true))).Items[0].Id);
    }

    [Fact]
    public async Task A_page_of_the_merged_inbox_is_cut_in_order_from_both_sources_and_the_counts_are_of_everything_waiting()
    {
        var (_, moderator) = await _fixture.PersonAsync("pager@example.org", Roles.Moderator);
        var changes = new List<long>();
        var signUps = new List<long>();
        // A change on days 0, 2 and 4, a sign-up on days 1 and 3.
        for (var day = 0; day < 5; day++)
        {
            if (day % 2 == 0)
            {
                var (_, member) = await _fixture.PersonAsync($"member{day}@example.org");
                changes.Add((await _fixture.RequestAsync(member, "profile")).ChangeId!.Value);
            }
            else
            {
                signUps.Add((await _fixture.Portal.SeedSignUpAsync($"applicant{day}@example.net")).SignUp.Id);
            }
            _fixture.Clock.Advance(TimeSpan.FromDays(1));
        }

        var second = await Inbox.ListAsync(moderator, new InboxFilter(), new PageRequest(Skip: 1, Take: 2));
        Assert.Equal([(InboxSource.SignUp, signUps[0]), (InboxSource.Change, changes[1])], second.Items.Select(i => (i.Source, i.Id)));
        Assert.Equal(5, second.Matching);
        Assert.Equal([new InboxKindCount("profile", "Display name", 3), new InboxKindCount(ReviewInbox.SignUpKind, "Sign-up", 2)], second.Counts);

        var newest = await Inbox.ListAsync(moderator, new InboxFilter(NewestFirst: true), new PageRequest(Skip: 0, Take: 2));
        Assert.Equal([(InboxSource.Change, changes[2]), (InboxSource.SignUp, signUps[1])], newest.Items.Select(i => (i.Source, i.Id)));

        var lastChange = await Inbox.ListAsync(moderator, new InboxFilter(Kind: "profile"), new PageRequest(Skip: 2, Take: 2));
        Assert.Equal(changes[2], Assert.Single(lastChange.Items).Id);
        Assert.Equal(3, lastChange.Matching);
        Assert.Equal(5, lastChange.Total);

        var olderThanTwoDays = await Inbox.ListAsync(moderator, new InboxFilter(OlderThan: TimeSpan.FromDays(2.5)), new PageRequest(Skip: 0, Take: 10));
        Assert.Equal([changes[0], signUps[0], changes[1]], olderThanTwoDays.Items.Select(i => i.Id));
        Assert.Equal([new InboxKindCount("profile", "Display name", 2), new InboxKindCount(ReviewInbox.SignUpKind, "Sign-up", 1)], olderThanTwoDays.Counts);

        // Paging reaches the first items of a long queue; the counts say how many there are in all.
        Assert.Equal(PageRequest.MaxTake, ReviewInbox.Reachable(PageRequest.MaxTake + 1));
        Assert.Equal(3, ReviewInbox.Reachable(3));
    }

    [Fact]
    public async Task Approving_selected_applies_the_change_and_activates_the_sign_up_each_audited()
    {
        var (user, member) = await _fixture.PersonAsync("ada@example.org");
        var (_, moderator) = await _fixture.PersonAsync("mod@example.org", Roles.Moderator);
        var (applicant, signUp) = await _fixture.Portal.SeedSignUpAsync("newcomer@example.net", createdAt: Now);
        var change = (await _fixture.RequestAsync(member, "profile")).ChangeId!.Value;
        var decided = 0;
        Inbox.Decided += () => decided++;

        var decisions = await Inbox.ApproveAsync(moderator, (await Inbox.ListAsync(moderator, new InboxFilter())).Items);

        Assert.All(decisions, d => Assert.True(d.Done, d.Message));
        Assert.Equal(2, decisions.Count);
        Assert.Equal("Ada L.", (await _fixture.ValuesAsync("profile", user.Id))!["DisplayName"]);
        Assert.Equal(AccountStatus.Active, (await _fixture.UserAsync(applicant.Id)).Status);
        Assert.Equal(1, await _fixture.AuditCountAsync("change.applied", change));
        await using (var db = await _fixture.Portal.DbAsync())
        {
            var id = signUp.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(1, await db.AuditEntries.CountAsync(e => e.Action == "registration.approved" && e.TargetId == id && e.ActorName == moderator.Name));
        }
        Assert.Equal(0, (await Inbox.WaitingAsync(moderator)).Total);
        Assert.Equal(1, decided);
    }

    [Fact]
    public async Task Rejecting_selected_needs_a_reason_and_the_member_sees_it()
    {
        var (_, member) = await _fixture.PersonAsync("ada@example.org");
        var (_, moderator) = await _fixture.PersonAsync("mod@example.org", Roles.Moderator);
        var (_, signUp) = await _fixture.Portal.SeedSignUpAsync("newcomer@example.net", createdAt: Now);
        var change = (await _fixture.RequestAsync(member, "profile")).ChangeId!.Value;
        var items = (await Inbox.ListAsync(moderator, new InboxFilter())).Items;

        await Assert.ThrowsAsync<ArgumentException>(() => Inbox.RejectAsync(moderator, items, "  "));
        Assert.Equal(2, (await Inbox.WaitingAsync(moderator)).Total);

        var decisions = await Inbox.RejectAsync(moderator, items, "Names must be your own.");

        Assert.All(decisions, d => Assert.True(d.Done, d.Message));
        var mine = Assert.Single(await _fixture.Requests.MineAsync(member), c => c.Id == change);
        Assert.Equal((ChangeStatus.Rejected, "Names must be your own."), (mine.Status, mine.Reason));
        await using var db = await _fixture.Portal.DbAsync();
        var application = await db.SignUps.SingleAsync(s => s.Id == signUp.Id);
        Assert.Equal((SignUpStatus.Rejected, "Names must be your own."), (application.Status, application.Reason));
    }

    [Fact]
    public async Task A_moderator_cannot_decide_their_own_request_from_the_inbox_and_is_told_why()
    {
        var (_, moderator) = await _fixture.PersonAsync("mod@example.org", Roles.Moderator);
        var change = (await _fixture.RequestAsync(moderator, "profile")).ChangeId!.Value;
        var item = Assert.Single((await Inbox.ListAsync(moderator, new InboxFilter())).Items);

        var decision = Assert.Single(await Inbox.ApproveAsync(moderator, [item]));

        Assert.False(decision.Done);
        Assert.Contains("cannot decide on your own change", decision.Message);
        Assert.Equal(ChangeStatus.Pending, (await _fixture.RowAsync(change)).Status);
    }

    [Fact]
    public async Task An_approval_from_a_stale_listing_is_refused_as_changed()
    {
        var (_, member) = await _fixture.PersonAsync("ada@example.org");
        var (_, moderator) = await _fixture.PersonAsync("mod@example.org", Roles.Moderator);
        var change = (await _fixture.RequestAsync(member, "profile")).ChangeId!.Value;
        var item = Assert.Single((await Inbox.ListAsync(moderator, new InboxFilter())).Items);

        var decision = Assert.Single(await Inbox.ApproveAsync(moderator, [item with { Version = item.Version + 1 }]));

        Assert.False(decision.Done);
        Assert.Contains("updated since you opened it", decision.Message);
        Assert.Equal(ChangeStatus.Pending, (await _fixture.RowAsync(change)).Status);
    }

    [Fact]
    public async Task Members_cannot_list_count_or_decide_through_the_inbox()
    {
        var (_, member) = await _fixture.PersonAsync("ada@example.org");
        var (_, other) = await _fixture.PersonAsync("bob@example.org");
        var change = (await _fixture.RequestAsync(member, "profile")).ChangeId!.Value;
        var item = new InboxItem(InboxSource.Change, change, "profile", "Display name", member.Name, Now, false, 0, 1, null, null, 0);

        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => Inbox.ListAsync(other, new InboxFilter()));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => Inbox.WaitingAsync(other));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => Inbox.ApproveAsync(other, [item]));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => Inbox.RejectAsync(other, [item], "no"));
        Assert.Equal(ChangeStatus.Pending, (await _fixture.RowAsync(change)).Status);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _fixture.DisposeAsync();
}
