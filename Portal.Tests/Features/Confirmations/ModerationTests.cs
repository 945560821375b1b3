using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Features.Confirmations;
using Portal.Identity;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Features.Confirmations;

public class ModerationTests : IAsyncLifetime
{
    private readonly DatabaseProvider _database;
    private readonly ConfirmationsPortal _fixture;

    public ModerationTests() : this(DatabaseProvider.Sqlite)
    {
    }

    protected ModerationTests(DatabaseProvider database)
    {
        _database = database;
        _fixture = new(database: database);
    }

    private ChangeRequests Requests => _fixture.Requests;

    private ChangeModeration Moderation => _fixture.Moderation;

    private ChangeLifecycle Lifecycle => _fixture.Lifecycle;

    private async Task<ChangeDetail> ReviewAsync(Actor moderator, long id) => (await Moderation.ReviewAsync(moderator, id))!;

    [DatabaseFact]
    public async Task A_display_name_waits_in_the_queue_with_its_diff_and_a_moderator_applies_it()
    {
        var (user, member) = await _fixture.PersonAsync("ada@example.org");
        var (_, moderator) = await _fixture.PersonAsync("mod@example.org", Roles.Moderator);

        var requested = await _fixture.RequestAsync(member, "profile");
        var id = requested.ChangeId!.Value;

        Assert.Contains("A moderator will look at your change", requested.Message);
        Assert.Null((await _fixture.RowAsync(id)).SecretHash);
        var row = Assert.Single((await Moderation.ReviewQueueAsync(moderator, new ReviewFilter(), new PageRequest())).Items);
        Assert.Equal((id, "Display name", member.Name, false), (row.Id, row.Title, row.RequestedByName, row.TargetChanged));
        Assert.Equal(1, await Moderation.ReviewCountAsync(moderator));
        var detail = await ReviewAsync(moderator, id);
        Assert.Equal(new FieldDiff("DisplayName", "Display name", null, "Ada L.", null), Assert.Single(detail.Fields));

        var result = await Moderation.ApproveAsync(moderator, id, detail.Change.Version);

        Assert.Equal(ChangeOutcome.Applied, result.Outcome);
        Assert.Equal("Ada L.", (await _fixture.ValuesAsync("profile", user.Id))!["DisplayName"]);
        var applied = await _fixture.RowAsync(id);
        Assert.Equal((ChangeStatus.Applied, moderator.UserId, 1), (applied.Status, applied.DecidedById, applied.ApprovalsGiven));
        Assert.Empty((await Moderation.ReviewQueueAsync(moderator, new ReviewFilter(), new PageRequest())).Items);
        Assert.Equal(1, await _fixture.AuditCountAsync("change.applied", id));
    }

    [DatabaseFact]
    public async Task Nobody_decides_on_their_own_request()
    {
        var (_, moderatorMember) = await _fixture.PersonAsync("mod@example.org", Roles.Moderator);
        var id = (await _fixture.RequestAsync(moderatorMember, "profile")).ChangeId!.Value;
        var version = (await ReviewAsync(moderatorMember, id)).Change.Version;

        var approve = await Moderation.ApproveAsync(moderatorMember, id, version);
        var reject = await Moderation.RejectAsync(moderatorMember, id, "no");

        Assert.Equal((ChangeOutcome.NotAllowed, ChangeOutcome.NotAllowed), (approve.Outcome, reject.Outcome));
        Assert.Equal(ChangeStatus.Pending, (await _fixture.RowAsync(id)).Status);
    }

