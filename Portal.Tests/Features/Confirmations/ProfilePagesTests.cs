using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Features.Confirmations;
using Portal.Identity;
using Portal.Email.Mails.Confirmations;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Features.Confirmations;

public sealed class ProfilePagesTests : IAsyncLifetime
{
    private readonly ConfirmationsPortal _fixture = new();

    private TestPortal Portal => _fixture.Portal;

    private async Task<(PortalUser User, Actor Actor, HttpClient Client)> SignedInMemberAsync(string email)
    {
        var (user, actor) = await _fixture.PersonAsync(email);
        var client = Portal.CreateBrowserlikeClient();
        using var signIn = await client.SignInAsync(email, TestPortal.DefaultPassword);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        return (user, actor, client);
    }

    private static Task<HttpResponseMessage> SaveAsync(HttpClient client, string kind, Dictionary<string, string> fields) =>
        client.SubmitFormAsync("/account/profile", fields, $"form[data-form={kind}]");

    [Theory]
    [InlineData("/account/profile")]
    [InlineData("/account/changes")]
    [InlineData("/account/changes/1/code")]
    public async Task Anonymous_visitors_are_sent_to_sign_in(string path)
    {
        using var client = Portal.CreateBrowserlikeClient();

        using var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = new Uri(new Uri("https://portal.test/"), response.Headers.Location!);
        Assert.Equal("/Identity/Account/Login", location.AbsolutePath);
        Assert.Contains(Uri.EscapeDataString(path), location.Query);
    }

    [Fact]
    public async Task The_profile_shows_the_current_values_with_the_bank_account_masked()
    {
        var (user, _, client) = await SignedInMemberAsync("shown@example.org");
        await _fixture.EditDirectlyAsync("phone", user.Id, new Dictionary<string, string?> { ["PhoneNumber"] = "+49 151 1111 2222" });
        await _fixture.EditDirectlyAsync("bank-account", user.Id, ConfirmationsPortal.Proposal("bank-account"));
        await _fixture.EditDirectlyAsync("profile", user.Id, new Dictionary<string, string?> { ["DisplayName"] = "Shown Person" });

        var page = await client.GetPageAsync("/account/profile");

        string Value(string field) => page.QuerySelector($"dd[data-field={field}]")!.TextContent;
        Assert.Equal("shown@example.org", Value("Email"));
        Assert.Equal("+4915111112222", Value("PhoneNumber"));
        Assert.Equal("Shown Person", Value("DisplayName"));
        Assert.Equal("not set", Value("City"));
        Assert.Equal("DE89 •••• 3000", Value("Iban"));
        Assert.DoesNotContain("DE89370400440532013000", page.Body!.InnerHtml);
    }

    [Fact]
    public async Task Saving_a_phone_number_stores_a_pending_change_and_says_where_the_code_went()
    {
        var (user, _, client) = await SignedInMemberAsync("phone@example.org");

        using var response = await SaveAsync(client, "phone", new() { ["PhoneNumber"] = "+49 151 2345 6789" });

        var page = await Forms.ParseAsync(response);
        Assert.Contains("We sent a code to +49 *** **89", page.QuerySelector(".portal-profile-result")!.TextContent);
        Assert.NotNull(page.QuerySelector(".portal-profile-result a[href='account/changes']"));
        await using var db = await Portal.DbAsync();
        var change = await db.DeferredChanges.SingleAsync(c => c.TargetId == user.Id);
        Assert.Equal(("phone", ChangeStatus.Pending), (change.Kind, change.Status));
        Assert.Null((await _fixture.UserAsync(user.Id)).PhoneNumber);
        Assert.Single(await db.SmsMessages.Where(m => m.ChangeId == change.Id).ToListAsync());
    }

    [Fact]
    public async Task A_refused_save_shows_the_error_by_its_field_keeps_the_input_and_never_the_password()
    {
        var (user, _, client) = await SignedInMemberAsync("refused@example.org");

        using var response = await SaveAsync(client, "email", new() { ["Email"] = "not-an-address", ["CurrentPassword"] = "wrong password typed" });

        var page = await Forms.ParseAsync(response);
        var form = page.QuerySelector("form[data-form=email]")!;
        Assert.NotNull(form.QuerySelector(".portal-field-invalid #email-currentpassword"));
        Assert.Contains("not your current password", form.TextContent);
        Assert.Equal("not-an-address", form.QuerySelector<IHtmlInputElement>("#email-email")!.Value);
        Assert.DoesNotContain("wrong password typed", page.Body!.InnerHtml);
        Assert.True(page.QuerySelector<IHtmlDetailsElement>("#email details")!.IsOpen);

        using var invalid = await SaveAsync(client, "email", new() { ["Email"] = "not-an-address", ["CurrentPassword"] = TestPortal.DefaultPassword });
        var second = await Forms.ParseAsync(invalid);
        Assert.NotNull(second.QuerySelector("form[data-form=email] .portal-field-invalid #email-email"));
        Assert.Null(second.QuerySelector("form[data-form=email] .portal-field-invalid #email-currentpassword"));
        await using var db = await Portal.DbAsync();
        Assert.False(await db.DeferredChanges.AnyAsync(c => c.TargetId == user.Id));
    }

