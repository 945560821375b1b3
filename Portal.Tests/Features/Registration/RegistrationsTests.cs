using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Features.Audit;
using Portal.Features.OptOut;
using Portal.Features.Registration;
using Portal.Identity;
using Portal.Email.Mails.Registration;
using Portal.Tests.TestInfrastructure;
using static Portal.Tests.TestInfrastructure.RegistrationPortal;

namespace Portal.Tests.Features.Registration;

public class RegistrationsTests : IAsyncLifetime
{
    private readonly RegistrationPortal _fixture;

    public RegistrationsTests() : this(DatabaseProvider.Sqlite)
    {
    }

    protected RegistrationsTests(DatabaseProvider database)
    {
        _fixture = new(database: database);
    }

    private Registrations Registrations => _fixture.Registrations;

    [DatabaseFact]
    public async Task Signing_up_creates_an_inactive_account_with_a_hashed_password_and_mails_an_activation_link()
    {
        var key = await _fixture.SignUpAsync("ada.l", "ada@example.org");

        var user = (await _fixture.UserAsync("ada@example.org"))!;
        Assert.Equal(AccountStatus.AwaitingActivation, user.Status);
        Assert.Equal("ada.l", user.UserName);
        Assert.False(user.EmailConfirmed);
        Assert.Null(user.ActivatedAt);
        Assert.DoesNotContain(TestPortal.DefaultPassword, user.PasswordHash);
        await using (var scope = _fixture.Portal.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
            Assert.True(await users.CheckPasswordAsync((await users.FindByIdAsync(user.Id))!, TestPortal.DefaultPassword));
        }
        var signUp = await _fixture.SignUpRowAsync("ada@example.org");
        Assert.Equal((user.Id, "example.org", "ada.l", SignUpStatus.AwaitingActivation, _fixture.Clock.Now.UtcDateTime),
            (signUp.UserId, signUp.Domain, signUp.UserName, signUp.Status, signUp.CreatedAt));
        var stored = await _fixture.KeyRowAsync(key);
        Assert.Equal(_fixture.Clock.Now.UtcDateTime.AddDays(7), stored.ExpiresAt);
        Assert.Equal(user.Id, Assert.Single(await _fixture.Portal.AuditAsync(AuditActions.RegistrationSignedUp)).TargetId);
        await using var db = await _fixture.Portal.DbAsync();
        Assert.True(await db.AuditEntries.AnyAsync(e => e.Action == "registration.signed-up" && e.TargetId == user.Id));
        Assert.False(await db.ActivationKeys.AnyAsync(k => k.KeyHash == key));
    }

    [DatabaseFact]
    public async Task Opening_the_link_shows_the_account_and_changes_nothing()
    {
        var key = await _fixture.SignUpAsync("grace", "grace@example.org");
        var before = await _fixture.UserAsync("grace@example.org");

        var view = await Registrations.OpenActivationAsync(key);
        await Registrations.OpenActivationAsync(key);

        Assert.Equal(new ActivationView("grace", null, null), view);
        Assert.Equal(before!.ConcurrencyStamp, (await _fixture.UserAsync("grace@example.org"))!.ConcurrencyStamp);
        Assert.Null((await _fixture.KeyRowAsync(key)).SpentAt);
    }

