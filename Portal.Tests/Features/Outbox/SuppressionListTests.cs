using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Portal.Cli;
using Portal.Data;
using Portal.Features.Invitations;
using Portal.Features.Outbox;
using Portal.Identity;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Features.Outbox;

/// <summary>
/// The suppression list through the real path: a real SMTP server refuses an address with 550, and
/// from then on no invitation goes to it, by any path, until an admin removes it.
/// </summary>
public class SuppressionListTests : IAsyncLifetime
{
    private const string Refusal = "5.1.1 <gone@example.org>: Recipient address rejected: User unknown";

    private static readonly Actor Admin = new("suppression-admin", "Grace Admin", new HashSet<string> { Roles.Admin });

    private readonly TestPortal _portal;
    private readonly string _folder = Directory.CreateTempSubdirectory("portal-suppression-").FullName;
    private SmtpSink _smtp = default!;

    public SuppressionListTests() : this(DatabaseProvider.Sqlite)
    {
    }

    protected SuppressionListTests(DatabaseProvider database)
    {
        _portal = TestPortal.WithServices(_ => { }, database);
    }

    private SuppressionList List => _portal.Get<SuppressionList>();

    private InvitationService Invitations => _portal.Get<InvitationService>();

    public async Task InitializeAsync()
    {
        _smtp = await SmtpSink.StartAsync();
        _smtp.Refuse("gone@example.org", Refusal);
        _portal.Settings["Email:Delivery"] = "Smtp";
        _portal.Settings["Email:Smtp:Host"] = "127.0.0.1";
        _portal.Settings["Email:Smtp:Port"] = _smtp.Port.ToString(CultureInfo.InvariantCulture);
        _portal.Settings["Email:Smtp:Security"] = "None";
    }

    /// <summary>
    /// Invites the address and has the outbox deliver it to the server, which refuses it; returns the
    /// day of the bounce as the inviter is told it.
    /// </summary>
    private async Task<string> BounceAsync()
    {
        Assert.Equal(InviteOutcome.Sent, (await Invitations.InviteAsync("gone@example.org", Admin)).Outcome);
        await _portal.DeliverMailAsync();
        await using var db = await _portal.DbAsync();
        return (await db.MailSuppressions.SingleAsync()).CreatedAt.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
    }

    private async Task<string> InviteFromCsvAsync(string csv, params string[] options)
    {
        var admin = await _portal.CreateUserAsync($"cli-{Guid.NewGuid():N}@example.org", roles: Roles.Admin);
        var path = Path.Combine(_folder, "people.csv");
        await File.WriteAllTextAsync(path, csv);
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await PortalCli.RunAsync(_portal.Services, ["invite", "--csv", path, "--inviter", admin.Email!, .. options], output, error);
        Assert.True(code == 0, error.ToString());
        return output.ToString();
    }

    [DatabaseFact]
    public async Task After_a_550_a_later_invitation_is_refused_with_the_reply_and_a_csv_dry_run_classes_the_address_as_suppressed()
    {
        var bounced = await BounceAsync();

        var again = await Invitations.InviteAsync("Gone@Example.ORG", Admin);

        Assert.Equal(InviteOutcome.Suppressed, again.Outcome);
        Assert.StartsWith($"Mail to this address bounced on {bounced}: 550 {Refusal}", again.Description);
        Assert.EndsWith("; remove it from the suppression list to invite again.", again.Description);

        var dryRun = await InviteFromCsvAsync("email,name\nGONE@example.org,Gone\nfresh@example.org,Fresh\n", "--dry-run");

        Assert.Matches(@"Bounced\s+1", dryRun);
        Assert.Matches(@"New\s+1", dryRun);
        var results = await File.ReadAllLinesAsync(Path.Combine(_folder, "people.results.csv"));
        // Quoted: the server's reply has a comma in it.
        Assert.StartsWith($"2,GONE@example.org,Suppressed,\"Mail to this address bounced on {bounced}: 550 {Refusal}", results[1]);
        await using var db = await _portal.DbAsync();
        Assert.Equal(1, await db.OutboxMessages.CountAsync(m => m.Recipient == "gone@example.org"));
    }

