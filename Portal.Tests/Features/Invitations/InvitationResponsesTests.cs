using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Email;
using Portal.Features.Audit;
using Portal.Features.Invitations;
using Portal.Features.OptOut;
using Portal.Identity;
using Portal.Email.Mails.Account;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Features.Invitations;

public class InvitationResponsesTests : IAsyncLifetime
{
    private readonly InvitationPortal _fixture;

    public InvitationResponsesTests() : this(DatabaseProvider.Sqlite)
    {
    }

    protected InvitationResponsesTests(DatabaseProvider database)
    {
        _fixture = new(database: database);
    }

    private InvitationResponses Responses => _fixture.Responses;

    private static InviteeForm Form(string userName, string email, string password = TestPortal.DefaultPassword, string? confirm = null) =>
        new() { UserName = userName, Email = email, Password = password, ConfirmPassword = confirm ?? password };

    [DatabaseFact]
    public async Task Opening_the_link_shows_the_invitation_and_changes_nothing()
    {
        var token = await _fixture.InviteAsync("ada@example.org", new InviteOptions(Roles.Moderator, "See you there"));
        var before = await _fixture.UserByEmailAsync("ada@example.org");

        var opened = await Responses.OpenAsync(token);
        await Responses.OpenAsync(token);

        Assert.Null(opened.Problem);
        Assert.Equal(("ada@example.org", "Grace Admin", "See you there", Roles.Moderator),
            (opened.Invitation!.Email, opened.Invitation.InviterName, opened.Invitation.Message, opened.Invitation.Role));
        var after = await _fixture.UserByEmailAsync("ada@example.org");
        Assert.Equal(before!.ConcurrencyStamp, after!.ConcurrencyStamp);
        Assert.Equal(InvitationStatus.Pending, (await _fixture.InvitationAsync(opened.Invitation.Id)).Status);
    }

    [DatabaseFact]
    public async Task Registering_activates_the_account_with_the_chosen_name_password_and_role()
    {
        var token = await _fixture.InviteAsync("bob@example.org", new InviteOptions(Roles.Moderator));

        var result = await Responses.AcceptAsync(token, Form("bob.builder", "bob@example.org"));

        Assert.True(result.Succeeded);
        Assert.Null(result.PendingEmail);
        await using var scope = _fixture.Portal.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var user = (await users.FindByIdAsync(result.UserId!))!;
        Assert.Equal("bob.builder", user.UserName);
        Assert.Equal(AccountStatus.Active, user.Status);
        Assert.True(user.EmailConfirmed);
        Assert.Equal(_fixture.Clock.Now.UtcDateTime, user.ActivatedAt);
        Assert.True(await users.CheckPasswordAsync(user, TestPortal.DefaultPassword));
        Assert.True(await users.IsInRoleAsync(user, Roles.Moderator));
        Assert.True(await scope.ServiceProvider.GetRequiredService<SignInManager<PortalUser>>().CanSignInAsync(user));
        var accepted = Assert.Single(await _fixture.Portal.AuditAsync(AuditActions.InvitationAccepted));
        Assert.Equal(user.Id, accepted.ActorId);
        var invitation = await _fixture.InvitationAsync(long.Parse(accepted.TargetId!, CultureInfo.InvariantCulture));
        Assert.Equal(user.Id, invitation.UserId);
        Assert.Equal(InvitationStatus.Accepted, invitation.Status);
        Assert.Equal(_fixture.Clock.Now.UtcDateTime, invitation.AcceptedAt);
        Assert.Equal(InvitationProblem.Used, (await Responses.OpenAsync(token)).Problem);
    }

    [DatabaseFact]
    public async Task A_link_is_used_once_even_when_submitted_in_parallel()
    {
        var token = await _fixture.InviteAsync("race@example.org");

        var attempts = await Task.WhenAll(Enumerable.Range(0, 6).Select(i =>
            Task.Run(() => Responses.AcceptAsync(token, Form($"racer{i}", "race@example.org")))));

        var winner = Assert.Single(attempts, a => a.Succeeded);
        Assert.All(attempts.Where(a => !a.Succeeded), a => Assert.Equal(InvitationProblem.Used, a.Problem));
        var user = await _fixture.UserByEmailAsync("race@example.org");
        Assert.Equal(winner.UserId, user!.Id);
        Assert.Single(await _fixture.Portal.AuditAsync(AuditActions.InvitationAccepted));
    }