    [DatabaseFact]
    public async Task Activate_one_second_before_expiry_activates_the_account_and_spends_the_key()
    {
        var key = await _fixture.SignUpAsync("linus", "linus@example.org");
        var before = (await _fixture.UserAsync("linus@example.org"))!;
        _fixture.Clock.Advance(TimeSpan.FromDays(7) - TimeSpan.FromSeconds(1));

        var result = await Registrations.ActivateAsync(key);

        Assert.Equal(ActivationOutcome.Activated, result.Outcome);
        var user = (await _fixture.UserAsync("linus@example.org"))!;
        // An admin's edit of the account opened before the activation must not save over it.
        Assert.NotEqual(before.ConcurrencyStamp, user.ConcurrencyStamp);
        Assert.Equal(user.Id, result.UserId);
        Assert.Equal(AccountStatus.Active, user.Status);
        Assert.True(user.EmailConfirmed);
        Assert.Equal(_fixture.Clock.Now.UtcDateTime, user.ActivatedAt);
        Assert.Equal(_fixture.Clock.Now.UtcDateTime, (await _fixture.KeyRowAsync(key)).SpentAt);
        Assert.Equal(SignUpStatus.Active, (await _fixture.SignUpRowAsync("linus@example.org")).Status);
        Assert.Equal(user.Id, Assert.Single(await _fixture.Portal.AuditAsync(AuditActions.RegistrationActivated)).TargetId);
        await using var db = await _fixture.Portal.DbAsync();
        Assert.True(await db.AuditEntries.AnyAsync(e => e.Action == "registration.activated" && e.TargetId == user.Id));
    }

    [DatabaseFact]
    public async Task Activate_with_expired_key_says_it_expired()
    {
        var key = await _fixture.SignUpAsync("late", "late@example.org");
        _fixture.Clock.Advance(TimeSpan.FromDays(7) + TimeSpan.FromSeconds(1));

        Assert.Equal(ActivationProblem.Expired, (await Registrations.OpenActivationAsync(key)).Problem);
        Assert.Equal(ActivationProblem.Expired, (await Registrations.ActivateAsync(key)).Problem);

        Assert.Equal(AccountStatus.AwaitingActivation, (await _fixture.UserAsync("late@example.org"))!.Status);
        Assert.Null((await _fixture.KeyRowAsync(key)).SpentAt);
        Assert.Empty(await _fixture.Portal.AuditAsync(AuditActions.RegistrationActivated));
    }

    [DatabaseFact]
    public async Task Activate_with_a_wrong_or_malformed_key_says_so()
    {
        await _fixture.SignUpAsync("wrong", "wrong@example.org");

        Assert.Equal(ActivationProblem.Invalid, (await Registrations.ActivateAsync(Secrets.NewToken().Token)).Problem);
        Assert.Equal(ActivationProblem.Malformed, (await Registrations.ActivateAsync("cut-short")).Problem);
        Assert.Equal(ActivationProblem.Malformed, (await Registrations.OpenActivationAsync("cut-short")).Problem);
        Assert.Equal(AccountStatus.AwaitingActivation, (await _fixture.UserAsync("wrong@example.org"))!.Status);
    }

    [DatabaseFact]
    public async Task Activate_with_a_spent_key_says_the_account_is_already_activated()
    {
        var key = await _fixture.SignUpAsync("twice", "twice@example.org");
        await Registrations.ActivateAsync(key);

        var again = await Registrations.ActivateAsync(key);

        Assert.Equal(ActivationProblem.AlreadyActivated, again.Problem);
        Assert.Equal(ActivationProblem.AlreadyActivated, (await Registrations.OpenActivationAsync(key)).Problem);
        Assert.Single(await _fixture.Portal.AuditAsync(AuditActions.RegistrationActivated));
    }

    [DatabaseFact]
    public async Task A_resend_replaces_the_old_key_with_a_new_one()
    {
        var old = await _fixture.SignUpAsync("resend", "resend@example.org");

        Assert.Null(await Registrations.ResendAsync("Resend@Example.org"));
        var fresh = await _fixture.KeySentToAsync("resend@example.org");

        Assert.NotEqual(old, fresh);
        Assert.Equal(ActivationProblem.Replaced, (await Registrations.OpenActivationAsync(old)).Problem);
        Assert.Equal(ActivationProblem.Replaced, (await Registrations.ActivateAsync(old)).Problem);
        Assert.Equal(1, (await _fixture.SignUpRowAsync("resend@example.org")).Resends);
        Assert.Equal(ActivationOutcome.Activated, (await Registrations.ActivateAsync(fresh)).Outcome);
    }

