using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Features.Audit;
using Portal.Features.Invitations;
using Portal.Features.Outbox;
using Portal.Identity;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Features.Invitations;

public class InvitationServiceTests : IAsyncLifetime
{
    private readonly InvitationPortal _fixture;

    public InvitationServiceTests() : this(DatabaseProvider.Sqlite)
    {
    }

    protected InvitationServiceTests(DatabaseProvider database)
    {
        _fixture = new(database: database);
    }

    private InvitationService Invitations => _fixture.Invitations;

    private static Actor Admin => InvitationPortal.Admin;

    [DatabaseFact]
    public async Task A_new_address_gets_an_inactive_account_without_a_password_and_an_invitation()
    {
        var (userId, sent) = await Invitations.InviteAsync("  Ada@Example.ORG ", Admin);

        Assert.True(sent);
        var user = await _fixture.UserByEmailAsync("ada@example.org");
        Assert.NotNull(user);
        Assert.Equal(userId, user.Id);
        Assert.Equal("Ada@example.org", user.Email);
        Assert.Equal(AccountStatus.Invited, user.Status);
        Assert.Null(user.PasswordHash);
        Assert.False(user.EmailConfirmed);
        await using var db = await _fixture.Portal.DbAsync();
        var invitation = await db.Invitations.SingleAsync(i => i.UserId == userId);
        Assert.Equal(InvitationStatus.Pending, invitation.Status);
        Assert.Equal("Grace Admin", invitation.InviterName);
        Assert.Equal(1, invitation.SendCount);
        Assert.Equal(_fixture.Clock.Now.UtcDateTime.AddDays(14), invitation.ExpiresAt);
        Assert.NotEqual(_fixture.TokenFor("ada@example.org"), invitation.TokenHash);
        Assert.Equal(Secrets.Hash(_fixture.TokenFor("ada@example.org")), invitation.TokenHash);
        var mail = await db.OutboxMessages.SingleAsync(m => m.Recipient == "Ada@example.org");
        Assert.Equal("Grace Admin invited you to join Portal", mail.Subject);
        Assert.Contains($"https://portal.test/invite/{_fixture.TokenFor("ada@example.org")}", mail.TextBody);
        var sentEntry = Assert.Single(await _fixture.Portal.AuditAsync(AuditActions.InvitationSent));
        Assert.Equal((InvitationService.AuditTargetType, invitation.Id.ToString(CultureInfo.InvariantCulture)), (sentEntry.TargetType, sentEntry.TargetId));
        Assert.Empty(await _fixture.Portal.AuditAsync(AuditActions.InvitationResent));
    }

    [DatabaseFact]
    public async Task An_invited_address_is_resent_with_a_new_link_that_replaces_the_old()
    {
        var firstToken = await _fixture.InviteAsync("bob@example.org");
        var first = await Invitations.InviteAsync("BOB@example.org", Admin, resend: true);
        var secondToken = _fixture.TokenFor("bob@example.org");

        Assert.Equal(InviteOutcome.Resent, first.Outcome);
        Assert.NotEqual(firstToken, secondToken);
        var invitation = await _fixture.InvitationAsync(first.InvitationId!.Value);
        Assert.Equal(2, invitation.SendCount);
        Assert.Equal(InvitationProblem.Replaced, (await _fixture.Responses.OpenAsync(firstToken)).Problem);
        Assert.NotNull((await _fixture.Responses.OpenAsync(secondToken)).Invitation);
        await using var db = await _fixture.Portal.DbAsync();
        Assert.Equal(1, await db.Users.CountAsync(u => u.NormalizedEmail == "BOB@EXAMPLE.ORG"));
        Assert.Equal(2, await db.OutboxMessages.CountAsync(m => m.Recipient == "bob@example.org"));
        Assert.Single(await _fixture.Portal.AuditAsync(AuditActions.InvitationSent));
        Assert.Equal(invitation.Id.ToString(CultureInfo.InvariantCulture), Assert.Single(await _fixture.Portal.AuditAsync(AuditActions.InvitationResent)).TargetId);
    }

    [DatabaseFact]
    public async Task Without_resend_an_invited_address_gets_nothing()
    {
        await _fixture.InviteAsync("carol@example.org");

        var (userId, sent) = await Invitations.InviteAsync("carol@example.org", Admin, resend: false);

        Assert.False(sent);
        Assert.NotNull(userId);
        await using var db = await _fixture.Portal.DbAsync();
        Assert.Equal(1, await db.OutboxMessages.CountAsync(m => m.Recipient == "carol@example.org"));
    }

