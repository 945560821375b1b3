using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Features.Confirmations;
using Portal.Identity;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Features.Confirmations;

/// <summary>The kinds confirmed by a code: phone (text message), postal address (letter), bank account (transfer reference).</summary>
public class CodeChangesTests : IAsyncLifetime
{
    private readonly ConfirmationsPortal _fixture;

    public CodeChangesTests() : this(DatabaseProvider.Sqlite)
    {
    }

    protected CodeChangesTests(DatabaseProvider database)
    {
        _fixture = new(database: database);
    }

    private ChangeRequests Requests => _fixture.Requests;

    private ChangeModeration Moderation => _fixture.Moderation;

    private ChangeLifecycle Lifecycle => _fixture.Lifecycle;

    public static TheoryData<string> CodeKinds => ["phone", "postal-address", "bank-account"];

    [DatabaseFact]
    public async Task Phone_request_texts_a_code_to_the_new_number_and_stores_only_its_hash()
    {
        var (user, member) = await _fixture.PersonAsync("ada@example.org");

        var result = await _fixture.RequestAsync(member, "phone");

        Assert.Equal("We sent a code to +49 *** **89. Enter it within 10 minutes.", result.Message);
        var row = await _fixture.RowAsync(result.ChangeId!.Value);
        Assert.Equal((ChangeStatus.Pending, ChangeChannel.Sms, user.Id, 0, 5), (row.Status, row.Channel, row.TargetId, row.Attempts, row.MaxAttempts));
        Assert.Equal(_fixture.Clock.Now.UtcDateTime.AddMinutes(10), row.ExpiresAt);
        Assert.Equal("+4915123456789", System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(row.ProposedJson)!["PhoneNumber"]);
        await using var db = await _fixture.Portal.DbAsync();
        var sms = await db.SmsMessages.SingleAsync();
        Assert.Equal("+4915123456789", sms.To);
        var code = await _fixture.CodeAsync(row.Id);
        Assert.Matches("^[0-9]{6}$", code);
        Assert.DoesNotContain(code, row.SecretHash);
        Assert.Equal(1, await _fixture.AuditCountAsync("change.requested", row.Id));
        Assert.Null((await _fixture.UserAsync(user.Id)).PhoneNumber);
    }

    [DatabaseFact]
    public async Task Letter_goes_to_the_new_address_with_an_eight_character_code_from_the_unambiguous_alphabet()
    {
        var (user, member) = await _fixture.PersonAsync("ada@example.org");

        var result = await _fixture.RequestAsync(member, "postal-address");

        await using var db = await _fixture.Portal.DbAsync();
        var letter = await db.Letters.SingleAsync();
        Assert.Equal((result.ChangeId, user.Id), (letter.ChangeId, letter.UserId));
        Assert.Equal($"{user.UserName}\nHauptstraße 5\n10115 Berlin\nDE", letter.AddressBlock);
        Assert.Matches("^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{8}$", letter.Code);
        Assert.Contains("letter with a code to Berlin", result.Message);
    }

    [DatabaseFact]
    public async Task Bank_change_lists_a_small_transfer_whose_reference_is_the_code()
    {
        var (_, member) = await _fixture.PersonAsync("ada@example.org");

        var result = await _fixture.RequestAsync(member, "bank-account");

        await using var db = await _fixture.Portal.DbAsync();
        var transfer = await db.BankTransfers.SingleAsync();
        Assert.Equal(("DE89370400440532013000", "Ada Lovelace", result.ChangeId), (transfer.Iban, transfer.Holder, (long?)transfer.ChangeId));
        Assert.InRange(transfer.AmountCents, 1, 99);
        Assert.Matches("^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{8}$", transfer.Reference);
        Assert.Equal("DE89 •••• 3000", (await _fixture.RowAsync(result.ChangeId!.Value)).Destination);
    }

    [DatabaseTheory]
    [MemberData(nameof(CodeKinds))]
    public async Task The_right_code_applies_the_change(string kind)
    {
        var (user, member) = await _fixture.PersonAsync("ada@example.org");
        var id = (await _fixture.RequestAsync(member, kind)).ChangeId!.Value;

        var result = await Requests.ConfirmWithCodeAsync(member, id, (await _fixture.CodeAsync(id)).ToLowerInvariant());

        Assert.Equal(ChangeOutcome.Applied, result.Outcome);
        var values = (await _fixture.ValuesAsync(kind, user.Id))!;
        var expected = (await Lifecycle.Kind(kind).ValidateAsync(await _fixture.Portal.DbAsync(), user.Id, ConfirmationsPortal.Proposal(kind), default)).Values;
        Assert.Equal(expected, values);
        Assert.Equal(ChangeStatus.Applied, (await _fixture.RowAsync(id)).Status);
        Assert.Equal(1, await _fixture.AuditCountAsync("change.applied", id));
    }

