using Bunit;
using Microsoft.EntityFrameworkCore;
using MudBlazor;
using Portal.Data;
using Portal.Features.Confirmations;
using Portal.Identity;

namespace Portal.Tests.Components;

/// <summary>The admins' pages of the confirmation channels: letters to post, transfers to send, text messages held.</summary>
public sealed class ChannelQueuePagesTests : ModerationPageTest
{
    [Fact]
    public async Task A_queued_letter_is_listed_and_printed_with_its_code_and_the_empty_queue_says_so()
    {
        var member = await MemberAsync("carla@example.org");
        var change = await RequestAsync(member, "postal-address");
        await SignInNewAsync("chief@example.org", Roles.Admin);
        var letter = await FirstAsync(db => db.Letters.Where(l => l.ChangeId == change));

        var cut = RenderPage<LettersPage>();

        Eventually(cut, () => Assert.Contains("Hauptstraße 5", Assert.Single(Rows(cut, "letters")).TextContent));
        Assert.Equal("To post", Rows(cut, "letters")[0].QuerySelector("[data-status]")!.GetAttribute("data-status"));
        await ClickAsync(cut, () => Button(cut, "Print view"));
        var printed = cut.Find($"[data-letter='{letter.Id}']");
        Assert.Equal(letter.Code, printed.QuerySelector("[data-code=letter]")!.TextContent);
        Assert.Contains(ChangeRequests.ProfilePath, printed.TextContent);
        Assert.NotNull(cut.Find(".portal-no-print h1"));
        await ClickAsync(cut, () => Button(cut, "Print"));
        Context.JSInterop.VerifyInvoke("print");

        await ClickAsync(cut, () => Button(cut, "Back to the list"));
        Eventually(cut, () => Assert.Single(Rows(cut, "letters")));
    }

    [Fact]
    public async Task A_letter_is_printed_in_its_members_language_whatever_the_admins()
    {
        var member = await MemberAsync("greta@example.org");
        await using (var db = await Portal.DbAsync())
        {
            await db.Users.Where(u => u.Id == member.UserId).ExecuteUpdateAsync(s => s.SetProperty(u => u.Language, "de"));
        }
        var change = await RequestAsync(member, "postal-address");
        await SignInNewAsync("printer@example.org", Roles.Admin);
        var letter = await FirstAsync(db => db.Letters.Where(l => l.ChangeId == change));
        var cut = RenderPage<LettersPage>();
        Eventually(cut, () => Assert.Single(Rows(cut, "letters")));

        await ClickAsync(cut, () => Button(cut, "Print view"));

        var printed = cut.Find($"[data-letter='{letter.Id}']");
        Assert.Equal("de", printed.GetAttribute("lang"));
        Assert.StartsWith($"Guten Tag {letter.RecipientName},", printed.QuerySelectorAll("p")[1].TextContent);
        Assert.Matches(@"\d{2}\.\d{2}\.\d{4}|\d{1,2}\. [A-ZÄÖÜ][a-zäöü]+ \d{4}", printed.QuerySelector("strong:last-of-type")!.TextContent);
        Assert.NotNull(Button(cut, "Print"));
    }

    [Fact]
    public async Task Marking_the_selected_letter_posted_clears_its_code_and_only_its_own_after_confirming()
    {
        var member = await MemberAsync("carla@example.org");
        var first = await RequestAsync(member, "postal-address");
        var other = await MemberAsync("dora@example.org");
        var second = await RequestAsync(other, "postal-address", 1);
        var admin = await SignInNewAsync("chief@example.org", Roles.Admin);
        var cut = RenderPage<LettersPage>();
        Eventually(cut, () => Assert.Equal(2, Rows(cut, "letters").Count));
        var recipient = Rows(cut, "letters")[0].QuerySelector(".portal-account-name")!.TextContent;

        await cut.InvokeAsync(() => CheckBox(cut, $"Select the letter to {recipient}").Change(true));
        await ClickAsync(cut, () => Button(cut, "Mark 1 posted"));
        await AnswerAsync(cut, "Cancel", "Mark 1 letter(s) posted?");
        Assert.Null((await FirstAsync(db => db.Letters.Where(l => l.ChangeId == first))).PostedAt);

        await ClickAsync(cut, () => Button(cut, "Mark 1 posted"));
        await AnswerAsync(cut, "Mark posted");

        Eventually(cut, () => Assert.Single(Rows(cut, "letters")));
        var posted = await FirstAsync(db => db.Letters.Where(l => l.ChangeId == first));
        Assert.Equal((admin.UserName, (string?)null), (posted.PostedByName, posted.Code));
        Assert.Null((await FirstAsync(db => db.Letters.Where(l => l.ChangeId == second))).PostedAt);
        Assert.Contains("1 letter(s) marked posted.", Snackbars);

        await cut.InvokeAsync(() => cut.FindComponents<MudCheckBox<bool>>().Single(c => c.Instance.Label == "Show posted letters").Instance.ValueChanged.InvokeAsync(true));
        Eventually(cut, () => Assert.Equal(2, Rows(cut, "letters").Count));
        Assert.Contains($"by {admin.UserName}", Rows(cut, "letters", recipient).Single().TextContent);
    }

