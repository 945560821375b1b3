using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Features.Registration;
using Portal.Identity;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Features.Registration;

public sealed class RegistrationReviewTests(RegistrationReviewTests.Fixture fixture) : IClassFixture<RegistrationReviewTests.Fixture>
{
    private static readonly Actor Moderator = new("moderator-id", "Mona Moderator", new HashSet<string> { Roles.Moderator });
    private static readonly Actor OtherModerator = new("moderator-2-id", "Otto Moderator", new HashSet<string> { Roles.Moderator });
    private static readonly Actor Admin = new("admin-id", "Grace Admin", new HashSet<string> { Roles.Admin });
    private static readonly Actor Member = new("member-id", "Max Member", new HashSet<string>());

    private TestPortal Portal => fixture.Portal;

    private RegistrationReview Review => Portal.Get<RegistrationReview>();

    private static string Tag() => Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task Approving_activates_the_account_mails_the_applicant_audits_and_raises_events()
    {
        var (user, signUp) = await Portal.SeedSignUpAsync($"approve-{Tag()}@example.org");
        Assert.False((await CheckPasswordAsync(user.Id)).Succeeded);

        var result = await Review.ApproveAsync(Moderator, [signUp.Id]);

        Assert.Equal(1, result.Decided);
        Assert.Empty(result.Skipped);
        Assert.True((await CheckPasswordAsync(user.Id)).Succeeded);
        await using (var db = await Portal.DbAsync())
        {
            var account = await db.Users.SingleAsync(u => u.Id == user.Id);
            Assert.Equal(AccountStatus.Active, account.Status);
            Assert.NotNull(account.ActivatedAt);
            var application = await db.SignUps.SingleAsync(s => s.Id == signUp.Id);
            Assert.Equal(
                (SignUpStatus.Active, (string?)Moderator.UserId, (string?)Moderator.Name, (string?)null),
                (application.Status, application.DecidedById, application.DecidedByName, application.Reason));
            Assert.NotNull(application.DecidedAt);
        }
        var mail = await Portal.Mail.DeliveredAsync(user.Email!, "account is ready");
        Assert.Contains($"Hello {user.UserName}", mail.Text);
        Assert.Equal("https://portal.test/Identity/Account/Login", mail.LinkContaining("Identity/Account/Login"));
        Assert.Empty(mail.Defects);
        var entry = Assert.Single(await AuditAsync("registration.approved", signUp.Id));
        Assert.Equal((Moderator.Name, user.Email), (entry.ActorName, entry.TargetName));
    }

    [Fact]
    public async Task Rejecting_keeps_the_application_with_reason_deletes_the_account_and_mails_the_reason()
    {
        var (user, signUp) = await Portal.SeedSignUpAsync($"reject-{Tag()}@example.org");
        const string reason = "We could not confirm who you are: <please> write to us.";

        var result = await Review.RejectAsync(Moderator, [signUp.Id], "  " + reason + " ");

        Assert.Equal(1, result.Decided);
        await using (var db = await Portal.DbAsync())
        {
            Assert.False(await db.Users.AnyAsync(u => u.Id == user.Id));
            var application = await db.SignUps.SingleAsync(s => s.Id == signUp.Id);
            Assert.Equal(
                (SignUpStatus.Rejected, (string?)null, (string?)reason, (string?)Moderator.Name, (string?)Moderator.UserId),
                (application.Status, application.UserId, application.Reason, application.DecidedByName, application.DecidedById));
            Assert.NotNull(application.DecidedAt);
            Assert.Equal(user.Email, application.Email);
        }
        var mail = await Portal.Mail.DeliveredAsync(user.Email!, "was not approved");
        Assert.Contains(reason, mail.Text);
        Assert.Contains("We could not confirm who you are: &lt;please&gt; write to us.", mail.Html);
        var entry = Assert.Single(await AuditAsync("registration.rejected", signUp.Id));
        Assert.Equal((Moderator.Name, reason), (entry.ActorName, entry.Details));

        var listed = await Review.ListAsync(Moderator, new SignUpQuery(SignUpStatus.Rejected, Search: user.Email), new PageRequest());
        var row = Assert.Single(listed.Items);
        Assert.Equal((reason, Moderator.Name), (row.Reason, row.DecidedByName));
    }