    [DatabaseTheory]
    [MemberData(nameof(CodeKinds))]
    public async Task Wrong_codes_say_how_many_tries_remain_and_the_fifth_kills_the_code(string kind)
    {
        var (user, member) = await _fixture.PersonAsync("ada@example.org");
        var id = (await _fixture.RequestAsync(member, kind)).ChangeId!.Value;
        var code = await _fixture.CodeAsync(id);

        var left = new List<int?>();
        ChangeResult? fourth = null;
        for (var i = 0; i < 4; i++)
        {
            fourth = await Requests.ConfirmWithCodeAsync(member, id, ConfirmationsPortal.WrongCode(code));
            Assert.Equal(ChangeOutcome.WrongCode, fourth.Outcome);
            left.Add(fourth.TriesLeft);
        }
        var fifth = await Requests.ConfirmWithCodeAsync(member, id, ConfirmationsPortal.WrongCode(code));
        var rightTooLate = await Requests.ConfirmWithCodeAsync(member, id, code);

        Assert.Equal([4, 3, 2, 1], left);
        Assert.Equal("That code is not right. 1 try left.", fourth!.Message);
        Assert.Equal((ChangeOutcome.CodeDead, 0), (fifth.Outcome, fifth.TriesLeft));
        Assert.Equal(ChangeOutcome.CodeDead, rightTooLate.Outcome);
        var row = await _fixture.RowAsync(id);
        Assert.Equal((ChangeStatus.Failed, "Too many wrong codes.", 5), (row.Status, row.Reason, row.Attempts));
        Assert.Equal(ConfirmationsPortal.Proposal(kind).Keys.ToDictionary(k => k, _ => (string?)null), await _fixture.ValuesAsync(kind, user.Id));
        Assert.Equal(0, await _fixture.AuditCountAsync("change.applied", id));
    }

    [DatabaseTheory]
    [MemberData(nameof(CodeKinds))]
    public async Task The_code_works_one_second_before_expiry(string kind)
    {
        var (_, member) = await _fixture.PersonAsync("ada@example.org");
        var id = (await _fixture.RequestAsync(member, kind)).ChangeId!.Value;
        _fixture.Clock.Now = new DateTimeOffset((await _fixture.RowAsync(id)).ExpiresAt.AddSeconds(-1), TimeSpan.Zero);

        Assert.Equal(ChangeOutcome.Applied, (await Requests.ConfirmWithCodeAsync(member, id, await _fixture.CodeAsync(id))).Outcome);
    }

    [DatabaseTheory]
    [MemberData(nameof(CodeKinds))]
    public async Task The_code_is_expired_one_second_after_expiry_and_the_job_marks_it(string kind)
    {
        var (user, member) = await _fixture.PersonAsync("ada@example.org");
        var id = (await _fixture.RequestAsync(member, kind)).ChangeId!.Value;
        var code = await _fixture.CodeAsync(id);
        _fixture.Clock.Now = new DateTimeOffset((await _fixture.RowAsync(id)).ExpiresAt.AddSeconds(1), TimeSpan.Zero);

        var result = await Requests.ConfirmWithCodeAsync(member, id, code);
        var expired = await Lifecycle.ExpireAsync();

        Assert.Equal(ChangeOutcome.Expired, result.Outcome);
        Assert.Equal(1, expired);
        Assert.Equal(ChangeStatus.Expired, (await _fixture.RowAsync(id)).Status);
        Assert.Equal(ChangeStatus.Expired, Assert.Single(await Requests.MineAsync(member)).Status);
        Assert.Null((await _fixture.ValuesAsync(kind, user.Id))!.Values.First());
    }