    [DatabaseFact]
    public async Task Members_cannot_see_the_queue_nor_approve_nor_reject_through_the_service()
    {
        var (_, member) = await _fixture.PersonAsync("ada@example.org");
        var (_, other) = await _fixture.PersonAsync("bob@example.org");
        var id = (await _fixture.RequestAsync(member, "profile")).ChangeId!.Value;

        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => Moderation.ReviewQueueAsync(other, new ReviewFilter(), new PageRequest()));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => Moderation.ReviewAsync(other, id));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => Moderation.ClaimAsync(other, id));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => Moderation.ApproveAsync(other, id, 0));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => Moderation.RejectAsync(other, id, "no"));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => Moderation.ApproveManyAsync(other, [(id, 0)]));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => Moderation.RejectManyAsync(other, [id], "no"));
        Assert.Equal(ChangeStatus.Pending, (await _fixture.RowAsync(id)).Status);
    }

    [DatabaseFact]
    public async Task An_approval_of_an_older_version_is_refused()
    {
        var (_, member) = await _fixture.PersonAsync("ada@example.org");
        var (_, moderator) = await _fixture.PersonAsync("mod@example.org", Roles.Moderator);
        var id = (await _fixture.RequestAsync(member, "profile")).ChangeId!.Value;
        var shown = (await ReviewAsync(moderator, id)).Change.Version;
        await using (var db = await _fixture.Portal.DbAsync())
        {
            await db.DeferredChanges.Where(c => c.Id == id).ExecuteUpdateAsync(s => s.SetProperty(c => c.Version, c => c.Version + 1));
        }

        var result = await Moderation.ApproveAsync(moderator, id, shown);

        Assert.Equal(ChangeOutcome.VersionChanged, result.Outcome);
        Assert.Equal(ChangeStatus.Pending, (await _fixture.RowAsync(id)).Status);
    }

    [DatabaseFact]
    public async Task A_claimed_change_is_shown_as_claimed_and_others_cannot_decide_until_the_claim_lapses()
    {
        var (_, member) = await _fixture.PersonAsync("ada@example.org");
        var (_, first) = await _fixture.PersonAsync("mod1@example.org", Roles.Moderator);
        var (_, second) = await _fixture.PersonAsync("mod2@example.org", Roles.Moderator);
        var id = (await _fixture.RequestAsync(member, "profile")).ChangeId!.Value;

        Assert.Equal(ChangeOutcome.Claimed, (await Moderation.ClaimAsync(first, id)).Outcome);
        var seen = await Moderation.ClaimAsync(second, id);
        var row = Assert.Single((await Moderation.ReviewQueueAsync(second, new ReviewFilter(), new PageRequest())).Items);
        var blocked = await Moderation.ApproveAsync(second, id, row.Version);

        Assert.Equal(ChangeOutcome.ClaimedByOther, seen.Outcome);
        Assert.Contains(first.Name, seen.Message);
        Assert.Equal(first.Name, row.ClaimedByName);
        Assert.Equal(ChangeOutcome.ClaimedByOther, blocked.Outcome);
        _fixture.Clock.Advance(TimeSpan.FromMinutes(11));
        Assert.Equal(ChangeOutcome.Applied, (await Moderation.ApproveAsync(second, id, row.Version)).Outcome);
    }

    [DatabaseFact]
    public async Task A_rejection_needs_a_reason_which_is_mailed_to_the_member()
    {
        var (user, member) = await _fixture.PersonAsync("ada@example.org");
        var (_, moderator) = await _fixture.PersonAsync("mod@example.org", Roles.Moderator);
        var id = (await _fixture.RequestAsync(member, "profile")).ChangeId!.Value;

        var empty = await Moderation.RejectAsync(moderator, id, "  ");
        var tooLong = await Moderation.RejectAsync(moderator, id, new string('x', RegistrationLimits.ReasonLength + 1));
        var result = await Moderation.RejectAsync(moderator, id, Moderation.RejectionReasons[0]);

        Assert.Equal(ChangeOutcome.Invalid, empty.Outcome);
        // Refused, not cut short: the member would be told half a sentence.
        Assert.Equal(ChangeOutcome.Invalid, tooLong.Outcome);
        Assert.Contains("1000 characters", tooLong.Errors!["Reason"]);
        Assert.Equal(ChangeOutcome.Rejected, result.Outcome);
        var row = await _fixture.RowAsync(id);
        Assert.Equal((ChangeStatus.Rejected, Moderation.RejectionReasons[0], moderator.Name), (row.Status, row.Reason, row.DecidedByName));
        var mail = await _fixture.Portal.Mail.DeliveredAsync("ada@example.org", "was not approved");
        Assert.Contains(Moderation.RejectionReasons[0], mail.Text);
        Assert.Contains("Display name", mail.Text);
        Assert.Equal(Moderation.RejectionReasons[0], Assert.Single(await Requests.MineAsync(member)).Reason);
        Assert.Null((await _fixture.ValuesAsync("profile", user.Id))!["DisplayName"]);
        Assert.Equal(1, await _fixture.AuditCountAsync("change.rejected", id));
    }

    [DatabaseFact]
    public async Task A_rejection_is_mailed_in_the_members_language_whatever_the_moderators()
    {
        var (user, member) = await _fixture.PersonAsync("greta@example.org");
        await using (var db = await _fixture.Portal.DbAsync())
        {
            await db.Users.Where(u => u.Id == user.Id).ExecuteUpdateAsync(s => s.SetProperty(u => u.Language, "de"));
        }
        var (_, moderator) = await _fixture.PersonAsync("mod@example.org", Roles.Moderator);
        var id = (await _fixture.RequestAsync(member, "profile")).ChangeId!.Value;
        CultureInfo.CurrentUICulture = CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("en-GB");

        Assert.Equal(ChangeOutcome.Rejected, (await Moderation.RejectAsync(moderator, id, "Bitte ohne Sonderzeichen.")).Outcome);

        var mail = await _fixture.Portal.Mail.DeliveredAsync("greta@example.org", "Ihre Änderung bei Portal wurde nicht freigegeben");
        Assert.Matches(@"\bProfil\b", mail.Text);
        Assert.DoesNotContain("Profile", mail.Text);
        Assert.Contains("Bitte ohne Sonderzeichen.", mail.Text);
    }

    [DatabaseFact]
    public async Task Bulk_approval_and_rejection_decide_each_row_and_report_each_outcome()
    {
        var (_, ada) = await _fixture.PersonAsync("ada@example.org");
        var (_, bob) = await _fixture.PersonAsync("bob@example.org");
        var (_, cy) = await _fixture.PersonAsync("cy@example.org");
        var (_, moderator) = await _fixture.PersonAsync("mod@example.org", Roles.Moderator);
        var a = (await _fixture.RequestAsync(ada, "profile")).ChangeId!.Value;
        var b = (await _fixture.RequestAsync(bob, "profile")).ChangeId!.Value;
        var c = (await _fixture.RequestAsync(cy, "profile")).ChangeId!.Value;
        var rows = (await Moderation.ReviewQueueAsync(moderator, new ReviewFilter(), new PageRequest())).Items;

        var approved = await Moderation.ApproveManyAsync(moderator, [.. rows.Where(r => r.Id != c).Select(r => (r.Id, r.Version))]);
        var rejected = await Moderation.RejectManyAsync(moderator, [a, c], "Not allowed.");

        Assert.Equal([a, b, c], rows.Select(r => r.Id));
        Assert.All(approved, r => Assert.Equal(ChangeOutcome.Applied, r.Outcome));
        Assert.Equal([ChangeOutcome.NotPending, ChangeOutcome.Rejected], rejected.Select(r => r.Outcome));
        Assert.Equal((ChangeStatus.Applied, ChangeStatus.Applied, ChangeStatus.Rejected),
            ((await _fixture.RowAsync(a)).Status, (await _fixture.RowAsync(b)).Status, (await _fixture.RowAsync(c)).Status));
    }

    [DatabaseFact]
    public async Task The_queue_filters_by_kind_age_and_requester_and_lists_the_oldest_first()
    {
        var (_, ada) = await _fixture.PersonAsync("ada@example.org");
        var (_, bob) = await _fixture.PersonAsync("bob@example.org");
        var (_, moderator) = await _fixture.PersonAsync("mod@example.org", Roles.Moderator);
        var old = (await _fixture.RequestAsync(ada, "profile")).ChangeId!.Value;
        _fixture.Clock.Advance(TimeSpan.FromDays(2));
        var fresh = (await _fixture.RequestAsync(bob, "profile")).ChangeId!.Value;
        await _fixture.RequestAsync(bob, "phone");

        async Task<IEnumerable<long>> Ids(ReviewFilter filter) => (await Moderation.ReviewQueueAsync(moderator, filter, new PageRequest())).Items.Select(r => r.Id);

        Assert.Equal([old, fresh], await Ids(new ReviewFilter()));
        Assert.Equal([old], await Ids(new ReviewFilter(OlderThan: TimeSpan.FromDays(1))));
        Assert.Equal([fresh], await Ids(new ReviewFilter(Requester: bob.Name[..4])));
        Assert.Empty(await Ids(new ReviewFilter(Kind: "phone")));
    }

    [DatabaseFact]
    public async Task A_record_changed_after_the_request_is_not_applied_blindly_the_moderator_sees_now_and_decides_again()
    {
        var (user, member) = await _fixture.PersonAsync("ada@example.org");
        var (_, moderator) = await _fixture.PersonAsync("mod@example.org", Roles.Moderator);
        var id = (await _fixture.RequestAsync(member, "profile")).ChangeId!.Value;
        var shown = (await ReviewAsync(moderator, id)).Change.Version;
        await _fixture.EditDirectlyAsync("profile", user.Id, ConfirmationsPortal.Proposal("profile", variant: 1));

        var first = await Moderation.ApproveAsync(moderator, id, shown);
        var detail = await ReviewAsync(moderator, id);
        var second = await Moderation.ApproveAsync(moderator, id, detail.Change.Version);

        Assert.Equal(ChangeOutcome.AwaitingModerator, first.Outcome);
        Assert.Equal(new FieldDiff("DisplayName", "Display name", null, "Ada L.", "Countess Ada"), Assert.Single(detail.Fields));
        Assert.True(detail.Change.TargetChanged);
        Assert.Equal(ChangeOutcome.Applied, second.Outcome);
        Assert.Equal("Ada L.", (await _fixture.ValuesAsync("profile", user.Id))!["DisplayName"]);
    }

    [DatabaseFact]
    public async Task A_record_that_moves_again_after_the_moderator_looked_is_shown_again_before_it_is_applied()
    {
        var (user, member) = await _fixture.PersonAsync("ada@example.org");
        var (_, moderator) = await _fixture.PersonAsync("mod@example.org", Roles.Moderator);
        var id = (await _fixture.RequestAsync(member, "profile")).ChangeId!.Value;
        await _fixture.EditDirectlyAsync("profile", user.Id, ConfirmationsPortal.Proposal("profile", variant: 1));
        Assert.Equal(ChangeOutcome.AwaitingModerator, (await Moderation.ApproveAsync(moderator, id, (await ReviewAsync(moderator, id)).Change.Version)).Outcome);
        var looked = await ReviewAsync(moderator, id);

        // The record moves again while the moderator reads the diff.
        await _fixture.EditDirectlyAsync("profile", user.Id, new Dictionary<string, string?> { ["DisplayName"] = "Lady Lovelace" });
        var stale = await Moderation.ApproveAsync(moderator, id, looked.Change.Version);
        var again = await ReviewAsync(moderator, id);

        Assert.Equal(ChangeOutcome.VersionChanged, stale.Outcome);
        Assert.Equal("Lady Lovelace", (await _fixture.ValuesAsync("profile", user.Id))!["DisplayName"]);
        Assert.Equal("Lady Lovelace", Assert.Single(again.Fields).Now);
        Assert.NotEqual(looked.Change.Version, again.Change.Version);
        Assert.Equal(ChangeOutcome.Applied, (await Moderation.ApproveAsync(moderator, id, again.Change.Version)).Outcome);
        Assert.Equal("Ada L.", (await _fixture.ValuesAsync("profile", user.Id))!["DisplayName"]);
    }

    [DatabaseFact]
    public async Task A_moderator_who_opens_a_moved_record_after_it_moved_again_decides_on_what_they_see()
    {
        var (user, member) = await _fixture.PersonAsync("ada@example.org");
        var (_, moderator) = await _fixture.PersonAsync("mod@example.org", Roles.Moderator);
        var id = (await _fixture.RequestAsync(member, "profile")).ChangeId!.Value;
        await _fixture.EditDirectlyAsync("profile", user.Id, ConfirmationsPortal.Proposal("profile", variant: 1));
        await Moderation.ApproveAsync(moderator, id, (await ReviewAsync(moderator, id)).Change.Version);
        await _fixture.EditDirectlyAsync("profile", user.Id, new Dictionary<string, string?> { ["DisplayName"] = "Lady Lovelace" });

        var detail = await ReviewAsync(moderator, id);

        Assert.Equal("Lady Lovelace", Assert.Single(detail.Fields).Now);
        Assert.Equal(ChangeOutcome.Applied, (await Moderation.ApproveAsync(moderator, id, detail.Change.Version)).Outcome);
    }

    [DatabaseFact]
    public async Task The_detail_shows_the_records_earlier_changes()
    {
        var (_, member) = await _fixture.PersonAsync("ada@example.org");
        var (_, moderator) = await _fixture.PersonAsync("mod@example.org", Roles.Moderator);
        var first = (await _fixture.RequestAsync(member, "phone")).ChangeId!.Value;
        var id = (await _fixture.RequestAsync(member, "profile")).ChangeId!.Value;

        var detail = await ReviewAsync(moderator, id);

        Assert.Equal((member.UserId, false), (detail.RequestedById, detail.TargetGone));
        Assert.Equal(first, Assert.Single(detail.History).Id);
    }

    [DatabaseFact]
    public async Task The_sites_own_profile_fields_are_changed_with_the_display_name_checked_and_may_be_left_empty()
    {
        await using var fixture = new ConfirmationsPortal(portal =>
        {
            portal.Settings["Confirmations:ProfileFields:0:Name"] = "Pronouns";
            portal.Settings["Confirmations:ProfileFields:0:Label"] = "Pronouns";
            portal.Settings["Confirmations:ProfileFields:0:MaxLength"] = "20";
            portal.Settings["Confirmations:ProfileFields:1:Name"] = "Organisation";
            portal.Settings["Confirmations:ProfileFields:1:Label"] = "Organisation";
        }, database: _database);
        var (user, member) = await fixture.PersonAsync("ada@example.org");
        var (_, moderator) = await fixture.PersonAsync("mod@example.org", Roles.Moderator);
        var kind = fixture.Lifecycle.Kind("profile");

        var tooLong = await fixture.Requests.RequestAsync(member, "profile", user.Id,
            new Dictionary<string, string?> { ["DisplayName"] = "Ada", ["Pronouns"] = new string('x', 21) });
        var id = (await fixture.Requests.RequestAsync(member, "profile", user.Id,
            new Dictionary<string, string?> { ["DisplayName"] = "Ada", ["Pronouns"] = " she/her ", ["Organisation"] = "" })).ChangeId!.Value;
        var detail = (await fixture.Moderation.ReviewAsync(moderator, id))!;
        var applied = await fixture.Moderation.ApproveAsync(moderator, id, detail.Change.Version);

        Assert.Equal("Profile", kind.Title);
        Assert.Equal(["DisplayName", "Pronouns", "Organisation"], kind.Fields.Select(f => f.Name));
        Assert.Equal(ChangeOutcome.Invalid, tooLong.Outcome);
        Assert.Contains("longer than 20", tooLong.Errors!["Pronouns"]);
        Assert.Equal(new string?[] { "Ada", "she/her", null }, detail.Fields.Select(f => f.Proposed));
        Assert.Equal(ChangeOutcome.Applied, applied.Outcome);
        var values = (await fixture.ValuesAsync("profile", user.Id))!;
        Assert.Equal(("Ada", "she/her", null), (values["DisplayName"], values["Pronouns"], values["Organisation"]));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _fixture.DisposeAsync();
}