    [Fact]
    public async Task Many_are_approved_or_rejected_at_once()
    {
        var tag = Tag();
        var approve = new[] { await Portal.SeedSignUpAsync($"a1@{tag}.example"), await Portal.SeedSignUpAsync($"a2@{tag}.example") };
        var reject = new[] { await Portal.SeedSignUpAsync($"r1@{tag}.example"), await Portal.SeedSignUpAsync($"r2@{tag}.example") };

        var approved = await Review.ApproveAsync(Moderator, [.. approve.Select(s => s.SignUp.Id)]);
        var rejected = await Review.RejectAsync(Admin, [.. reject.Select(s => s.SignUp.Id)], "Members only.");

        Assert.Equal((2, 2), (approved.Decided, rejected.Decided));
        var rows = await Review.ListAsync(Moderator, new SignUpQuery(null, Domain: $"{tag}.example"), new PageRequest(SortBy: nameof(SignUpRow.Email)));
        Assert.Equal(
            [("a1@" + tag + ".example", SignUpStatus.Active), ("a2@" + tag + ".example", SignUpStatus.Active),
             ("r1@" + tag + ".example", SignUpStatus.Rejected), ("r2@" + tag + ".example", SignUpStatus.Rejected)],
            rows.Items.Select(r => (r.Email, r.Status)));
        foreach (var (user, _) in approve)
        {
            Assert.True((await CheckPasswordAsync(user.Id)).Succeeded);
        }
        foreach (var (user, _) in reject)
        {
            Assert.Contains("Members only.", (await Portal.Mail.DeliveredAsync(user.Email!, "was not approved")).Text);
        }
    }

    [Fact]
    public async Task A_sign_up_decided_by_one_moderator_is_not_decided_again_by_another()
    {
        var tag = Tag();
        var (_, first) = await Portal.SeedSignUpAsync($"first-{tag}@example.org");
        var (_, second) = await Portal.SeedSignUpAsync($"second-{tag}@example.org");
        await Review.ApproveAsync(Moderator, [first.Id]);

        var late = await Review.RejectAsync(OtherModerator, [first.Id, second.Id], "Too late for the first.");

        Assert.Equal(1, late.Decided);
        var skipped = Assert.Single(late.Skipped);
        Assert.Equal((first.Id, "was already approved by Mona Moderator"), (skipped.Id, skipped.Why));
        await using var db = await Portal.DbAsync();
        Assert.Equal(SignUpStatus.Active, (await db.SignUps.SingleAsync(s => s.Id == first.Id)).Status);
        Assert.Equal("Mona Moderator", (await db.SignUps.SingleAsync(s => s.Id == first.Id)).DecidedByName);
        Assert.Equal(SignUpStatus.Rejected, (await db.SignUps.SingleAsync(s => s.Id == second.Id)).Status);
    }

    [Fact]
    public async Task Moderators_deciding_at_the_same_moment_decide_once()
    {
        var (user, signUp) = await Portal.SeedSignUpAsync($"race-{Tag()}@example.org");

        // Six moderators on their own threads, half approving and half rejecting.
        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(n => Task.Run(() =>
        {
            var actor = new Actor($"moderator-{n}", $"Moderator {n}", new HashSet<string> { Roles.Moderator });
            return n % 2 == 0 ? Review.ApproveAsync(actor, [signUp.Id]) : Review.RejectAsync(actor, [signUp.Id], "Not for us.");
        })));