    [Fact]
    public async Task The_pending_changes_page_lists_the_change_and_cancels_it()
    {
        var (user, actor, client) = await SignedInMemberAsync("lister@example.org");
        var requested = await _fixture.RequestAsync(actor, "phone");

        var page = await client.GetPageAsync("/account/changes");
        var row = page.QuerySelector($"[data-change='{requested.ChangeId}']")!;
        Assert.Contains("Waiting for you to confirm", row.TextContent);
        Assert.Contains("Code texted to +49 *** **89", row.TextContent);
        Assert.Contains("+4915123456789", row.QuerySelector("[data-field=PhoneNumber]")!.TextContent);
        Assert.NotNull(row.QuerySelector($"a[href='account/changes/{requested.ChangeId}/code']"));
        Assert.Contains("Triesleft5", row.QuerySelector(".portal-change-facts")!.TextContent.Replace("\n", "").Replace(" ", ""));

        using var cancelled = await client.SubmitFormAsync("/account/changes", new Dictionary<string, string>(), $"[data-change='{requested.ChangeId}'] form:last-of-type");

        var after = await Forms.ParseAsync(cancelled);
        Assert.Contains("The change is cancelled", after.QuerySelector("[role=status]")!.TextContent);
        Assert.Equal(ChangeStatus.Cancelled, (await _fixture.RowAsync(requested.ChangeId!.Value)).Status);
        Assert.Contains("Withdrawn by the requester.", after.QuerySelector($"[data-change='{requested.ChangeId}'] .portal-change-reason")!.TextContent);
        Assert.Null((await _fixture.UserAsync(user.Id)).PhoneNumber);
    }

    [Fact]
    public async Task A_resend_asked_too_soon_is_answered_429_with_Retry_After_and_says_when()
    {
        var (_, actor, client) = await SignedInMemberAsync("eager@example.org");
        var id = (await _fixture.RequestAsync(actor, "phone")).ChangeId!.Value;
        var resendForm = $"[data-change='{id}'] form:first-of-type";

        using var tooSoon = await client.SubmitFormAsync("/account/changes", new Dictionary<string, string>(), resendForm);

        Assert.Equal(HttpStatusCode.TooManyRequests, tooSoon.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(60), tooSoon.Headers.RetryAfter!.Delta);
        var said = (await Forms.ParseAsync(tooSoon)).QuerySelector("[role=status]")!.TextContent;
        Assert.Contains($"You can ask again at {_fixture.Clock.Now.UtcDateTime.AddMinutes(1):HH:mm} UTC, in 60 seconds.", said);
        Assert.Equal(1, await SmsCountAsync(id));

        _fixture.Clock.Advance(TimeSpan.FromMinutes(1));
        using var resent = await client.SubmitFormAsync("/account/changes", new Dictionary<string, string>(), resendForm);
        Assert.Equal(HttpStatusCode.OK, resent.StatusCode);
        Assert.Equal(2, await SmsCountAsync(id));
    }