    [DatabaseFact]
    public async Task A_member_is_not_invited()
    {
        var member = await _fixture.Portal.CreateUserAsync("dave@example.org");

        var result = await Invitations.InviteAsync("Dave@example.org", Admin);
        var (userId, sent) = result;

        Assert.Equal(InviteOutcome.AlreadyMember, result.Outcome);
        Assert.Equal(member.Id, userId);
        Assert.False(sent);
        await using var db = await _fixture.Portal.DbAsync();
        Assert.False(await db.Invitations.AnyAsync(i => i.UserId == member.Id));
        Assert.False(await db.OutboxMessages.AnyAsync(m => m.Recipient == "dave@example.org"));
    }

    [DatabaseFact]
    public async Task A_deactivated_account_is_not_invited()
    {
        var member = await _fixture.Portal.CreateUserAsync("erin@example.org");
        await using (var db = await _fixture.Portal.DbAsync())
        {
            await db.Users.Where(u => u.Id == member.Id).ExecuteUpdateAsync(s => s.SetProperty(u => u.DeactivatedAt, DateTime.UtcNow));
        }

        var result = await Invitations.InviteAsync("erin@example.org", Admin);

        Assert.Equal(InviteOutcome.Deactivated, result.Outcome);
        Assert.False(result.Sent);
    }

    [DatabaseFact]
    public async Task Unicode_spellings_of_one_address_reach_one_account()
    {
        var composed = await Invitations.InviteAsync("jos\u00e9@b\u00fccher.example", Admin);
        var decomposed = await Invitations.InviteAsync("JOSE\u0301@BU\u0308CHER.example", Admin, resend: false);
        var punycode = await Invitations.InviteAsync("jos\u00e9@xn--bcher-kva.example", Admin, resend: false);

        Assert.Equal(InviteOutcome.Sent, composed.Outcome);
        Assert.Equal((InviteOutcome.AlreadyInvited, composed.UserId), (decomposed.Outcome, decomposed.UserId));
        Assert.Equal((InviteOutcome.AlreadyInvited, composed.UserId), (punycode.Outcome, punycode.UserId));
        Assert.Equal("jos\u00e9@xn--bcher-kva.example", composed.Address);
    }

    [DatabaseFact]
    public async Task Deactivating_an_invited_account_withdraws_its_invitation()
    {
        var result = await Invitations.InviteAsync("quit@example.org", Admin);
        var token = _fixture.TokenFor("quit@example.org");
        var admin = await _fixture.Portal.CreateUserAsync("deactivator@example.org", roles: Roles.Admin);

        var deactivated = await _fixture.Portal.Get<Portal.Features.Users.UserAdmin>()
            .DeactivateAsync(new Actor(admin.Id, admin.UserName!, new HashSet<string> { Roles.Admin }), result.UserId!);

        Assert.True(deactivated.Succeeded);
        Assert.Equal(InvitationProblem.Revoked, (await _fixture.Responses.OpenAsync(token)).Problem);
        Assert.Equal(InviteOutcome.Deactivated, (await Invitations.InviteAsync("quit@example.org", Admin)).Outcome);
    }

    [DatabaseFact]
    public async Task An_opted_out_address_gets_nothing_in_any_spelling()
    {
        var token = await _fixture.InviteAsync("Frank@example.org");
        Assert.Null(await _fixture.Responses.OptOutAsync(token, OptOutSource.Page));

        var (userId, sent) = await Invitations.InviteAsync("FRANK@EXAMPLE.ORG", Admin);
        var again = await Invitations.InviteAsync("frank@example.org", Admin, resend: false);

        Assert.Null(userId);
        Assert.False(sent);
        Assert.Equal(InviteOutcome.OptedOut, again.Outcome);
        Assert.Null(await _fixture.UserByEmailAsync("frank@example.org"));
    }