    [DatabaseFact]
    public async Task A_csv_run_skips_a_suppressed_address_with_that_outcome_in_the_results_file()
    {
        await BounceAsync();

        var run = await InviteFromCsvAsync("email\nfresh@example.org\ngone@example.org\n");
        await _portal.DeliverMailAsync();

        Assert.Contains("Sent 1 invitation (Completed).", run);
        var results = await File.ReadAllLinesAsync(Path.Combine(_folder, "people.results.csv"));
        Assert.StartsWith("2,fresh@example.org,Sent,", results[1]);
        Assert.StartsWith("3,gone@example.org,Suppressed,\"Mail to this address bounced on ", results[2]);
        Assert.Equal(["fresh@example.org"], _smtp.Received.Select(m => m.Message.To.Mailboxes.Single().Address));
        await using var db = await _portal.DbAsync();
        Assert.Equal(1, await db.OutboxMessages.CountAsync(m => m.Recipient == "gone@example.org"));
    }

    [DatabaseFact]
    public async Task An_admin_finds_the_address_removes_it_with_a_reason_and_can_invite_it_again()
    {
        await BounceAsync();

        var byAddress = await List.SearchAsync(Admin, "GONE@EXAMPLE", new PageRequest());
        var byReply = await List.SearchAsync(Admin, "user unknown", new PageRequest());
        var neither = await List.SearchAsync(Admin, "someone.else", new PageRequest());

        var entry = Assert.Single(byAddress.Items);
        Assert.Equal(("gone@example.org", entry.Id), (entry.Address, Assert.Single(byReply.Items).Id));
        Assert.StartsWith($"550 {Refusal}", entry.Reply);
        Assert.Equal(0, neither.Total);
        await Assert.ThrowsAsync<ArgumentException>(() => List.RemoveAsync(Admin, entry.Id, " "));
        Assert.True(await List.RemoveAsync(Admin, entry.Id, " Their mailbox was restored, said their IT on 2 March "));
        Assert.False(await List.RemoveAsync(Admin, entry.Id, "again"));

        Assert.Equal(InviteOutcome.Resent, (await Invitations.InviteAsync("Gone@example.org", Admin)).Outcome);
        await using var db = await _portal.DbAsync();
        var removal = await db.AuditEntries.SingleAsync(e => e.Action == "suppression.removed");
        Assert.Equal(("Grace Admin", "gone@example.org", "Their mailbox was restored, said their IT on 2 March"),
            (removal.ActorName, removal.TargetName, removal.Details));
        Assert.Equal(2, await db.OutboxMessages.CountAsync(m => m.Recipient == "gone@example.org"));
    }

    [DatabaseFact]
    public async Task Only_admins_see_or_remove_suppressed_addresses()
    {
        await BounceAsync();
        var moderator = new Actor("m", "mod", new HashSet<string> { Roles.Moderator });
        long id;
        await using (var db = await _portal.DbAsync())
        {
            id = (await db.MailSuppressions.SingleAsync()).Id;
        }

        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => List.SearchAsync(moderator, null, new PageRequest()));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => List.RemoveAsync(moderator, id, "I say so"));

        await using var check = await _portal.DbAsync();
        Assert.True(await check.MailSuppressions.AnyAsync(s => s.Id == id));
        Assert.False(await check.AuditEntries.AnyAsync(e => e.Action == "suppression.removed"));
    }

    public async Task DisposeAsync()
    {
        await _portal.DisposeAsync();
        await _smtp.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }
}

public sealed class SuppressionListOnPostgresTests() : SuppressionListTests(DatabaseProvider.Postgres), IPostgresVariant;