    [Fact]
    public async Task Asking_past_the_accounts_hourly_limit_is_answered_429_on_every_page_that_sends()
    {
        await using var fixture = new ConfirmationsPortal(p => p.Settings["Confirmations:SendsPerAccountPerHour"] = "2");
        await fixture.PersonAsync("busy@example.org");
        var client = fixture.Portal.CreateBrowserlikeClient();
        (await client.SignInAsync("busy@example.org", TestPortal.DefaultPassword)).Dispose();
        using (var letter = await SaveAsync(client, "postal-address", new() { ["Street"] = "Hauptstraße 5", ["PostalCode"] = "10115", ["City"] = "Berlin", ["Country"] = "de" }))
        {
            Assert.Equal(HttpStatusCode.OK, letter.StatusCode);
        }
        fixture.Clock.Advance(TimeSpan.FromMinutes(10));
        using (var name = await SaveAsync(client, "profile", new() { ["DisplayName"] = "Busy Bee" }))
        {
            Assert.Equal(HttpStatusCode.OK, name.StatusCode);
        }

        using var third = await SaveAsync(client, "phone", new() { ["PhoneNumber"] = "+49 151 2345 6789" });
        await using var db = await fixture.Portal.DbAsync();
        var letterChange = await db.DeferredChanges.SingleAsync(c => c.Kind == "postal-address");
        fixture.Clock.Advance(TimeSpan.FromMinutes(1));
        using var resend = await client.SubmitFormAsync($"/account/changes/{letterChange.Id}/code", new Dictionary<string, string>(), "form[data-form=resend]");

        // Both wait until the first send of the hour is an hour old.
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        Assert.Equal(TimeSpan.FromMinutes(50), third.Headers.RetryAfter!.Delta);
        Assert.Contains("in 50 minutes", (await Forms.ParseAsync(third)).QuerySelector("form[data-form=phone]")!.TextContent);
        Assert.Equal(HttpStatusCode.TooManyRequests, resend.StatusCode);
        Assert.Equal(TimeSpan.FromMinutes(49), resend.Headers.RetryAfter!.Delta);
        Assert.Contains("in 49 minutes", (await Forms.ParseAsync(resend)).QuerySelector("#code-error")!.TextContent);
        Assert.False(await db.DeferredChanges.AnyAsync(c => c.Kind == "phone"));
        Assert.Equal(1, await db.Letters.CountAsync());
    }

    private async Task<int> SmsCountAsync(long changeId)
    {
        await using var db = await Portal.DbAsync();
        return await db.SmsMessages.CountAsync(m => m.ChangeId == changeId);
    }

    [Fact]
    public async Task A_wrong_code_says_how_many_tries_remain_and_the_right_one_applies()
    {
        var (user, actor, client) = await SignedInMemberAsync("coder@example.org");
        var requested = await _fixture.RequestAsync(actor, "phone");
        var code = await _fixture.CodeAsync(requested.ChangeId!.Value);
        var url = $"/account/changes/{requested.ChangeId}/code";

        using var wrong = await client.SubmitFormAsync(url, new Dictionary<string, string> { ["Code"] = ConfirmationsPortal.WrongCode(code) });
        Assert.Contains("4 tries left", (await Forms.ParseAsync(wrong)).QuerySelector("#code-error")!.TextContent);

        using var right = await client.SubmitFormAsync(url, new Dictionary<string, string> { ["Code"] = code });
        Assert.Contains("Change confirmed", (await Forms.ParseAsync(right)).QuerySelector("h1")!.TextContent);
        Assert.Equal("+4915123456789", (await _fixture.UserAsync(user.Id)).PhoneNumber);
    }