    [DatabaseFact]
    public async Task A_bounced_address_is_not_invited_in_any_spelling_and_the_inviter_is_told_when_and_why()
    {
        await Invitations.InviteAsync("gwen@example.org", Admin);
        await using (var db = await _fixture.Portal.DbAsync())
        {
            await _fixture.Portal.Get<SuppressionList>().AddAsync(db, "Gwen@example.org", "550 5.1.1 user unknown", default);
        }
        _fixture.Clock.Advance(TimeSpan.FromDays(2));

        var resent = await Invitations.InviteAsync("GWEN@EXAMPLE.ORG", Admin);
        var fresh = await Invitations.InviteAsync("gwen@example.org", Admin, resend: false);

        Assert.Equal((InviteOutcome.Suppressed, false), (resent.Outcome, resent.Sent));
        Assert.Equal(InviteOutcome.Suppressed, fresh.Outcome);
        var bounced = _fixture.Clock.Now.AddDays(-2).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal($"Mail to this address bounced on {bounced}: 550 5.1.1 user unknown; remove it from the suppression list to invite again.", resent.Description);
        await using var check = await _fixture.Portal.DbAsync();
        Assert.Equal(1, await check.OutboxMessages.CountAsync(m => m.Recipient == "gwen@example.org"));
        Assert.Equal(1, (await check.Invitations.SingleAsync(i => i.EmailKey == "gwen@example.org")).SendCount);
    }

    [DatabaseFact]
    public async Task An_expired_invitation_is_shown_as_expired_and_a_new_one_can_be_sent()
    {
        var first = await Invitations.InviteAsync("gina@example.org", Admin, choices: new InviteOptions(ExpiryDays: 3));
        var firstToken = _fixture.TokenFor("gina@example.org");

        _fixture.Clock.Advance(TimeSpan.FromDays(3) - TimeSpan.FromSeconds(1));
        Assert.NotNull((await _fixture.Responses.OpenAsync(firstToken)).Invitation);
        _fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(InvitationProblem.Expired, (await _fixture.Responses.OpenAsync(firstToken)).Problem);

        var expired = await Invitations.SearchAsync(Admin, new InvitationQuery(InvitationStatus.Expired), new PageRequest());
        Assert.Equal(first.InvitationId, Assert.Single(expired.Items).Id);
        Assert.Equal(InvitationStatus.Expired, expired.Items[0].Status);

        var second = await Invitations.InviteAsync("gina@example.org", Admin, resend: false);

        Assert.Equal(InviteOutcome.Sent, second.Outcome);
        Assert.NotEqual(first.InvitationId, second.InvitationId);
        Assert.Equal(first.UserId, second.UserId);
        var counts = await Invitations.CountsAsync(Admin);
        Assert.Equal((1, 1), (counts.Pending, counts.Expired));
        Assert.Equal(InvitationStatus.Pending, (await _fixture.InvitationAsync(first.InvitationId!.Value)).Status);
    }

    [DatabaseFact]
    public async Task A_revoked_invitation_stops_its_link_and_the_address_can_be_invited_again()
    {
        var first = await Invitations.InviteAsync("hank@example.org", Admin);
        var token = _fixture.TokenFor("hank@example.org");

        Assert.True(await Invitations.RevokeAsync(Admin, first.InvitationId!.Value));
        Assert.False(await Invitations.RevokeAsync(Admin, first.InvitationId!.Value));

        Assert.Equal(InvitationProblem.Revoked, (await _fixture.Responses.OpenAsync(token)).Problem);
        var revoked = await _fixture.InvitationAsync(first.InvitationId.Value);
        Assert.Equal("Grace Admin", revoked.RevokedBy);
        var second = await Invitations.InviteAsync("hank@example.org", Admin, resend: false);
        Assert.Equal(InviteOutcome.Sent, second.Outcome);
    }

    [DatabaseFact]
    public async Task Resending_from_the_list_keeps_the_role_and_message()
    {
        var first = await Invitations.InviteAsync("ivy@example.org", Admin, choices: new InviteOptions(Roles.Moderator, "Welcome aboard"));

        var again = await Invitations.ResendAsync(Admin, first.InvitationId!.Value);

        Assert.Equal(InviteOutcome.Resent, again!.Outcome);
        var invitation = await _fixture.InvitationAsync(first.InvitationId.Value);
        Assert.Equal((Roles.Moderator, "Welcome aboard", 2), (invitation.Role, invitation.Message, invitation.SendCount));
    }

    [DatabaseTheory]
    [InlineData("not an address", null, null, "needs a name, an @ and a domain")]
    [InlineData("ok@example.org", "Overlord", null, "no role called Overlord")]
    [InlineData("ok@example.org", null, 0, "between 1 and 365 days")]
    public async Task Bad_input_is_refused_with_a_reason_and_sends_nothing(string address, string? role, int? days, string reason)
    {
        var result = await Invitations.InviteAsync(address, Admin, choices: new InviteOptions(role, null, days));

        Assert.Equal(InviteOutcome.Invalid, result.Outcome);
        Assert.Contains(reason, result.Description);
        await using var db = await _fixture.Portal.DbAsync();
        Assert.False(await db.Invitations.AnyAsync());
        Assert.False(await db.OutboxMessages.AnyAsync());
        Assert.Empty(await _fixture.Portal.AuditAsync(AuditActions.InvitationSent));
    }

