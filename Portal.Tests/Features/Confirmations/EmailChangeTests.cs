using System.Net;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Features.Confirmations;
using Portal.Tests.TestInfrastructure;
using Portal.Email.Mails.Confirmations;

namespace Portal.Tests.Features.Confirmations;

public sealed class EmailChangeTests : IAsyncLifetime
{
    private readonly ConfirmationsPortal _fixture = new();

    private ChangeRequests Requests => _fixture.Requests;

    private Task<string> ConfirmTokenAsync(string recipient) =>
        _fixture.TokenAsync(recipient, nameof(EmailChangeMail), ChangeRequests.ConfirmLinkPath);

    private Task<string> CancelTokenAsync(string recipient) =>
        _fixture.TokenAsync(recipient, nameof(EmailChangeNoticeMail), ChangeRequests.CancelLinkPath);

    [Fact]
    public async Task The_current_password_is_required_and_checked_before_anything_is_stored()
    {
        var (user, member) = await _fixture.PersonAsync("ada@example.org");

        var missing = await Requests.RequestAsync(member, "email", user.Id, ConfirmationsPortal.Proposal("email"), currentPassword: null);
        var wrong = await Requests.RequestAsync(member, "email", user.Id, ConfirmationsPortal.Proposal("email"), currentPassword: "not my password at all");

        Assert.Equal((ChangeOutcome.Invalid, ChangeOutcome.Invalid), (missing.Outcome, wrong.Outcome));
        Assert.Equal("That is not your current password.", wrong.Errors!["CurrentPassword"]);
        await using var db = await _fixture.Portal.DbAsync();
        Assert.False(await db.DeferredChanges.AnyAsync());
        Assert.False(await db.OutboxMessages.AnyAsync());
    }

    [Fact]
    public async Task A_request_mails_a_link_to_the_new_address_and_a_cancel_link_to_the_old_one()
    {
        var (user, member) = await _fixture.PersonAsync("ada@example.org");

        var result = await _fixture.RequestAsync(member, "email");

        Assert.StartsWith("We sent a link to new0@example.net. Open it within 24 hours", result.Message);
        var toNew = await _fixture.Portal.Mail.DeliveredAsync("new0@example.net", "Confirm your new address");
        var link = toNew.LinkContaining(ChangeRequests.ConfirmLinkPath);
        Assert.StartsWith("https://portal.test/account/changes/confirm/", link);
        Assert.Contains("valid for 24 hours", toNew.Text);
        var toOld = await _fixture.Portal.Mail.DeliveredAsync("ada@example.org", "about to change");
        Assert.StartsWith("https://portal.test/account/changes/cancel/", toOld.LinkContaining(ChangeRequests.CancelLinkPath));
        Assert.Contains("n•••@example.net", toOld.Text);
        Assert.DoesNotContain("new0@example.net", toOld.Text);
        Assert.Equal("ada@example.org", (await _fixture.UserAsync(user.Id)).Email);
    }

    [Fact]
    public async Task Opening_the_link_shows_the_change_and_changes_nothing()
    {
        var (user, member) = await _fixture.PersonAsync("ada@example.org");
        var id = (await _fixture.RequestAsync(member, "email")).ChangeId!.Value;
        var token = await ConfirmTokenAsync("new0@example.net");
        var before = await _fixture.RowAsync(id);

        var opened = await Requests.OpenLinkAsync(token);
        await Requests.OpenLinkAsync(token);

        Assert.Null(opened.Problem);
        Assert.Equal((id, "new0@example.net", "ada@example.org"), (opened.Change!.Id, opened.Change.Fields[0].Proposed, opened.Change.Fields[0].Before));
        var after = await _fixture.RowAsync(id);
        Assert.Equal((before.Version, ChangeStatus.Pending), (after.Version, after.Status));
        Assert.Equal(user.SecurityStamp, (await _fixture.UserAsync(user.Id)).SecurityStamp);
    }