    [Fact]
    public async Task The_fifth_wrong_code_kills_it_and_offers_a_new_one()
    {
        var (_, actor, client) = await SignedInMemberAsync("fumbler@example.org");
        var requested = await _fixture.RequestAsync(actor, "phone");
        var wrong = ConfirmationsPortal.WrongCode(await _fixture.CodeAsync(requested.ChangeId!.Value));
        var url = $"/account/changes/{requested.ChangeId}/code";
        for (var i = 0; i < 4; i++)
        {
            (await client.SubmitFormAsync(url, new Dictionary<string, string> { ["Code"] = wrong })).Dispose();
        }

        using var fifth = await client.SubmitFormAsync(url, new Dictionary<string, string> { ["Code"] = wrong });

        var page = await Forms.ParseAsync(fifth);
        Assert.Equal("This code no longer works", page.QuerySelector("h1")!.TextContent);
        Assert.Equal(ChangeStatus.Failed, (await _fixture.RowAsync(requested.ChangeId.Value)).Status);
        using var again = await client.SubmitFormAsync(url, new Dictionary<string, string>());
        Assert.Equal(HttpStatusCode.Redirect, again.StatusCode);
        var newId = long.Parse(again.Headers.Location!.OriginalString.Split('/')[^2], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(ChangeStatus.Pending, (await _fixture.RowAsync(newId)).Status);
        Assert.NotEqual(requested.ChangeId.Value, newId);
    }

    [Fact]
    public async Task Code_entry_is_limited_per_change()
    {
        await using var fixture = new ConfirmationsPortal(p => p.Settings["RateLimits:ChangeConfirmation:PerAddress"] = "2");
        var (_, actor) = await fixture.PersonAsync("limited@example.org");
        var client = fixture.Portal.CreateBrowserlikeClient();
        (await client.SignInAsync("limited@example.org", TestPortal.DefaultPassword)).Dispose();
        var requested = await fixture.RequestAsync(actor, "phone");
        var url = $"/account/changes/{requested.ChangeId}/code";
        var wrong = ConfirmationsPortal.WrongCode(await fixture.CodeAsync(requested.ChangeId!.Value));

        for (var i = 0; i < 2; i++)
        {
            using var allowed = await client.SubmitFormAsync(url, new Dictionary<string, string> { ["Code"] = wrong });
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }
        using var refused = await client.SubmitFormAsync(url, new Dictionary<string, string> { ["Code"] = wrong });

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal(2, (await fixture.RowAsync(requested.ChangeId.Value)).Attempts);
    }

    [Fact]
    public async Task Code_entry_is_limited_per_account_across_its_changes()
    {
        await using var fixture = new ConfirmationsPortal(p => p.Settings["RateLimits:ChangeConfirmation:PerAddress"] = "2");
        var (_, actor) = await fixture.PersonAsync("spread@example.org");
        var client = fixture.Portal.CreateBrowserlikeClient();
        (await client.SignInAsync("spread@example.org", TestPortal.DefaultPassword)).Dispose();
        var phone = (await fixture.RequestAsync(actor, "phone")).ChangeId!.Value;
        var letter = (await fixture.RequestAsync(actor, "postal-address")).ChangeId!.Value;

        using var first = await client.SubmitFormAsync($"/account/changes/{phone}/code",
            new Dictionary<string, string> { ["Code"] = ConfirmationsPortal.WrongCode(await fixture.CodeAsync(phone)) });
        using var second = await client.SubmitFormAsync($"/account/changes/{letter}/code",
            new Dictionary<string, string> { ["Code"] = ConfirmationsPortal.WrongCode(await fixture.CodeAsync(letter)) });
        using var third = await client.SubmitFormAsync($"/account/changes/{letter}/code",
            new Dictionary<string, string> { ["Code"] = await fixture.CodeAsync(letter) });

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (first.StatusCode, second.StatusCode));
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        Assert.Equal(ChangeStatus.Pending, (await fixture.RowAsync(letter)).Status);
    }

    [Fact]
    public async Task Opening_the_confirm_link_changes_nothing_and_pressing_confirm_applies()
    {
        var (user, actor) = await _fixture.PersonAsync("old@example.org");
        await _fixture.RequestAsync(actor, "email");
        var token = await _fixture.TokenAsync("new0@example.net", nameof(EmailChangeMail), ChangeRequests.ConfirmLinkPath);
        using var client = Portal.CreateBrowserlikeClient();
        var url = $"/{ChangeRequests.ConfirmLinkPath}/{token}";

        for (var i = 0; i < 2; i++)
        {
            var page = await client.GetPageAsync(url);
            Assert.Equal("Confirm your change", page.QuerySelector("h1")!.TextContent);
            Assert.Contains("new0@example.net", page.QuerySelector("[data-field=Email]")!.TextContent);
        }
        Assert.Equal("old@example.org", (await _fixture.UserAsync(user.Id)).Email);

        using var confirmed = await client.SubmitFormAsync(url, new Dictionary<string, string>());

        Assert.Equal("Your new address is in effect", (await Forms.ParseAsync(confirmed)).QuerySelector("h1")!.TextContent);
        Assert.Equal("new0@example.net", (await _fixture.UserAsync(user.Id)).Email);
        var reopened = await client.GetPageAsync(url);
        Assert.Equal("This change is done already", reopened.QuerySelector("h1")!.TextContent);
    }