    [DatabaseFact]
    public async Task A_message_over_the_limit_is_refused()
    {
        var result = await Invitations.InviteAsync("long@example.org", Admin, choices: new InviteOptions(Message: new string('x', 1001)));

        Assert.Equal(InviteOutcome.Invalid, result.Outcome);
        Assert.Contains("1000 characters", result.Description);
    }

    [DatabaseFact]
    public async Task The_personal_message_is_plain_text_in_the_mail_and_the_mail_offers_one_click_opt_out()
    {
        await _fixture.InviteAsync("jack@example.org", new InviteOptions(Message: "<b>Hi</b> & welcome\nsecond line"));
        var token = _fixture.TokenFor("jack@example.org");

        await using var db = await _fixture.Portal.DbAsync();
        var mail = await db.OutboxMessages.SingleAsync(m => m.Recipient == "jack@example.org");
        Assert.Contains("&lt;b&gt;Hi&lt;/b&gt; &amp; welcome", mail.HtmlBody);
        Assert.DoesNotContain("<b>Hi</b>", mail.HtmlBody);
        Assert.Contains("<b>Hi</b> & welcome\nsecond line", mail.TextBody);
        var headers = JsonSerializer.Deserialize<Dictionary<string, string>>(mail.Headers!)!;
        Assert.Equal($"<https://portal.test/invite/{token}/one-click>", headers["List-Unsubscribe"]);
        Assert.Equal("List-Unsubscribe=One-Click", headers["List-Unsubscribe-Post"]);
        Assert.Contains($"https://portal.test/invite/{token}/opt-out", mail.TextBody);
    }

    [DatabaseFact]
    public async Task Pasted_lists_are_split_and_each_address_is_reported_once()
    {
        await _fixture.Portal.CreateUserAsync("member@example.org");
        var addresses = InvitationService.SplitAddresses("kim@example.org, KIM@example.org\nmember@example.org;\n\nnonsense\r\nlee@example.org");

        var results = await Invitations.InviteManyAsync(addresses, Admin, resend: true, new InviteOptions());

        Assert.Equal(
            [InviteOutcome.Sent, InviteOutcome.Duplicate, InviteOutcome.AlreadyMember, InviteOutcome.Invalid, InviteOutcome.Sent],
            results.Select(r => r.Outcome));
    }

    [DatabaseFact]
    public async Task The_list_filters_by_status_address_and_inviter()
    {
        await _fixture.InviteAsync("one@example.org");
        var two = await Invitations.InviteAsync("two@example.org", Admin);
        await Invitations.RevokeAsync(Admin, two.InvitationId!.Value);
        var other = new Actor("other-id", "Linus", new HashSet<string> { Roles.Admin });
        await Invitations.InviteAsync("three@example.org", other);

        var pending = await Invitations.SearchAsync(Admin, new InvitationQuery(InvitationStatus.Pending), new PageRequest());
        var revoked = await Invitations.SearchAsync(Admin, new InvitationQuery(InvitationStatus.Revoked), new PageRequest());
        var byAddress = await Invitations.SearchAsync(Admin, new InvitationQuery(Search: "TWO@"), new PageRequest());
        var byInviter = await Invitations.SearchAsync(Admin, new InvitationQuery(Inviter: "linus"), new PageRequest());

        Assert.Equal(["three@example.org", "one@example.org"], pending.Items.Select(i => i.Email));
        Assert.Equal("two@example.org", Assert.Single(revoked.Items).Email);
        Assert.Equal("two@example.org", Assert.Single(byAddress.Items).Email);
        Assert.Equal("three@example.org", Assert.Single(byInviter.Items).Email);
    }

    [DatabaseFact]
    public async Task Only_admins_invite()
    {
        var moderator = new Actor("m", "mod", new HashSet<string> { Roles.Moderator });

        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => Invitations.InviteAsync("x@example.org", moderator));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => Invitations.RevokeAsync(moderator, 1));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => Invitations.SearchAsync(moderator, new InvitationQuery(), new PageRequest()));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _fixture.DisposeAsync();
}

public sealed class InvitationServiceOnPostgresTests() : InvitationServiceTests(DatabaseProvider.Postgres), IPostgresVariant;