    [DatabaseTheory]
    [MemberData(nameof(CodeKinds))]
    public async Task Two_concurrent_confirmations_apply_the_change_once_and_announce_it_once(string kind)
    {
        var (_, member) = await _fixture.PersonAsync("ada@example.org");
        var id = (await _fixture.RequestAsync(member, kind)).ChangeId!.Value;
        var code = await _fixture.CodeAsync(id);

        _fixture.MakeConfirmationsMeet();
        var results = await Task.WhenAll(
            Task.Run(() => Requests.ConfirmWithCodeAsync(member, id, code)),
            Task.Run(() => Requests.ConfirmWithCodeAsync(member, id, code)));

        Assert.Equal([ChangeOutcome.NotPending, ChangeOutcome.Applied], results.Select(r => r.Outcome).Order());
        Assert.Equal(1, await _fixture.AuditCountAsync("change.applied", id));
    }

    [DatabaseTheory]
    [MemberData(nameof(CodeKinds))]
    public async Task A_record_changed_meanwhile_goes_to_the_moderators_with_then_now_and_proposed(string kind)
    {
        var (user, member) = await _fixture.PersonAsync("ada@example.org");
        var (_, moderator) = await _fixture.PersonAsync("mod@example.org", Roles.Moderator);
        var id = (await _fixture.RequestAsync(member, kind)).ChangeId!.Value;
        await _fixture.EditDirectlyAsync(kind, user.Id, ConfirmationsPortal.Proposal(kind, variant: 1));

        var result = await Requests.ConfirmWithCodeAsync(member, id, await _fixture.CodeAsync(id));

        Assert.Equal(ChangeOutcome.AwaitingModerator, result.Outcome);
        var row = await _fixture.RowAsync(id);
        Assert.Equal((ChangeStatus.Confirmed, true), (row.Status, row.TargetChanged));
        var queued = Assert.Single((await Moderation.ReviewQueueAsync(moderator, new ReviewFilter(), new PageRequest())).Items);
        Assert.Equal((id, true), (queued.Id, queued.TargetChanged));
        var detail = (await Moderation.ReviewAsync(moderator, id))!;
        var field = detail.Fields[0];
        var expectedNow = (await _fixture.ValuesAsync(kind, user.Id))![field.Name];
        Assert.Equal((null, expectedNow), (field.Before, field.Now));
        Assert.True(field.ChangedSince);
        Assert.NotEqual(field.Now, field.Proposed);

        var approved = await Moderation.ApproveAsync(moderator, id, detail.Change.Version);
        Assert.Equal(ChangeOutcome.Applied, approved.Outcome);
        Assert.Equal(field.Proposed, (await _fixture.ValuesAsync(kind, user.Id))![field.Name]);
    }

    [DatabaseTheory]
    [MemberData(nameof(CodeKinds))]
    public async Task A_record_deleted_meanwhile_fails_the_change_without_a_crash(string kind)
    {
        var (user, member) = await _fixture.PersonAsync("ada@example.org");
        var id = (await _fixture.RequestAsync(member, kind)).ChangeId!.Value;
        var code = await _fixture.CodeAsync(id);
        await using (var db = await _fixture.Portal.DbAsync())
        {
            await db.Users.Where(u => u.Id == user.Id).ExecuteDeleteAsync();
        }

        var result = await Requests.ConfirmWithCodeAsync(member, id, code);

        Assert.Equal(ChangeOutcome.Failed, result.Outcome);
        var row = await _fixture.RowAsync(id);
        Assert.Equal((ChangeStatus.Failed, "The record no longer exists."), (row.Status, row.Reason));
        Assert.Equal(0, await _fixture.AuditCountAsync("change.applied", id));
    }

    [DatabaseTheory]
    [MemberData(nameof(CodeKinds))]
    public async Task A_new_request_cancels_the_earlier_one_and_its_code_no_longer_works(string kind)
    {
        var (user, member) = await _fixture.PersonAsync("ada@example.org");
        var first = (await _fixture.RequestAsync(member, kind)).ChangeId!.Value;
        var firstCode = await _fixture.CodeAsync(first);
        var second = (await _fixture.RequestAsync(member, kind, variant: 1)).ChangeId!.Value;

        var result = await Requests.ConfirmWithCodeAsync(member, first, firstCode);

        Assert.Equal(ChangeOutcome.NotPending, result.Outcome);
        Assert.Contains("newer request replaced", result.Message);
        Assert.Equal((ChangeStatus.Cancelled, "Replaced by a newer request."), ((await _fixture.RowAsync(first)).Status, (await _fixture.RowAsync(first)).Reason));
        Assert.Equal(ChangeStatus.Pending, (await _fixture.RowAsync(second)).Status);
        Assert.Null((await _fixture.ValuesAsync(kind, user.Id))!.Values.First());
    }