    [Fact]
    public async Task Each_link_problem_has_its_own_page()
    {
        var (_, actor) = await _fixture.PersonAsync("problems@example.org");
        using var client = Portal.CreateBrowserlikeClient();
        async Task<string> HeadingAsync(string path) => (await client.GetPageAsync("/" + path)).QuerySelector("h1")!.TextContent;

        Assert.Equal("This link is not valid", await HeadingAsync($"{ChangeRequests.ConfirmLinkPath}/{new string('x', 43)}"));

        await _fixture.RequestAsync(actor, "email");
        var first = await _fixture.TokenAsync("new0@example.net", nameof(EmailChangeMail), ChangeRequests.ConfirmLinkPath);
        var cancel = await _fixture.TokenAsync("problems@example.org", nameof(EmailChangeNoticeMail), ChangeRequests.CancelLinkPath);
        _fixture.Clock.Advance(TimeSpan.FromHours(25));
        Assert.Equal("This change has expired", await HeadingAsync($"{ChangeRequests.ConfirmLinkPath}/{first}"));
        Assert.Equal("This change has expired", await HeadingAsync($"{ChangeRequests.CancelLinkPath}/{cancel}"));

        await _fixture.RequestAsync(actor, "email", variant: 1);
        Assert.Equal("This change was cancelled", await HeadingAsync($"{ChangeRequests.ConfirmLinkPath}/{first}"));
        var second = await _fixture.TokenAsync("new1@example.net", nameof(EmailChangeMail), ChangeRequests.ConfirmLinkPath);
        using (var confirmed = await client.SubmitFormAsync($"/{ChangeRequests.ConfirmLinkPath}/{second}", new Dictionary<string, string>()))
        {
            Assert.Equal("Your new address is in effect", (await Forms.ParseAsync(confirmed)).QuerySelector("h1")!.TextContent);
        }
        Assert.Equal("This change is done already", await HeadingAsync($"{ChangeRequests.ConfirmLinkPath}/{second}"));
    }

    [Fact]
    public async Task The_old_address_cancels_with_its_link_and_the_new_link_then_says_so()
    {
        var (user, actor) = await _fixture.PersonAsync("mine@example.org");
        await _fixture.RequestAsync(actor, "email");
        var confirm = await _fixture.TokenAsync("new0@example.net", nameof(EmailChangeMail), ChangeRequests.ConfirmLinkPath);
        var cancel = await _fixture.TokenAsync("mine@example.org", nameof(EmailChangeNoticeMail), ChangeRequests.CancelLinkPath);
        using var client = Portal.CreateBrowserlikeClient();
        var url = $"/{ChangeRequests.CancelLinkPath}/{cancel}";

        var shown = await client.GetPageAsync(url);
        Assert.Equal("Cancel the change of address", shown.QuerySelector("h1")!.TextContent);
        Assert.DoesNotContain("new0@example.net", shown.Body!.TextContent);
        using var cancelled = await client.SubmitFormAsync(url, new Dictionary<string, string>());

        Assert.Equal("The change is cancelled", (await Forms.ParseAsync(cancelled)).QuerySelector("h1")!.TextContent);
        var confirmPage = await client.GetPageAsync($"/{ChangeRequests.ConfirmLinkPath}/{confirm}");
        Assert.Equal("This change was cancelled", confirmPage.QuerySelector("h1")!.TextContent);
        using var pressed = await client.PostAsync($"/{ChangeRequests.ConfirmLinkPath}/{confirm}", new FormUrlEncodedContent([]));
        Assert.Equal("mine@example.org", (await _fixture.UserAsync(user.Id)).Email);
    }