    [Fact]
    public async Task Confirming_the_link_changes_the_address_confirms_it_and_rotates_the_security_stamp()
    {
        var (user, member) = await _fixture.PersonAsync("ada@example.org");
        var phone = (await _fixture.RequestAsync(member, "phone")).ChangeId!.Value;
        var id = (await _fixture.RequestAsync(member, "email")).ChangeId!.Value;
        await using (var db = await _fixture.Portal.DbAsync())
        {
            await db.Users.Where(u => u.Id == user.Id).ExecuteUpdateAsync(s => s.SetProperty(u => u.EmailConfirmed, false));
        }

        var result = await Requests.ConfirmLinkAsync(await ConfirmTokenAsync("new0@example.net"));

        Assert.Equal(ChangeOutcome.Applied, result.Outcome);
        var after = await _fixture.UserAsync(user.Id);
        Assert.Equal(("new0@example.net", "NEW0@EXAMPLE.NET", true, user.UserName), (after.Email, after.NormalizedEmail, after.EmailConfirmed, after.UserName));
        Assert.NotEqual(user.SecurityStamp, after.SecurityStamp);
        var phoneRow = await _fixture.RowAsync(phone);
        Assert.Equal((ChangeStatus.Cancelled, "Cancelled because the account's email address changed."), (phoneRow.Status, phoneRow.Reason));
        Assert.Equal(ChangeOutcome.NotPending, (await Requests.ConfirmLinkAsync(await ConfirmTokenAsync("new0@example.net"))).Outcome);
    }

    [Fact]
    public async Task Confirming_a_new_address_withdraws_the_letters_transfers_and_text_codes_of_the_changes_it_cancels()
    {
        var (_, member) = await _fixture.PersonAsync("ada@example.org");
        var phone = (await _fixture.RequestAsync(member, "phone")).ChangeId!.Value;
        var phoneCode = await _fixture.CodeAsync(phone);
        await _fixture.RequestAsync(member, "postal-address");
        await _fixture.RequestAsync(member, "bank-account");
        await _fixture.RequestAsync(member, "email");

        Assert.Equal(ChangeOutcome.Applied, (await Requests.ConfirmLinkAsync(await ConfirmTokenAsync("new0@example.net"))).Outcome);

        await using var db = await _fixture.Portal.DbAsync();
        Assert.Empty(await db.Letters.ToListAsync());
        Assert.Empty(await db.BankTransfers.ToListAsync());
        Assert.DoesNotContain(phoneCode, (await db.SmsMessages.SingleAsync(m => m.ChangeId == phone)).Body);
    }

    [Fact]
    public async Task A_user_name_that_was_the_address_follows_it()
    {
        var (user, member) = await _fixture.PersonAsync("ada@example.org");
        await using (var db = await _fixture.Portal.DbAsync())
        {
            await db.Users.Where(u => u.Id == user.Id).ExecuteUpdateAsync(s => s.SetProperty(u => u.UserName, "ada@example.org").SetProperty(u => u.NormalizedUserName, "ADA@EXAMPLE.ORG"));
        }
        await _fixture.RequestAsync(member, "email");

        await Requests.ConfirmLinkAsync(await ConfirmTokenAsync("new0@example.net"));

        var after = await _fixture.UserAsync(user.Id);
        Assert.Equal(("new0@example.net", "NEW0@EXAMPLE.NET"), (after.UserName, after.NormalizedUserName));
    }

    [Fact]
    public async Task The_old_address_cancel_link_cancels_the_change_and_the_confirm_link_dies()
    {
        var (user, member) = await _fixture.PersonAsync("ada@example.org");
        var id = (await _fixture.RequestAsync(member, "email")).ChangeId!.Value;
        var cancel = await CancelTokenAsync("ada@example.org");

        var opened = await Requests.OpenCancelLinkAsync(cancel);
        Assert.Equal(ChangeStatus.Pending, (await _fixture.RowAsync(id)).Status);
        var result = await Requests.CancelByLinkAsync(cancel);
        var confirm = await Requests.ConfirmLinkAsync(await ConfirmTokenAsync("new0@example.net"));

        Assert.Equal(id, opened.Change!.Id);
        Assert.Equal(ChangeOutcome.Cancelled, result.Outcome);
        Assert.Equal(ChangeOutcome.NotPending, confirm.Outcome);
        Assert.Equal("ada@example.org", (await _fixture.UserAsync(user.Id)).Email);
        Assert.Equal(1, await _fixture.AuditCountAsync("change.cancelled", id));
    }

    [Fact]
    public async Task The_link_works_one_second_before_expiry_and_not_one_second_after()
    {
        var (_, member) = await _fixture.PersonAsync("ada@example.org");
        var (_, other) = await _fixture.PersonAsync("bob@example.org");
        var early = (await _fixture.RequestAsync(member, "email")).ChangeId!.Value;
        var earlyToken = await ConfirmTokenAsync("new0@example.net");
        var late = (await _fixture.RequestAsync(other, "email", variant: 1)).ChangeId!.Value;
        var lateToken = await ConfirmTokenAsync("new1@example.net");

        _fixture.Clock.Advance(TimeSpan.FromHours(24) - TimeSpan.FromSeconds(1));
        Assert.Equal(ChangeOutcome.Applied, (await Requests.ConfirmLinkAsync(earlyToken)).Outcome);
        _fixture.Clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(ChangeOutcome.Expired, (await Requests.ConfirmLinkAsync(lateToken)).Outcome);
        Assert.Equal(ChangeOutcome.Expired, (await Requests.OpenLinkAsync(lateToken)).Problem);
        Assert.Equal((ChangeStatus.Applied, ChangeStatus.Pending), ((await _fixture.RowAsync(early)).Status, (await _fixture.RowAsync(late)).Status));
    }