    [DatabaseFact]
    public async Task Form_errors_are_reported_together_and_change_nothing()
    {
        await _fixture.Portal.CreateUserAsync("taken@example.org");
        await using (var db = await _fixture.Portal.DbAsync())
        {
            await db.Users.Where(u => u.Email == "taken@example.org").ExecuteUpdateAsync(s => s
                .SetProperty(u => u.UserName, "taken").SetProperty(u => u.NormalizedUserName, "TAKEN"));
        }
        var token = await _fixture.InviteAsync("carol@example.org");

        var reserved = await Responses.AcceptAsync(token, Form("Ad.min", "carol@example.org", "short", "other"));
        var taken = await Responses.AcceptAsync(token, Form("TAKEN", "taken@example.org", "password123"));

        Assert.False(reserved.Succeeded);
        Assert.Null(reserved.Problem);
        Assert.Contains("reserved", reserved.Errors[nameof(InviteeForm.UserName)]);
        Assert.Contains("at least 10 characters", reserved.Errors[nameof(InviteeForm.Password)]);
        Assert.Contains("differ", reserved.Errors[nameof(InviteeForm.ConfirmPassword)]);
        Assert.Contains("taken", taken.Errors[nameof(InviteeForm.UserName)]);
        Assert.Contains("Another account has that address", taken.Errors[nameof(InviteeForm.Email)]);
        Assert.Contains("most common", taken.Errors[nameof(InviteeForm.Password)]);
        Assert.Null((await Responses.OpenAsync(token)).Problem);
        Assert.Equal(AccountStatus.Invited, (await _fixture.UserByEmailAsync("carol@example.org"))!.Status);
    }

    [DatabaseFact]
    public async Task A_changed_address_waits_for_its_confirmation_link()
    {
        var token = await _fixture.InviteAsync("dave@example.org");

        var result = await Responses.AcceptAsync(token, Form("dave", "Dave.Private@Home.example"));

        Assert.True(result.Succeeded);
        Assert.Equal("Dave.Private@home.example", result.PendingEmail);
        var user = await _fixture.UserByEmailAsync("dave@example.org");
        Assert.Equal("dave@example.org", user!.Email);
        Assert.Equal(AccountStatus.Active, user.Status);

        var mail = await _fixture.Portal.Mail.DeliveredAsync("Dave.Private@home.example", "Confirm your email address");
        var link = new Uri(mail.LinkContaining("account/confirm-email"));
        Assert.StartsWith("https://portal.test/account/confirm-email?", link.AbsoluteUri);
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(link.Query);

        var confirmation = await _fixture.Portal.Get<AccountEmails>().ConfirmAsync(query["userId"], query["email"], query["code"]);
        var reused = await _fixture.Portal.Get<AccountEmails>().ConfirmAsync(query["userId"], query["email"], query["code"]);

        Assert.Equal(AddressConfirmation.Confirmed, confirmation);
        Assert.Equal(AddressConfirmation.Invalid, reused);
        var changed = await _fixture.UserByEmailAsync("dave.private@home.example");
        Assert.Equal(user.Id, changed!.Id);
        Assert.Equal("dave", changed.UserName);
        Assert.True(changed.EmailConfirmed);
    }

    [DatabaseFact]
    public async Task Each_dead_link_says_why()
    {
        var used = await _fixture.InviteAsync("used@example.org");
        await Responses.AcceptAsync(used, Form("user1", "used@example.org"));
        var revoked = await _fixture.Invitations.InviteAsync("revoked@example.org", InvitationPortal.Admin);
        await _fixture.Invitations.RevokeAsync(InvitationPortal.Admin, revoked.InvitationId!.Value);
        var optedOut = await _fixture.InviteAsync("gone@example.org");
        await Responses.OptOutAsync(optedOut, OptOutSource.Page);
        var unknown = Secrets.NewToken().Token;

        Assert.Equal(InvitationProblem.Malformed, (await Responses.OpenAsync("abc")).Problem);
        Assert.Equal(InvitationProblem.Malformed, (await Responses.OpenAsync(unknown[..^1] + "!")).Problem);
        Assert.Equal(InvitationProblem.Unknown, (await Responses.OpenAsync(unknown)).Problem);
        Assert.Equal(InvitationProblem.Used, (await Responses.OpenAsync(used)).Problem);
        Assert.Equal(InvitationProblem.Revoked, (await Responses.OpenAsync(_fixture.TokenFor("revoked@example.org"))).Problem);
        Assert.Equal(InvitationProblem.OptedOut, (await Responses.OpenAsync(optedOut)).Problem);
        Assert.Equal(InvitationProblem.Used, (await Responses.AcceptAsync(used, Form("user2", "used@example.org"))).Problem);
        Assert.Equal(InvitationProblem.Used, await Responses.OptOutAsync(used, OptOutSource.Page));
    }