    [Fact]
    public async Task Links_and_codes_never_reach_the_logs()
    {
        var logs = new LogCapture();
        await using var fixture = new ConfirmationsPortal(p => p.Settings["Logging:LogLevel:Default"] = "Trace", logs);
        var (_, member) = await fixture.PersonAsync("quiet@example.org");
        var client = fixture.Portal.CreateBrowserlikeClient();
        (await client.SignInAsync("quiet@example.org", TestPortal.DefaultPassword)).Dispose();
        var phone = (await fixture.RequestAsync(member, "phone")).ChangeId!.Value;
        var code = await fixture.CodeAsync(phone);
        await fixture.RequestAsync(member, "email");
        var confirm = await fixture.TokenAsync("new0@example.net", nameof(EmailChangeMail), ChangeRequests.ConfirmLinkPath);
        var cancel = await fixture.TokenAsync("quiet@example.org", nameof(EmailChangeNoticeMail), ChangeRequests.CancelLinkPath);

        (await client.SubmitFormAsync($"/account/changes/{phone}/code", new Dictionary<string, string> { ["Code"] = code })).Dispose();
        await client.GetPageAsync($"/{ChangeRequests.CancelLinkPath}/{cancel}");
        (await client.SubmitFormAsync($"/{ChangeRequests.ConfirmLinkPath}/{confirm}", new Dictionary<string, string>())).Dispose();

        Assert.Equal(ChangeStatus.Applied, (await fixture.RowAsync(phone)).Status);
        Assert.NotEmpty(logs.Lines);
        foreach (var secret in new[] { code, confirm, cancel })
        {
            Assert.DoesNotContain(logs.Lines, line => line.Contains(secret, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Token_pages_send_no_referrer_and_are_not_stored()
    {
        var (_, actor) = await _fixture.PersonAsync("headers@example.org");
        await _fixture.RequestAsync(actor, "email");
        var confirm = await _fixture.TokenAsync("new0@example.net", nameof(EmailChangeMail), ChangeRequests.ConfirmLinkPath);
        var cancel = await _fixture.TokenAsync("headers@example.org", nameof(EmailChangeNoticeMail), ChangeRequests.CancelLinkPath);
        using var client = Portal.CreateBrowserlikeClient();

        foreach (var path in new[] { $"/{ChangeRequests.ConfirmLinkPath}/{confirm}", $"/{ChangeRequests.CancelLinkPath}/{cancel}", $"/{ChangeRequests.ConfirmLinkPath}/unknown" })
        {
            using var response = await client.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
            Assert.Contains("no-store", response.Headers.CacheControl!.ToString());
        }
    }

    [Fact]
    public async Task Identitys_manage_pages_lead_to_the_profile_and_change_nothing()
    {
        var (user, _, client) = await SignedInMemberAsync("identity@example.org");

        using var email = await client.GetAsync("/Identity/Account/Manage/Email");
        Assert.Equal("/account/profile", email.Headers.Location!.OriginalString.Split('#')[0]);
        using var index = await client.GetAsync("/Identity/Account/Manage");
        Assert.Equal("/account/profile", index.Headers.Location!.OriginalString);

        // Identity's form fields, posted as its pages would have (with a valid antiforgery token from
        // another of its pages): they lead to the profile, nothing changes, no mail goes out.
        var token = (await client.GetPageAsync("/Identity/Account/Manage/ChangePassword"))
            .QuerySelector<IHtmlInputElement>("input[name=__RequestVerificationToken]")!.Value;
        using var posted = await client.PostAsync("/Identity/Account/Manage/Email?handler=ChangeEmail",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["Input.NewEmail"] = "taken-over@example.org", ["__RequestVerificationToken"] = token }));
        Assert.Equal("/account/profile", posted.Headers.Location!.OriginalString.Split('#')[0]);
        using var phone = await client.PostAsync("/Identity/Account/Manage",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["Input.PhoneNumber"] = "+49 151 9999 0000", ["__RequestVerificationToken"] = token }));
        Assert.Equal("/account/profile", phone.Headers.Location!.OriginalString);
        var after = await _fixture.UserAsync(user.Id);
        Assert.Equal(("identity@example.org", null), (after.Email, after.PhoneNumber));
        await using var db = await Portal.DbAsync();
        Assert.False(await db.OutboxMessages.AnyAsync(m => m.Recipient == "taken-over@example.org"));
    }

    [Fact]
    public async Task Signed_in_members_find_their_profile_and_changes_from_the_header_and_home_page()
    {
        var (_, _, client) = await SignedInMemberAsync("finder@example.org");

        var home = await client.GetPageAsync("/");

        Assert.NotNull(home.QuerySelector(".portal-topbar-nav a[href='account/profile']"));
        Assert.NotNull(home.QuerySelector(".portal-topbar-nav a[href='account/changes']"));
        Assert.NotNull(home.QuerySelector("main a[href='account/profile']"));
        Assert.NotNull(home.QuerySelector("main a[href='account/changes']"));
    }

    [Fact]
    public async Task Changing_the_password_on_identitys_page_revokes_the_pending_code()
    {
        var (user, member, client) = await SignedInMemberAsync("keys@example.org");
        var id = (await _fixture.RequestAsync(member, "phone")).ChangeId!.Value;
        var code = await _fixture.CodeAsync(id);

        using var response = await client.SubmitFormAsync("/Identity/Account/Manage/ChangePassword", new Dictionary<string, string>
        {
            ["Input.OldPassword"] = TestPortal.DefaultPassword,
            ["Input.NewPassword"] = "a fresh and rather long passphrase",
            ["Input.ConfirmPassword"] = "a fresh and rather long passphrase",
        }, "#change-password-form");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal((ChangeStatus.Cancelled, "Cancelled because the account's password changed."), ((await _fixture.RowAsync(id)).Status, (await _fixture.RowAsync(id)).Reason));
        Assert.Equal(ChangeOutcome.NotPending, (await _fixture.Requests.ConfirmWithCodeAsync(member, id, code)).Outcome);
        Assert.Null((await _fixture.UserAsync(user.Id)).PhoneNumber);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _fixture.DisposeAsync();
}