    [Fact]
    public async Task Two_concurrent_confirmations_apply_once_and_announce_it_once()
    {
        var (_, member) = await _fixture.PersonAsync("ada@example.org");
        var id = (await _fixture.RequestAsync(member, "email")).ChangeId!.Value;
        var token = await ConfirmTokenAsync("new0@example.net");

        _fixture.MakeConfirmationsMeet();
        var results = await Task.WhenAll(Task.Run(() => Requests.ConfirmLinkAsync(token)), Task.Run(() => Requests.ConfirmLinkAsync(token)));

        Assert.Equal([ChangeOutcome.NotPending, ChangeOutcome.Applied], results.Select(r => r.Outcome).Order());
        Assert.Equal(1, await _fixture.AuditCountAsync("change.applied", id));
    }

    [Fact]
    public async Task An_address_changed_meanwhile_refuses_the_change()
    {
        var (user, member) = await _fixture.PersonAsync("ada@example.org");
        var id = (await _fixture.RequestAsync(member, "email")).ChangeId!.Value;
        await using (var db = await _fixture.Portal.DbAsync())
        {
            await db.Users.Where(u => u.Id == user.Id).ExecuteUpdateAsync(s => s.SetProperty(u => u.Email, "other@example.org").SetProperty(u => u.NormalizedEmail, "OTHER@EXAMPLE.ORG"));
        }

        var result = await Requests.ConfirmLinkAsync(await ConfirmTokenAsync("new0@example.net"));

        Assert.Equal(ChangeOutcome.Failed, result.Outcome);
        Assert.Contains("changed after this request", result.Message);
        Assert.Equal(ChangeStatus.Failed, (await _fixture.RowAsync(id)).Status);
        Assert.Equal("other@example.org", (await _fixture.UserAsync(user.Id)).Email);
    }

    [Fact]
    public async Task An_address_taken_meanwhile_fails_on_apply_and_one_already_taken_is_refused_at_once()
    {
        var (_, member) = await _fixture.PersonAsync("ada@example.org");
        await _fixture.PersonAsync("taken@example.org");
        var id = (await _fixture.RequestAsync(member, "email")).ChangeId!.Value;
        await _fixture.PersonAsync("new0@example.net");

        var taken = await Requests.RequestAsync(member, "email", member.UserId!, new Dictionary<string, string?> { ["Email"] = "Taken@Example.org" }, TestPortal.DefaultPassword);
        var result = await Requests.ConfirmLinkAsync(await ConfirmTokenAsync("new0@example.net"));

        Assert.Equal("Another account has that address.", taken.Errors!["Email"]);
        Assert.Equal(ChangeOutcome.Failed, result.Outcome);
        Assert.Equal(ChangeStatus.Failed, (await _fixture.RowAsync(id)).Status);
    }

    [Fact]
    public async Task A_deleted_account_fails_the_change_without_a_crash()
    {
        var (user, member) = await _fixture.PersonAsync("ada@example.org");
        var id = (await _fixture.RequestAsync(member, "email")).ChangeId!.Value;
        await using (var db = await _fixture.Portal.DbAsync())
        {
            await db.Users.Where(u => u.Id == user.Id).ExecuteDeleteAsync();
        }

        var result = await Requests.ConfirmLinkAsync(await ConfirmTokenAsync("new0@example.net"));

        Assert.Equal(ChangeOutcome.Failed, result.Outcome);
        Assert.Equal("The record no longer exists.", (await _fixture.RowAsync(id)).Reason);
    }

    [Fact]
    public async Task A_second_request_kills_the_first_link()
    {
        var (user, member) = await _fixture.PersonAsync("ada@example.org");
        await _fixture.RequestAsync(member, "email");
        var first = await ConfirmTokenAsync("new0@example.net");
        await _fixture.RequestAsync(member, "email", variant: 1);

        var result = await Requests.ConfirmLinkAsync(first);

        Assert.Equal(ChangeOutcome.NotPending, result.Outcome);
        Assert.Equal("ada@example.org", (await _fixture.UserAsync(user.Id)).Email);
        Assert.Equal(ChangeOutcome.Applied, (await Requests.ConfirmLinkAsync(await ConfirmTokenAsync("new1@example.net"))).Outcome);
    }