    [Fact]
    public async Task An_empty_letter_queue_says_so()
    {
        await SignInNewAsync("chief@example.org", Roles.Admin);

        var cut = RenderPage<LettersPage>();

        Eventually(cut, () => Assert.Contains("No letter is waiting to be posted.", cut.Find("[data-testid=letters]").TextContent));
        Assert.True(Button(cut, "Print view").HasAttribute("disabled"));
        Assert.True(Button(cut, "Mark all posted").HasAttribute("disabled"));
    }

    [Fact]
    public async Task A_transfer_shows_its_reference_and_marking_all_sent_clears_it_after_confirming()
    {
        var member = await MemberAsync("carla@example.org");
        var change = await RequestAsync(member, "bank-account");
        var admin = await SignInNewAsync("chief@example.org", Roles.Admin);
        var transfer = await FirstAsync(db => db.BankTransfers.Where(t => t.ChangeId == change));

        var cut = RenderPage<TransfersPage>();

        Eventually(cut, () => Assert.Equal(transfer.Reference, cut.Find($"[data-reference='{transfer.Id}']").TextContent));
        Assert.Contains("DE89 3704 0044 0532 0130 00", Rows(cut, "transfers")[0].TextContent);
        await ClickAsync(cut, () => Button(cut, "Mark all sent"));
        await AnswerAsync(cut, "Mark sent", "Mark 1 transfer(s) sent?");

        Eventually(cut, () => Assert.Contains("No transfer is waiting to be sent.", cut.Find("[data-testid=transfers]").TextContent));
        var sent = await FirstAsync(db => db.BankTransfers.Where(t => t.Id == transfer.Id));
        Assert.Equal((admin.UserName, (string?)null), (sent.SentByName, sent.Reference));
        Assert.Contains("1 transfer(s) marked sent.", Snackbars);

        await cut.InvokeAsync(() => cut.FindComponents<MudCheckBox<bool>>().Single(c => c.Instance.Label == "Show sent transfers").Instance.ValueChanged.InvokeAsync(true));
        Eventually(cut, () => Assert.Contains($"sent by {admin.UserName}", Assert.Single(Rows(cut, "transfers")).TextContent));
    }

    [Fact]
    public async Task The_text_messages_are_listed_newest_first_ten_to_a_page()
    {
        await using (var db = await Portal.DbAsync())
        {
            for (var i = 0; i < 12; i++)
            {
                db.SmsMessages.Add(new SmsMessage { To = $"+49 151 0000 {i:00}", Body = $"Message number {i}", CreatedAt = DateTime.UtcNow });
            }
            await db.SaveChangesAsync();
        }
        await SignInNewAsync("chief@example.org", Roles.Admin);

        var cut = RenderPage<SmsOutbox>();

        Eventually(cut, () => Assert.Equal(10, cut.FindAll("[data-grid=sms] tbody tr").Count));
        Assert.Contains("Message number 11", cut.FindAll("[data-grid=sms] tbody tr")[0].TextContent);
        var grid = cut.FindComponent<MudDataGrid<SmsRow>>();
        await grid.InvokeAsync(() => grid.Instance.NavigateTo(MudBlazor.Page.Next));
        Eventually(cut, () => Assert.Equal(2, cut.FindAll("[data-grid=sms] tbody tr").Count));
        Assert.Contains("Message number 0", cut.FindAll("[data-grid=sms] tbody tr")[1].TextContent);
    }

    [Fact]
    public async Task No_text_message_says_so()
    {
        await SignInNewAsync("chief@example.org", Roles.Admin);

        var cut = RenderPage<SmsOutbox>();

        Eventually(cut, () => Assert.Contains("No text message was sent.", cut.Find("[data-grid=sms]").TextContent));
    }

    private async Task<T> FirstAsync<T>(Func<PortalDbContext, IQueryable<T>> query) where T : class
    {
        await using var db = await Portal.DbAsync();
        return await query(db).AsNoTracking().FirstAsync();
    }
}