    [DatabaseFact]
    public async Task A_resend_for_an_unknown_or_active_address_sends_nothing()
    {
        var key = await _fixture.SignUpAsync("done", "done@example.org");
        await Registrations.ActivateAsync(key);

        Assert.Null(await Registrations.ResendAsync("done@example.org"));
        Assert.Null(await Registrations.ResendAsync("nobody@example.org"));
        Assert.NotNull(await Registrations.ResendAsync("not an address"));

        Assert.Equal(1, await _fixture.MailCountAsync("done@example.org", nameof(ActivationMail)));
        Assert.Equal(0, await _fixture.MailCountAsync("nobody@example.org", nameof(ActivationMail)));
    }

    [DatabaseFact]
    public async Task An_old_link_never_activates_an_account_an_admin_deactivated()
    {
        var key = await _fixture.SignUpAsync("closed", "closed@example.org");
        await using (var db = await _fixture.Portal.DbAsync())
        {
            await db.Users.Where(u => u.Email == "closed@example.org")
                .ExecuteUpdateAsync(s => s.SetProperty(u => u.DeactivatedAt, _fixture.Clock.Now.UtcDateTime));
        }

        Assert.Equal(ActivationProblem.AccountClosed, (await Registrations.OpenActivationAsync(key)).Problem);
        Assert.Equal(ActivationProblem.AccountClosed, (await Registrations.ActivateAsync(key)).Problem);

        var user = (await _fixture.UserAsync("closed@example.org"))!;
        Assert.Equal((AccountState.AwaitingActivation, (DateTime?)null), (user.State, user.ActivatedAt));
        Assert.Null((await _fixture.KeyRowAsync(key)).SpentAt);
        Assert.Empty(await _fixture.Portal.AuditAsync(AuditActions.RegistrationActivated));
    }