public sealed class ModerationOnPostgresTests() : ModerationTests(DatabaseProvider.Postgres), IPostgresVariant;

public sealed class TwoApprovalTests : IAsyncLifetime
{
    private readonly ConfirmationsPortal _fixture = new(portal => portal.Settings["Confirmations:Profile:RequiredApprovals"] = "2");

    [Fact]
    public async Task A_kind_configured_for_two_approvals_applies_only_after_a_second_different_moderator()
    {
        var (user, member) = await _fixture.PersonAsync("ada@example.org");
        var (_, first) = await _fixture.PersonAsync("mod1@example.org", Roles.Moderator);
        var (_, second) = await _fixture.PersonAsync("mod2@example.org", Roles.Admin);
        var moderation = _fixture.Moderation;
        var id = (await _fixture.RequestAsync(member, "profile")).ChangeId!.Value;

        var one = await moderation.ApproveAsync(first, id, (await moderation.ReviewAsync(first, id))!.Change.Version);
        var again = await moderation.ApproveAsync(first, id, (await moderation.ReviewAsync(first, id))!.Change.Version);
        Assert.Null((await _fixture.ValuesAsync("profile", user.Id))!["DisplayName"]);
        var row = (await moderation.ReviewAsync(second, id))!.Change;
        var two = await moderation.ApproveAsync(second, id, row.Version);

        Assert.Equal((ChangeOutcome.Approved, ChangeOutcome.NotAllowed, ChangeOutcome.Applied), (one.Outcome, again.Outcome, two.Outcome));
        Assert.Equal((1, 2, first.Name), (row.ApprovalsGiven, row.ApprovalsNeeded, row.FirstApproverName));
        Assert.Equal("Ada L.", (await _fixture.ValuesAsync("profile", user.Id))!["DisplayName"]);
        Assert.Equal(2, (await _fixture.RowAsync(id)).ApprovalsGiven);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _fixture.DisposeAsync();
}