        Assert.Equal(1, results.Sum(r => r.Decided));
        Assert.All(results.Where(r => r.Decided == 0), r => Assert.Single(r.Skipped));
        await using var db = await Portal.DbAsync();
        var stored = await db.SignUps.SingleAsync(s => s.Id == signUp.Id);
        Assert.Equal(stored.Status == SignUpStatus.Active ? 1 : 0, await db.Users.CountAsync(u => u.Id == user.Id));
        Assert.Equal(1, await db.OutboxMessages.CountAsync(m => m.Recipient == user.Email));
        Assert.Equal(1, await db.AuditEntries.CountAsync(e => e.TargetType == RegistrationReview.AuditTargetType && e.TargetId == signUp.Id.ToString()));
    }

    [Fact]
    public async Task Only_moderators_and_admins_may_list_count_or_decide()
    {
        var (_, signUp) = await Portal.SeedSignUpAsync($"guarded-{Tag()}@example.org");

        foreach (var actor in new[] { Member, Actor.Visitor })
        {
            await Assert.ThrowsAsync<UnauthorizedAccessException>(() => Review.ListAsync(actor, new SignUpQuery(), new PageRequest()));
            await Assert.ThrowsAsync<UnauthorizedAccessException>(() => Review.CountAwaitingAsync(actor));
            await Assert.ThrowsAsync<UnauthorizedAccessException>(() => Review.ApproveAsync(actor, [signUp.Id]));
            await Assert.ThrowsAsync<UnauthorizedAccessException>(() => Review.RejectAsync(actor, [signUp.Id], "No."));
        }

        await using var db = await Portal.DbAsync();
        Assert.Equal(SignUpStatus.AwaitingApproval, (await db.SignUps.SingleAsync(s => s.Id == signUp.Id)).Status);
        Assert.True((await Review.CountAwaitingAsync(Moderator)) >= 1);
    }

    [Fact]
    public async Task Rejecting_without_a_reason_or_with_an_overlong_one_is_refused()
    {
        var (user, signUp) = await Portal.SeedSignUpAsync($"noreason-{Tag()}@example.org");

        foreach (var reason in new[] { "", "   ", new string('x', RegistrationLimits.ReasonLength + 1) })
        {
            await Assert.ThrowsAsync<ArgumentException>(() => Review.RejectAsync(Moderator, [signUp.Id], reason));
        }

        await using var db = await Portal.DbAsync();
        Assert.Equal(SignUpStatus.AwaitingApproval, (await db.SignUps.SingleAsync(s => s.Id == signUp.Id)).Status);
        Assert.True(await db.Users.AnyAsync(u => u.Id == user.Id));
    }

    [Fact]
    public async Task Nobody_decides_on_their_own_sign_up()
    {
        var (user, signUp) = await Portal.SeedSignUpAsync($"self-{Tag()}@example.org");
        var self = new Actor(user.Id, user.UserName!, new HashSet<string> { Roles.Moderator });

        var result = await Review.ApproveAsync(self, [signUp.Id]);

        Assert.Equal(0, result.Decided);
        Assert.Contains("your own sign-up", Assert.Single(result.Skipped).Why);
        Assert.False((await CheckPasswordAsync(user.Id)).Succeeded);
    }

    [Fact]
    public async Task A_sign_up_still_awaiting_activation_is_listed_unconfirmed_and_cannot_be_approved()
    {
        var tag = Tag();
        var (user, signUp) = await Portal.SeedSignUpAsync($"early@{tag}.example", SignUpStatus.AwaitingActivation);

        var row = Assert.Single((await Review.ListAsync(Moderator, new SignUpQuery(SignUpStatus.AwaitingActivation, Domain: $"{tag}.EXAMPLE"), new PageRequest())).Items);
        var result = await Review.ApproveAsync(Moderator, [signUp.Id]);

        Assert.False(row.EmailConfirmed);
        Assert.Equal("has not confirmed the address yet", Assert.Single(result.Skipped).Why);
        Assert.False((await CheckPasswordAsync(user.Id)).Succeeded);
    }

    [Fact]
    public async Task The_domain_filter_finds_an_international_domain_typed_in_unicode_or_punycode()
    {
        var tag = Tag();
        await Portal.SeedSignUpAsync($"anna@bücher-{tag}.example");
        await Portal.SeedSignUpAsync($"ben@bucher-{tag}.example");
        var ascii = new System.Globalization.IdnMapping().GetAscii($"bücher-{tag}.example");

        foreach (var typed in new[] { $"bücher-{tag}.example", $"@BÜCHER-{tag}.Example", ascii })
        {
            var row = Assert.Single((await Review.ListAsync(Moderator, new SignUpQuery(Domain: typed), new PageRequest())).Items);
            Assert.Equal($"anna@{ascii}", row.Email);
        }
        Assert.Equal($"anna@bücher-{tag}.example", EmailAddress.Readable($"anna@{ascii}"));
    }

    [Fact]
    public async Task The_queue_lists_awaiting_sign_ups_by_default_filters_sorts_and_counts_earlier_rejections()
    {
        var tag = Tag();
        var start = DateTime.UtcNow.AddHours(-3);
        var (_, rejectedBefore) = await Portal.SeedSignUpAsync($"again@{tag}.example", createdAt: start);
        await Review.RejectAsync(Moderator, [rejectedBefore.Id], "Try again with your work address.");
        await Portal.SeedSignUpAsync($"Again@{tag}.example", createdAt: start.AddHours(1));
        await Portal.SeedSignUpAsync($"zed@{tag}.example", createdAt: start.AddHours(2));
        await Portal.SeedSignUpAsync($"waiting@{tag}.example", SignUpStatus.AwaitingActivation);
        await Portal.SeedSignUpAsync($"other-{tag}@elsewhere.example");

        var queue = await Review.ListAsync(Moderator, new SignUpQuery(Domain: $"{tag}.example"), new PageRequest());
        var byEmail = await Review.ListAsync(Moderator, new SignUpQuery(Domain: $"{tag}.example"),
            new PageRequest(SortBy: nameof(SignUpRow.Email), Descending: true));
        var searched = await Review.ListAsync(Moderator, new SignUpQuery(Search: $"zed@{tag}"), new PageRequest());
        var rejected = await Review.ListAsync(Admin, new SignUpQuery(SignUpStatus.Rejected, Domain: $"{tag}.example"), new PageRequest());

        Assert.Equal([$"Again@{tag}.example", $"zed@{tag}.example"], queue.Items.Select(r => r.Email));
        Assert.Equal(2, queue.Total);
        Assert.All(queue.Items, r => Assert.True(r.EmailConfirmed));
        Assert.Equal([1, 0], queue.Items.Select(r => r.RejectedBefore));
        Assert.Equal([$"zed@{tag}.example", $"Again@{tag}.example"], byEmail.Items.Select(r => r.Email));
        Assert.Equal($"zed@{tag}.example", Assert.Single(searched.Items).Email);
        Assert.Equal($"again@{tag}.example", Assert.Single(rejected.Items).Email);
    }

    private async Task<SignInResult> CheckPasswordAsync(string userId)
    {
        await using var scope = Portal.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var signIn = scope.ServiceProvider.GetRequiredService<SignInManager<PortalUser>>();
        var user = await users.FindByIdAsync(userId);
        return user is null ? SignInResult.Failed : await signIn.CheckPasswordSignInAsync(user, TestPortal.DefaultPassword, lockoutOnFailure: false);
    }

    private async Task<IReadOnlyList<AuditEntry>> AuditAsync(string action, long signUpId)
    {
        await using var db = await Portal.DbAsync();
        var id = signUpId.ToString();
        return await db.AuditEntries.Where(e => e.Action == action && e.TargetType == RegistrationReview.AuditTargetType && e.TargetId == id).ToListAsync();
    }

    /// <summary>One portal for the class.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        public TestPortal Portal { get; } = TestPortal.WithServices(_ => { });

        public Task InitializeAsync() => Task.CompletedTask;

        public async Task DisposeAsync() => await Portal.DisposeAsync();
    }
}