    [DatabaseFact]
    public async Task Two_simultaneous_activations_of_one_key_exactly_one_wins()
    {
        var key = await _fixture.SignUpAsync("racer", "racer@example.org");

        var attempts = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => Registrations.ActivateAsync(key))));

        Assert.Single(attempts, a => a.Outcome == ActivationOutcome.Activated);
        Assert.All(attempts.Where(a => a.Outcome is null), a => Assert.Equal(ActivationProblem.AlreadyActivated, a.Problem));
        Assert.Single(await _fixture.Portal.AuditAsync(AuditActions.RegistrationActivated));
        await using var db = await _fixture.Portal.DbAsync();
        Assert.Equal(1, await db.AuditEntries.CountAsync(e => e.Action == "registration.activated"));
    }

    [DatabaseFact]
    public async Task When_approval_is_required_activation_confirms_the_address_and_queues_the_account_for_a_moderator()
    {
        await _fixture.SetModeAsync(RegistrationMode.ApprovalRequired);
        var key = await _fixture.SignUpAsync("pending", "pending@example.org");
        var submitted = _fixture.Clock.Now.UtcDateTime;
        _fixture.Clock.Advance(TimeSpan.FromHours(3));

        var result = await Registrations.ActivateAsync(key);

        Assert.Equal((ActivationOutcome.AwaitingApproval, (ActivationProblem?)null, submitted), (result.Outcome!.Value, result.Problem, result.WaitingSince!.Value));
        var user = (await _fixture.UserAsync("pending@example.org"))!;
        Assert.Equal(AccountStatus.AwaitingApproval, user.Status);
        Assert.True(user.EmailConfirmed);
        Assert.Null(user.ActivatedAt);
        var signUp = await _fixture.SignUpRowAsync("pending@example.org");
        Assert.Equal((SignUpStatus.AwaitingApproval, _fixture.Clock.Now.UtcDateTime), (signUp.Status, signUp.ConfirmedAt!.Value));
        Assert.Empty(await _fixture.Portal.AuditAsync(AuditActions.RegistrationActivated));
        Assert.Equal(submitted, (await Registrations.OpenActivationAsync(key)).WaitingSince);
        await using var db = await _fixture.Portal.DbAsync();
        Assert.True(await db.AuditEntries.AnyAsync(e => e.Action == "registration.confirmed" && e.TargetId == user.Id));
    }

    [DatabaseTheory]
    [InlineData(RegistrationMode.InviteOnly)]
    [InlineData(RegistrationMode.Closed)]
    public async Task Sign_up_is_refused_when_the_mode_allows_none(RegistrationMode mode)
    {
        await _fixture.SetModeAsync(mode);

        var result = await Registrations.RegisterAsync(Form("hopeful", "hopeful@example.org"), null);

        Assert.Equal(SignUpOutcome.Closed, result.Outcome);
        Assert.Null(await _fixture.UserAsync("hopeful@example.org"));
        Assert.Equal(0, await _fixture.MailCountAsync("hopeful@example.org", nameof(ActivationMail)));
    }

    [DatabaseTheory]
    [InlineData("admin")]
    [InlineData("adm1n")]
    [InlineData("r00t")]
    [InlineData("supp0rt")]
    [InlineData("s.u.p.p.o.r.t")]
    [InlineData("he1p")]
    [InlineData("m0d3rat0r")]
    public async Task Reserved_and_look_alike_user_names_are_refused(string userName)
    {
        var result = await Registrations.RegisterAsync(Form(userName, "sneaky@example.org"), null);

        Assert.Equal(SignUpOutcome.Invalid, result.Outcome);
        Assert.Equal("That user name is reserved: choose another.", result.Errors[nameof(SignUpForm.UserName)]);
        Assert.Null(await _fixture.UserAsync("sneaky@example.org"));
    }

    [DatabaseFact]
    public async Task Every_field_says_what_is_wrong_with_it()
    {
        var result = await Registrations.RegisterAsync(Form("x", "not-an-address", "short", "other"), null);

        Assert.Equal(SignUpOutcome.Invalid, result.Outcome);
        Assert.Equal(
            [nameof(SignUpForm.ConfirmPassword), nameof(SignUpForm.Email), nameof(SignUpForm.Password), nameof(SignUpForm.UserName)],
            result.Errors.Keys.Order());
        Assert.DoesNotContain(result.Errors.Values, e => e.Contains("short", StringComparison.Ordinal) && e.Contains("other", StringComparison.Ordinal));
    }

    [DatabaseFact]
    public async Task A_taken_user_name_is_refused()
    {
        await _fixture.SignUpAsync("taken", "first@example.org");

        var result = await Registrations.RegisterAsync(Form("TAKEN", "second@example.org"), null);

        Assert.Equal("That user name is taken: choose another.", result.Errors[nameof(SignUpForm.UserName)]);
        Assert.Null(await _fixture.UserAsync("second@example.org"));
    }

    [DatabaseFact]
    public async Task An_address_with_an_account_gets_a_warning_mail_and_no_new_account()
    {
        var member = await _fixture.Portal.CreateUserAsync("member@example.org");

        var result = await Registrations.RegisterAsync(Form("imposter", "Member@Example.org"), null);

        Assert.Equal(SignUpOutcome.Accepted, result.Outcome);
        Assert.Equal(1, await _fixture.MailCountAsync("member@example.org", nameof(AlreadyRegisteredMail)));
        Assert.Equal(0, await _fixture.MailCountAsync("member@example.org", nameof(ActivationMail)));
        var user = (await _fixture.UserAsync("member@example.org"))!;
        Assert.Equal((member.UserName, member.PasswordHash), (user.UserName, user.PasswordHash));
        Assert.Empty(await _fixture.Portal.AuditAsync(AuditActions.RegistrationSignedUp));
        await using var db = await _fixture.Portal.DbAsync();
        Assert.False(await db.SignUps.AnyAsync());
    }

    [DatabaseFact]
    public async Task Signing_up_again_while_awaiting_activation_sends_a_fresh_link_and_changes_nothing_else()
    {
        var old = await _fixture.SignUpAsync("first.try", "again@example.org");
        var before = await _fixture.UserAsync("again@example.org");

        var result = await Registrations.RegisterAsync(Form("second.try", "again@example.org", "another long passphrase"), null);

        Assert.Equal(SignUpOutcome.Accepted, result.Outcome);
        var fresh = await _fixture.KeySentToAsync("again@example.org");
        Assert.NotEqual(old, fresh);
        Assert.Equal(ActivationProblem.Replaced, (await Registrations.OpenActivationAsync(old)).Problem);
        var after = (await _fixture.UserAsync("again@example.org"))!;
        Assert.Equal((before!.UserName, before.PasswordHash), (after.UserName, after.PasswordHash));
        Assert.Single(await _fixture.Portal.AuditAsync(AuditActions.RegistrationSignedUp));
    }

    [DatabaseFact]
    public async Task Opted_out_and_invited_addresses_get_nothing_and_no_account()
    {
        await using (var db = await _fixture.Portal.DbAsync())
        {
            await _fixture.Portal.Get<OptOutList>().AddAsync(db, "gone@example.org", OptOutSource.Page);
            await db.SaveChangesAsync();
        }
        var invited = await _fixture.Portal.CreateUserAsync("invited@example.org", password: null, state: AccountState.Invited, emailConfirmed: false);

        var optedOut = await Registrations.RegisterAsync(Form("gone", "gone@example.org"), null);
        var invitedResult = await Registrations.RegisterAsync(Form("invitee", "invited@example.org"), null);

        Assert.Equal((SignUpOutcome.Accepted, SignUpOutcome.Accepted), (optedOut.Outcome, invitedResult.Outcome));
        Assert.Null(await _fixture.UserAsync("gone@example.org"));
        Assert.Equal(invited.UserName, (await _fixture.UserAsync("invited@example.org"))!.UserName);
        await using var check = await _fixture.Portal.DbAsync();
        Assert.False(await check.OutboxMessages.AnyAsync(m => m.Recipient == "gone@example.org" || m.Recipient == "invited@example.org"));
        Assert.Empty(await _fixture.Portal.AuditAsync(AuditActions.RegistrationSignedUp));
    }

    [DatabaseFact]
    public async Task Parallel_sign_ups_all_land_and_a_contested_name_goes_to_one_of_them()
    {
        var distinct = Enumerable.Range(0, 8).Select(i => Task.Run(() => Registrations.RegisterAsync(Form($"crowd{i}", $"crowd{i}@example.org"), null)));
        var contested = Enumerable.Range(0, 4).Select(i => Task.Run(() => Registrations.RegisterAsync(Form("popular", $"fan{i}@example.org"), null)));

        var results = await Task.WhenAll(distinct.Concat(contested));

        Assert.All(results.Take(8), r => Assert.Equal(SignUpOutcome.Accepted, r.Outcome));
        Assert.Single(results.Skip(8), r => r.Outcome == SignUpOutcome.Accepted);
        Assert.All(results.Skip(8).Where(r => r.Outcome != SignUpOutcome.Accepted),
            r => Assert.Equal("That user name is taken: choose another.", r.Errors[nameof(SignUpForm.UserName)]));
        await using var db = await _fixture.Portal.DbAsync();
        Assert.Equal(9, await db.SignUps.CountAsync());
        Assert.Equal(9, await db.ActivationKeys.CountAsync());
        Assert.Equal(9, (await _fixture.Portal.AuditAsync(AuditActions.RegistrationSignedUp)).Count);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _fixture.DisposeAsync().AsTask();
}

public sealed class RegistrationsOnPostgresTests() : RegistrationsTests(DatabaseProvider.Postgres), IPostgresVariant;
