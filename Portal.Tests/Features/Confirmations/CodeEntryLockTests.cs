using System.Net;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Features.Confirmations;
using Portal.Identity;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Features.Confirmations;

/// <summary>The account-wide limit on wrong codes: each code dies after five, and the account after a run of them.</summary>
public sealed class CodeEntryLockTests : IAsyncLifetime
{
    private const int Limit = 7;

    private readonly ConfirmationsPortal _fixture = new(p =>
    {
        p.Settings["Confirmations:WrongCodesPerAccount"] = Limit.ToString(System.Globalization.CultureInfo.InvariantCulture);
        p.Settings["RateLimits:ChangeConfirmation:PerAddress"] = "100";
        p.Settings["RateLimits:ChangeConfirmation:PerIp"] = "100";
    });

    private ChangeRequests Requests => _fixture.Requests;

    private CodeEntryLocks Locks => _fixture.Portal.Get<CodeEntryLocks>();

    private static async Task<CodePage> EnterAsync(HttpClient client, long changeId, string code)
    {
        using var response = await client.SubmitFormAsync($"/account/changes/{changeId}/code", new Dictionary<string, string> { ["Code"] = code });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return new CodePage(await Forms.ParseAsync(response));
    }

    /// <summary>The parts of the code page a member reads.</summary>
    private sealed record CodePage(AngleSharp.Html.Dom.IHtmlDocument Page)
    {
        public string Heading => Page.QuerySelector("h1")!.TextContent;

        public string CodeError => Page.QuerySelector("#code-error")?.TextContent ?? "";
    }

    [Fact]
    public async Task A_run_of_wrong_codes_across_codes_locks_code_entry_tells_the_member_and_a_moderator_opens_it()
    {
        var (user, member) = await _fixture.PersonAsync("guessed@example.org");
        var (_, moderator) = await _fixture.PersonAsync("mod@example.org", Roles.Moderator);
        var client = _fixture.Portal.CreateBrowserlikeClient();
        (await client.SignInAsync("guessed@example.org", TestPortal.DefaultPassword)).Dispose();
        var first = (await _fixture.RequestAsync(member, "phone")).ChangeId!.Value;
        var firstWrong = ConfirmationsPortal.WrongCode(await _fixture.CodeAsync(first));
        for (var i = 0; i < 5; i++)
        {
            await EnterAsync(client, first, firstWrong);
        }
        // The first code died; asking for a new one does not start the count again.
        var second = (await _fixture.RequestAsync(member, "phone", variant: 1)).ChangeId!.Value;
        var code = await _fixture.CodeAsync(second);
        Assert.Contains("4 tries left", (await EnterAsync(client, second, ConfirmationsPortal.WrongCode(code))).CodeError);

        var locked = await EnterAsync(client, second, ConfirmationsPortal.WrongCode(code));
        var right = await EnterAsync(client, second, code);

        var until = _fixture.Clock.Now.UtcDateTime + TimeSpan.FromDays(1);
        Assert.Contains($"no code is accepted until {until:yyyy-MM-dd HH:mm} UTC", locked.CodeError);
        Assert.Contains("no code is accepted until", right.CodeError);
        Assert.Equal(ChangeStatus.Pending, (await _fixture.RowAsync(second)).Status);
        Assert.Null((await _fixture.UserAsync(user.Id)).PhoneNumber);
        var mail = await _fixture.Portal.Mail.DeliveredAsync("guessed@example.org", "Codes for your Portal account are locked");
        Assert.Contains($"{Limit} wrong confirmation codes in a row", mail.Text);
        Assert.Contains($"{until:yyyy-MM-dd HH:mm} UTC", mail.Text);
        Assert.Equal(1, await AuditCountAsync("account.code-entry-locked", user.Id));
        var listed = Assert.Single(await Locks.ListAsync(moderator));
        Assert.Equal((user.Id, Limit, until), (listed.UserId, listed.WrongCodes, listed.LockedUntil));

        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => Locks.ReleaseAsync(member, user.Id));
        Assert.True(await Locks.ReleaseAsync(moderator, user.Id));
        Assert.Equal(1, await AuditCountAsync("account.code-entry-released", user.Id));
        Assert.Equal("Change confirmed", (await EnterAsync(client, second, code)).Heading);
        Assert.Equal("+33612345678", (await _fixture.UserAsync(user.Id)).PhoneNumber);
        Assert.Empty(await Locks.ListAsync(moderator));
    }

    [Fact]
    public async Task A_right_code_starts_the_count_again_and_a_lock_ends_after_the_waiting_period()
    {
        var (user, member) = await _fixture.PersonAsync("ada@example.org");
        // Six wrong, then the right one: no lock, and the run starts over.
        await WrongCodesAsync(member, "phone", 5);
        var phone = (await _fixture.RequestAsync(member, "phone", variant: 1)).ChangeId!.Value;
        await WrongCodesAsync(member, phone, 1);
        Assert.Equal(ChangeOutcome.Applied, (await Requests.ConfirmWithCodeAsync(member, phone, await _fixture.CodeAsync(phone))).Outcome);
        Assert.Equal(0, (await _fixture.UserAsync(user.Id)).WrongCodes);

        await WrongCodesAsync(member, "postal-address", 5);
        var letter = (await _fixture.RequestAsync(member, "postal-address", variant: 1)).ChangeId!.Value;
        await WrongCodesAsync(member, letter, 1);
        var seventh = await Requests.ConfirmWithCodeAsync(member, letter, ConfirmationsPortal.WrongCode(await _fixture.CodeAsync(letter)));
        Assert.Equal(ChangeOutcome.CodeEntryLocked, seventh.Outcome);

        _fixture.Clock.Advance(TimeSpan.FromDays(1) - TimeSpan.FromSeconds(1));
        Assert.Equal(ChangeOutcome.CodeEntryLocked, (await Requests.ConfirmWithCodeAsync(member, letter, await _fixture.CodeAsync(letter))).Outcome);
        _fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(ChangeOutcome.Applied, (await Requests.ConfirmWithCodeAsync(member, letter, await _fixture.CodeAsync(letter))).Outcome);
        var after = await _fixture.UserAsync(user.Id);
        Assert.Equal((0, (DateTime?)null), (after.WrongCodes, after.CodeEntryLockedUntil));
    }

    /// <summary>Asks for a change of the kind and enters wrong codes for it.</summary>
    private async Task WrongCodesAsync(Actor member, string kind, int count) =>
        await WrongCodesAsync(member, (await _fixture.RequestAsync(member, kind)).ChangeId!.Value, count);

    private async Task WrongCodesAsync(Actor member, long changeId, int count)
    {
        var wrong = ConfirmationsPortal.WrongCode(await _fixture.CodeAsync(changeId));
        for (var i = 0; i < count; i++)
        {
            Assert.NotEqual(ChangeOutcome.CodeEntryLocked, (await Requests.ConfirmWithCodeAsync(member, changeId, wrong)).Outcome);
        }
    }

    private async Task<int> AuditCountAsync(string action, string userId)
    {
        await using var db = await _fixture.Portal.DbAsync();
        return await db.AuditEntries.CountAsync(e => e.Action == action && e.TargetId == userId);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _fixture.DisposeAsync();
}