    [DatabaseFact]
    public async Task Resending_issues_a_new_code_and_the_old_one_dies()
    {
        var (_, member) = await _fixture.PersonAsync("ada@example.org");
        var id = (await _fixture.RequestAsync(member, "postal-address")).ChangeId!.Value;
        var oldCode = await _fixture.CodeAsync(id);
        _fixture.Clock.Advance(TimeSpan.FromMinutes(1));

        var resent = await Requests.ResendAsync(member, id);
        var newCode = await _fixture.CodeAsync(id);

        Assert.Equal(ChangeOutcome.Requested, resent.Outcome);
        Assert.NotEqual(oldCode, newCode);
        await using (var db = await _fixture.Portal.DbAsync())
        {
            Assert.Single(await db.Letters.ToListAsync());
        }
        Assert.Equal(ChangeOutcome.WrongCode, (await Requests.ConfirmWithCodeAsync(member, id, oldCode)).Outcome);
        Assert.Equal(ChangeOutcome.Applied, (await Requests.ConfirmWithCodeAsync(member, id, newCode)).Outcome);
    }

    [DatabaseFact]
    public async Task Resends_wait_a_minute_per_change_and_five_an_hour_per_kind_and_say_when_to_ask_again()
    {
        var (_, member) = await _fixture.PersonAsync("ada@example.org");
        var id = (await _fixture.RequestAsync(member, "phone")).ChangeId!.Value;
        var tooSoon = await Requests.ResendAsync(member, id);
        Assert.Equal((ChangeOutcome.TooManyRequests, TimeSpan.FromMinutes(1)), (tooSoon.Outcome, tooSoon.RetryAfter));
        for (var i = 0; i < 4; i++)
        {
            _fixture.Clock.Advance(TimeSpan.FromMinutes(1));
            Assert.Equal(ChangeOutcome.Requested, (await Requests.ResendAsync(member, id)).Outcome);
        }
        _fixture.Clock.Advance(TimeSpan.FromMinutes(1));

        // Five sends of the kind in the hour: the next is possible when the first of them is an hour old.
        var sixth = await Requests.ResendAsync(member, id);
        Assert.Equal((ChangeOutcome.TooManyRequests, TimeSpan.FromMinutes(55)), (sixth.Outcome, sixth.RetryAfter));
        Assert.Contains($"You can ask again at {_fixture.Clock.Now.UtcDateTime.AddMinutes(55):HH:mm} UTC, in 55 minutes.", sixth.Message);
        Assert.Equal(ChangeOutcome.TooManyRequests, (await Requests.RequestAsync(member, "phone", member.UserId!, ConfirmationsPortal.Proposal("phone", 1))).Outcome);
        Assert.Equal(ChangeOutcome.Requested, (await Requests.RequestAsync(member, "postal-address", member.UserId!, ConfirmationsPortal.Proposal("postal-address"))).Outcome);
        _fixture.Clock.Advance(TimeSpan.FromMinutes(55));
        Assert.Equal(ChangeOutcome.Requested, (await Requests.RequestAsync(member, "phone", member.UserId!, ConfirmationsPortal.Proposal("phone", 1))).Outcome);
    }

    [DatabaseFact]
    public async Task Invalid_input_and_a_change_to_the_same_value_store_nothing()
    {
        var (user, member) = await _fixture.PersonAsync("ada@example.org");

        var invalid = await Requests.RequestAsync(member, "bank-account", user.Id, new Dictionary<string, string?> { ["Iban"] = "DE89370400440532013001", ["AccountHolder"] = "" });
        var id = (await _fixture.RequestAsync(member, "phone")).ChangeId!.Value;
        await Requests.ConfirmWithCodeAsync(member, id, await _fixture.CodeAsync(id));
        var same = await Requests.RequestAsync(member, "phone", user.Id, new Dictionary<string, string?> { ["PhoneNumber"] = "0049 151 23456789" });

        Assert.Equal(ChangeOutcome.Invalid, invalid.Outcome);
        Assert.Equal(["AccountHolder", "Iban"], invalid.Errors!.Keys.Order());
        Assert.Equal(ChangeOutcome.Unchanged, same.Outcome);
        await using var db = await _fixture.Portal.DbAsync();
        Assert.Equal(1, await db.DeferredChanges.CountAsync());
    }