    [Fact]
    public async Task Malformed_and_unknown_links_are_not_found()
    {
        Assert.Equal(ChangeOutcome.NotFound, (await Requests.OpenLinkAsync("short")).Problem);
        Assert.Equal(ChangeOutcome.NotFound, (await Requests.ConfirmLinkAsync(Portal.Identity.Secrets.NewToken().Token)).Outcome);
        Assert.Equal(ChangeOutcome.NotFound, (await Requests.CancelByLinkAsync(Portal.Identity.Secrets.NewToken().Token)).Outcome);
    }

    [Fact]
    public async Task For_seven_days_the_old_address_can_undo_an_applied_change_which_signs_the_account_out_everywhere()
    {
        var (user, member) = await _fixture.PersonAsync("ada@example.org");
        await _fixture.RequestAsync(member, "email");
        Assert.Equal(ChangeOutcome.Applied, (await Requests.ConfirmLinkAsync(await ConfirmTokenAsync("new0@example.net"))).Outcome);
        var notice = await _fixture.Portal.Mail.DeliveredAsync("ada@example.org", "address was changed");
        Assert.Contains("n•••@example.net", notice.Text);
        Assert.DoesNotContain("new0@example.net", notice.Text);
        Assert.Contains("within 7 days", notice.Text);
        var path = new Uri(notice.LinkContaining(EmailChangeReverts.LinkPath)).AbsolutePath;
        // Whoever moved the account signs in with the new address.
        var taker = _fixture.Portal.CreateBrowserlikeClient();
        using (var signIn = await taker.SignInAsync("new0@example.net", TestPortal.DefaultPassword))
        {
            Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        }
        _fixture.Clock.Advance(TimeSpan.FromDays(7) - TimeSpan.FromMinutes(5));
        using (var before = await taker.GetAsync("/account/profile"))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        var owner = _fixture.Portal.CreateBrowserlikeClient();
        var shown = await owner.GetPageAsync(path);
        Assert.Contains("changed from ada@example.org to n•••@example.net", shown.QuerySelector("main")!.TextContent);
        Assert.Equal("new0@example.net", (await _fixture.UserAsync(user.Id)).Email);
        using var undone = await owner.SubmitFormAsync(path, new Dictionary<string, string>());

        Assert.Equal("The change is undone", (await Forms.ParseAsync(undone)).QuerySelector("h1")!.TextContent);
        var after = await _fixture.UserAsync(user.Id);
        Assert.Equal(("ada@example.org", user.UserName, true), (after.Email, after.UserName, after.EmailConfirmed));
        var change = await _fixture.RowAsync((await _fixture.Requests.MineAsync(member)).Single().Id);
        Assert.Equal((ChangeStatus.Reverted, "Undone from the old address."), (change.Status, change.Reason));
        Assert.Equal(1, await _fixture.AuditCountAsync("change.reverted", change.Id));
        // The stamp changed: at its next check, every session of the account ends.
        _fixture.Clock.Advance(TimeSpan.FromMinutes(2));
        using var profile = await taker.GetAsync("/account/profile");
        Assert.Equal(HttpStatusCode.Redirect, profile.StatusCode);
        Assert.StartsWith("/Identity/Account/Login", new Uri(new Uri("https://portal.test/"), profile.Headers.Location!).AbsolutePath);
        Assert.Contains("undone already", (await owner.GetPageAsync(path)).QuerySelector("main")!.TextContent);
    }

    [Fact]
    public async Task An_undo_link_past_its_window_says_so_and_changes_nothing()
    {
        var (user, member) = await _fixture.PersonAsync("ada@example.org");
        await _fixture.RequestAsync(member, "email");
        await Requests.ConfirmLinkAsync(await ConfirmTokenAsync("new0@example.net"));
        var path = new Uri((await _fixture.Portal.Mail.DeliveredAsync("ada@example.org", "address was changed")).LinkContaining(EmailChangeReverts.LinkPath)).AbsolutePath;
        _fixture.Clock.Advance(TimeSpan.FromDays(7) + TimeSpan.FromSeconds(1));

        var owner = _fixture.Portal.CreateBrowserlikeClient();
        var page = await owner.GetPageAsync(path);
        var pressed = await _fixture.Portal.Get<EmailChangeReverts>().RevertAsync(path.Split('/')[^1]);

        Assert.Equal("This link has run out", page.QuerySelector("h1")!.TextContent);
        Assert.Null(page.QuerySelector("main form"));
        Assert.Equal(ChangeOutcome.Expired, pressed.Outcome);
        Assert.Equal("new0@example.net", (await _fixture.UserAsync(user.Id)).Email);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _fixture.DisposeAsync();
}