    [DatabaseFact]
    public async Task Opting_out_deletes_the_unused_account_and_keeps_only_a_keyed_hash()
    {
        var token = await _fixture.InviteAsync("Eve.Private@Example.org");
        Invitation invited;
        await using (var before = await _fixture.Portal.DbAsync())
        {
            invited = await before.Invitations.AsNoTracking().SingleAsync();
        }
        var (invitationId, userId) = (invited.Id, invited.UserId);

        Assert.Null(await Responses.OptOutAsync(token, OptOutSource.Page));
        Assert.Null(await Responses.OptOutAsync(token, OptOutSource.Page));

        Assert.Null(await _fixture.UserByEmailAsync("eve.private@example.org"));
        await using var db = await _fixture.Portal.DbAsync();
        var invitation = await db.Invitations.SingleAsync(i => i.Id == invitationId);
        Assert.Equal(InvitationStatus.OptedOut, invitation.Status);
        Assert.Null(invitation.Email);
        Assert.Null(invitation.UserId);
        Assert.Equal(_fixture.Clock.Now.UtcDateTime, invitation.OptedOutAt);

        var entry = await db.OptOutEntries.SingleAsync();
        var key = EmailAddress.Key("Eve.Private@example.org");
        Assert.NotEqual(Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(key))), entry.Hash);
        Assert.NotEqual(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key))), entry.Hash);
        Assert.NotEqual(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("Eve.Private@example.org"))), entry.Hash);
        Assert.Equal(_fixture.Portal.Get<OptOutList>().Hash("EVE.private@EXAMPLE.org"), entry.Hash);
        Assert.Equal(OptOutSource.Page, entry.Source);

        // No trace of the address is left in the database.
        Assert.False(await db.OutboxMessages.AnyAsync(m => m.Recipient.Contains("eve.private") || m.Recipient.Contains("Eve.Private")));
        Assert.False(await db.AuditEntries.AnyAsync(e => e.TargetName!.Contains("Eve.Private") || e.Details!.Contains("Eve.Private")));
        Assert.False(await db.Users.AnyAsync(u => u.Id == userId));
        Assert.EndsWith("; 1 invitation(s) closed", Assert.Single(await _fixture.Portal.AuditAsync(AuditActions.OptOutRecorded)).Details);
    }

    [DatabaseFact]
    public async Task Opting_out_cancels_mail_still_queued_for_the_address()
    {
        var token = await _fixture.InviteAsync("queued@example.org");
        long waiting;
        await using (var db = await _fixture.Portal.DbAsync())
        {
            // Another message for the address, not yet due when the person opts out.
            var message = await _fixture.Portal.Get<Mailer>().QueueAsync(db, "queued@example.org",
                new EmailConfirmationMail("queued", "queued@example.org", "https://portal.test/x"));
            message.NextAttemptAt = DateTime.UtcNow.AddHours(1);
            await db.SaveChangesAsync();
            waiting = message.Id;
        }

        await Responses.OptOutAsync(token, OptOutSource.OneClick);

        await using var check = await _fixture.Portal.DbAsync();
        var cancelled = await check.OutboxMessages.SingleAsync(m => m.Id == waiting);
        Assert.Equal(OutboxStatus.Cancelled, cancelled.Status);
        Assert.Equal(InvitationResponses.OptedOutPlaceholder, cancelled.Recipient);
        Assert.Equal(OptOutSource.OneClick, (await check.OptOutEntries.SingleAsync()).Source);
        var audit = await _fixture.Portal.Get<AuditLog>().SearchAsync(InvitationPortal.Admin, new AuditQuery(Action: "opt-out.recorded"), new PageRequest());
        Assert.Contains("one-click", Assert.Single(audit.Items).Details);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _fixture.DisposeAsync();
}

public sealed class InvitationResponsesOnPostgresTests() : InvitationResponsesTests(DatabaseProvider.Postgres), IPostgresVariant;