    [DatabaseFact]
    public async Task A_member_cannot_ask_for_or_confirm_a_change_of_someone_else()
    {
        var (victim, victimActor) = await _fixture.PersonAsync("victim@example.org");
        var (_, intruder) = await _fixture.PersonAsync("intruder@example.org");
        var id = (await _fixture.RequestAsync(victimActor, "phone")).ChangeId!.Value;

        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => Requests.RequestAsync(intruder, "phone", victim.Id, ConfirmationsPortal.Proposal("phone")));
        Assert.Equal(ChangeOutcome.NotFound, (await Requests.ConfirmWithCodeAsync(intruder, id, await _fixture.CodeAsync(id))).Outcome);
        Assert.Equal(ChangeOutcome.NotFound, (await Requests.CancelAsync(intruder, id)).Outcome);
        Assert.Equal(ChangeStatus.Pending, (await _fixture.RowAsync(id)).Status);
    }

    [DatabaseFact]
    public async Task Cancelling_withdraws_the_change_and_its_code_dies()
    {
        var (_, member) = await _fixture.PersonAsync("ada@example.org");
        var id = (await _fixture.RequestAsync(member, "bank-account")).ChangeId!.Value;
        var code = await _fixture.CodeAsync(id);

        Assert.Equal(ChangeOutcome.Cancelled, (await Requests.CancelAsync(member, id)).Outcome);

        Assert.Equal(ChangeOutcome.NotPending, (await Requests.ConfirmWithCodeAsync(member, id, code)).Outcome);
        await using var db = await _fixture.Portal.DbAsync();
        Assert.Empty(await db.BankTransfers.ToListAsync());
    }

    public static TheoryData<string> WaysToClose => ["applied", "cancelled", "expired", "replaced", "killed by wrong codes", "password reset"];

    [DatabaseTheory]
    [MemberData(nameof(WaysToClose))]
    public async Task When_a_phone_change_closes_its_code_is_blotted_out_of_the_sms_outbox(string how)
    {
        var (user, member) = await _fixture.PersonAsync("ada@example.org");
        var id = (await _fixture.RequestAsync(member, "phone")).ChangeId!.Value;
        var code = await _fixture.CodeAsync(id);

        switch (how)
        {
            case "applied":
                Assert.Equal(ChangeOutcome.Applied, (await Requests.ConfirmWithCodeAsync(member, id, code)).Outcome);
                break;
            case "cancelled":
                Assert.Equal(ChangeOutcome.Cancelled, (await Requests.CancelAsync(member, id)).Outcome);
                break;
            case "expired":
                _fixture.Clock.Advance(TimeSpan.FromMinutes(11));
                Assert.Equal(1, await Lifecycle.ExpireAsync());
                break;
            case "replaced":
                await _fixture.RequestAsync(member, "phone", variant: 1);
                break;
            case "killed by wrong codes":
                for (var i = 0; i < 5; i++)
                {
                    await Requests.ConfirmWithCodeAsync(member, id, ConfirmationsPortal.WrongCode(code));
                }
                break;
            case "password reset":
                await ResetPasswordAsync(user.Id);
                break;
        }

        Assert.NotEqual(ChangeStatus.Pending, (await _fixture.RowAsync(id)).Status);
        await using var db = await _fixture.Portal.DbAsync();
        var sms = await db.SmsMessages.FirstAsync(m => m.ChangeId == id);
        Assert.DoesNotContain(code, sms.Body);
        Assert.StartsWith("•••••• is your", sms.Body);
    }

    [DatabaseFact]
    public async Task A_password_reset_revokes_every_pending_code_and_link_of_the_account_but_not_moderated_ones()
    {
        var (user, member) = await _fixture.PersonAsync("ada@example.org");
        var (_, other) = await _fixture.PersonAsync("grace@example.org");
        var phone = (await _fixture.RequestAsync(member, "phone")).ChangeId!.Value;
        var letter = (await _fixture.RequestAsync(member, "postal-address")).ChangeId!.Value;
        var email = (await _fixture.RequestAsync(member, "email")).ChangeId!.Value;
        var profile = (await _fixture.RequestAsync(member, "profile")).ChangeId!.Value;
        var othersPhone = (await _fixture.RequestAsync(other, "phone")).ChangeId!.Value;
        var phoneCode = await _fixture.CodeAsync(phone);
        var link = await _fixture.TokenAsync("new0@example.net", "EmailChangeMail", ChangeRequests.ConfirmLinkPath);

        await ResetPasswordAsync(user.Id);

        foreach (var id in new[] { phone, letter, email })
        {
            var row = await _fixture.RowAsync(id);
            Assert.Equal((ChangeStatus.Cancelled, "Cancelled because the account's password changed."), (row.Status, row.Reason));
        }
        Assert.Equal(ChangeStatus.Pending, (await _fixture.RowAsync(profile)).Status);
        Assert.Equal(ChangeStatus.Pending, (await _fixture.RowAsync(othersPhone)).Status);
        Assert.Equal(ChangeOutcome.NotPending, (await Requests.ConfirmWithCodeAsync(member, phone, phoneCode)).Outcome);
        Assert.Equal(ChangeOutcome.NotPending, (await Requests.ConfirmLinkAsync(link)).Outcome);
        Assert.Null((await _fixture.UserAsync(user.Id)).PhoneNumber);
        await using var db = await _fixture.Portal.DbAsync();
        Assert.Empty(await db.Letters.ToListAsync());
    }

    [DatabaseFact]
    public async Task A_code_checked_just_before_a_resend_does_not_apply()
    {
        var (user, member) = await _fixture.PersonAsync("ada@example.org");
        var id = (await _fixture.RequestAsync(member, "phone")).ChangeId!.Value;
        var old = await _fixture.CodeAsync(id);
        _fixture.Clock.Advance(TimeSpan.FromMinutes(1));
        _fixture.BeforeApplying(async () =>
        {
            _fixture.BeforeApplying(() => Task.CompletedTask);
            Assert.Equal(ChangeOutcome.Requested, (await Requests.ResendAsync(member, id)).Outcome);
        });

        var result = await Requests.ConfirmWithCodeAsync(member, id, old);

        Assert.Equal(ChangeOutcome.NotPending, result.Outcome);
        Assert.Null((await _fixture.UserAsync(user.Id)).PhoneNumber);
        Assert.Equal(ChangeOutcome.Applied, (await Requests.ConfirmWithCodeAsync(member, id, await _fixture.CodeAsync(id))).Outcome);
    }

    [DatabaseFact]
    public async Task Deactivating_the_account_revokes_its_pending_codes_and_links()
    {
        var (user, member) = await _fixture.PersonAsync("ada@example.org");
        var (_, admin) = await _fixture.PersonAsync("root@example.org", Roles.Admin);
        var phone = (await _fixture.RequestAsync(member, "phone")).ChangeId!.Value;
        var email = (await _fixture.RequestAsync(member, "email")).ChangeId!.Value;
        var link = await _fixture.TokenAsync("new0@example.net", "EmailChangeMail", ChangeRequests.ConfirmLinkPath);

        Assert.True((await _fixture.Portal.Get<Portal.Features.Users.UserAdmin>().DeactivateAsync(admin, user.Id)).Succeeded);

        Assert.Equal((ChangeStatus.Cancelled, "Cancelled because the account was deactivated."), ((await _fixture.RowAsync(phone)).Status, (await _fixture.RowAsync(phone)).Reason));
        Assert.Equal(ChangeOutcome.NotPending, (await Requests.ConfirmLinkAsync(link)).Outcome);
        Assert.Equal("ada@example.org", (await _fixture.UserAsync(user.Id)).Email);
        Assert.Equal(ChangeStatus.Cancelled, (await _fixture.RowAsync(email)).Status);
    }

    private async Task ResetPasswordAsync(string userId)
    {
        await using var scope = _fixture.Portal.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<PortalUser>>();
        var user = (await users.FindByIdAsync(userId))!;
        var result = await users.ResetPasswordAsync(user, await users.GeneratePasswordResetTokenAsync(user), "a fresh and rather long passphrase");
        Assert.True(result.Succeeded, string.Join(" ", result.Errors.Select(e => e.Description)));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _fixture.DisposeAsync();
}

public sealed class CodeChangesOnPostgresTests() : CodeChangesTests(DatabaseProvider.Postgres), IPostgresVariant;
