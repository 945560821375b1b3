using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Features.Confirmations;
using Portal.Identity;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Features.Confirmations;

public sealed class ChannelQueuesTests : IAsyncLifetime
{
    private static readonly Actor Admin = new("admin-id", "Grace Admin", new HashSet<string> { Roles.Admin });

    private readonly ConfirmationsPortal _fixture = new();

    private ChannelQueues Queues => _fixture.Portal.Get<ChannelQueues>();

    [Fact]
    public async Task Admins_see_texts_letters_and_transfers_and_posting_or_sending_clears_the_code()
    {
        var (_, member) = await _fixture.PersonAsync("ada@example.org");
        var sms = (await _fixture.RequestAsync(member, "phone")).ChangeId!.Value;
        var letter = (await _fixture.RequestAsync(member, "postal-address")).ChangeId!.Value;
        var transfer = (await _fixture.RequestAsync(member, "bank-account")).ChangeId!.Value;
        var letterCode = await _fixture.CodeAsync(letter);

        var texts = (await Queues.SmsOutboxAsync(Admin, new PageRequest())).Items;
        var letters = await Queues.LettersAsync(Admin);
        var transfers = await Queues.TransfersAsync(Admin);

        Assert.Equal((sms, "+4915123456789"), (Assert.Single(texts).ChangeId, texts[0].To));
        Assert.Contains(await _fixture.CodeAsync(sms), texts[0].Body);
        Assert.Equal((letter, letterCode), (Assert.Single(letters).ChangeId, letters[0].Code));
        Assert.Equal(transfer, Assert.Single(transfers).ChangeId);

        Assert.Equal(1, await Queues.MarkLettersPostedAsync(Admin, [letters[0].Id]));
        Assert.Equal(0, await Queues.MarkLettersPostedAsync(Admin, [letters[0].Id]));
        Assert.Equal(1, await Queues.MarkTransfersSentAsync(Admin, [transfers[0].Id]));

        Assert.Empty(await Queues.LettersAsync(Admin));
        var posted = Assert.Single(await Queues.LettersAsync(Admin, unpostedOnly: false));
        Assert.Equal((null, "Grace Admin"), (posted.Code, posted.PostedByName));
        Assert.Null(Assert.Single(await Queues.TransfersAsync(Admin, unsentOnly: false)).Reference);
        // The member still confirms with the code from the posted letter.
        Assert.Equal(ChangeOutcome.Applied, (await _fixture.Requests.ConfirmWithCodeAsync(member, letter, letterCode)).Outcome);
    }

    [Fact]
    public async Task A_letter_carries_its_code_expiry_and_posting_or_sending_is_audited_with_who()
    {
        var (_, member) = await _fixture.PersonAsync("ada@example.org");
        var letter = (await _fixture.RequestAsync(member, "postal-address")).ChangeId!.Value;
        await _fixture.RequestAsync(member, "bank-account");

        var row = Assert.Single(await Queues.LettersAsync(Admin));
        Assert.Equal((await _fixture.RowAsync(letter)).ExpiresAt, row.ExpiresAt);
        await Queues.MarkLettersPostedAsync(Admin, [row.Id]);
        await Queues.MarkTransfersSentAsync(Admin, [Assert.Single(await Queues.TransfersAsync(Admin)).Id]);

        await using var db = await _fixture.Portal.DbAsync();
        var entries = await db.AuditEntries.Where(e => e.Action == "letters.posted" || e.Action == "transfers.sent").OrderBy(e => e.Id).ToListAsync();
        Assert.Equal([("letters.posted", "Grace Admin", "1 letter(s)"), ("transfers.sent", "Grace Admin", "1 transfer(s)")],
            entries.Select(e => (e.Action, e.ActorName, e.Details)));
    }

    [Fact]
    public async Task Members_and_moderators_cannot_read_the_channel_queues()
    {
        var (_, moderator) = await _fixture.PersonAsync("mod@example.org", Roles.Moderator);

        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => Queues.SmsOutboxAsync(moderator, new PageRequest()));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => Queues.LettersAsync(moderator));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => Queues.TransfersAsync(moderator));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => Queues.MarkLettersPostedAsync(moderator, [1]));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => Queues.MarkTransfersSentAsync(moderator, [1]));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _fixture.DisposeAsync();
}
