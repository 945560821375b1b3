using System.Net;
using System.Text.RegularExpressions;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Features.OptOut;
using Portal.Features.Registration;
using Portal.Identity;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Features.Registration;

public sealed partial class RegistrationPagesTests : IAsyncLifetime
{
    private const string Password = "sunrise over quiet hills";

    private readonly RegistrationPortal _fixture = new();

    private TestPortal Portal => _fixture.Portal;

    private static Task<HttpResponseMessage> SignUpAsync(HttpClient client, string userName, string email) =>
        client.SubmitFormAsync("/register", new Dictionary<string, string>
        {
            ["Input.UserName"] = userName,
            ["Input.Email"] = email,
            ["Input.Password"] = Password,
            ["Input.ConfirmPassword"] = Password,
        });

    /// <summary>
    /// The page without its antiforgery values: the form field's, and the token the framework keeps
    /// (encrypted, so different on every response) in the component-state comment, whose length stays.
    /// </summary>
    private static string WithoutAntiforgery(string body) =>
        ComponentState().Replace(AntiforgeryValue().Replace(body, "$1\"\""), m => $"<!--Blazor-Server-Component-State:{m.Groups[1].Length} characters-->");

    [Fact]
    public async Task A_look_alike_address_is_refused_on_the_form_with_the_reason_and_no_account_is_made()
    {
        using var client = Portal.CreateBrowserlikeClient();

        using var response = await SignUpAsync(client, "notadmin", "\u0430dmin@example.com");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.Contains("The part before the @ mixes Cyrillic and Latin letters, so it can pass for another address: write it in one script.", body);
        Assert.DoesNotContain("Check your inbox", body);
        await using var db = await Portal.DbAsync();
        Assert.False(await db.Users.AnyAsync(u => u.UserName == "notadmin"));
        Assert.False(await db.SignUps.AnyAsync());
    }

    [Fact]
    public async Task Sign_up_answers_byte_for_byte_the_same_for_new_active_pending_and_opted_out_addresses()
    {
        await Portal.CreateUserAsync("active@example.org");
        await _fixture.SignUpAsync("pending.one", "pending@example.org");
        await using (var db = await Portal.DbAsync())
        {
            await Portal.Get<OptOutList>().AddAsync(db, "optedout@example.org", OptOutSource.Page);
            await db.SaveChangesAsync();
        }

        var bodies = new List<string>();
        var addresses = new[] { "new@example.org", "active@example.org", "pending@example.org", "optedout@example.org" };
        for (var i = 0; i < addresses.Length; i++)
        {
            using var client = Portal.CreateBrowserlikeClient();
            using var response = await SignUpAsync(client, $"visitor{i}", addresses[i]);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            bodies.Add(WithoutAntiforgery(await response.Content.ReadAsStringAsync()));
        }

        Assert.Contains("Check your inbox", bodies[0]);
        Assert.DoesNotContain(Password, bodies[0]);
        Assert.All(bodies, body => Assert.Equal(bodies[0], body));

        var activation = await Portal.Mail.DeliveredAsync("new@example.org", "Activate your Portal account");
        Assert.StartsWith("https://portal.test/activate/", activation.LinkContaining("/activate/"));
        var warning = await Portal.Mail.DeliveredAsync("active@example.org", "Someone tried to sign up");
        Assert.Contains("no new account was made", warning.Text);
        Assert.Equal(2, (await Portal.Mail.DeliveredToAsync("pending@example.org")).Count);
        Assert.DoesNotContain(Portal.Mail.To("active@example.org"), m => m.Subject.Contains("Activate", StringComparison.Ordinal));
        Assert.Empty(Portal.Mail.To("optedout@example.org"));
    }

    [Fact]
    public async Task Opening_the_activation_link_shows_a_button_changes_nothing_and_sends_no_referrer()
    {
        var key = await _fixture.SignUpAsync("opener", "opener@example.org");
        var before = await _fixture.UserAsync("opener@example.org");
        using var client = Portal.CreateBrowserlikeClient();

        using var response = await client.GetAsync($"/activate/{key}");
        using var again = await client.GetAsync($"/activate/{key}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await Forms.ParseAsync(response);
        Assert.Equal("Activate your account", page.QuerySelector("h1")!.TextContent);
        Assert.NotNull(page.QuerySelector("main form button[type=submit]"));
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Contains("no-store", response.Headers.CacheControl!.ToString());
        var after = (await _fixture.UserAsync("opener@example.org"))!;
        Assert.Equal((AccountStatus.AwaitingActivation, before!.ConcurrencyStamp), (after.Status, after.ConcurrencyStamp));
        Assert.Null((await _fixture.KeyRowAsync(key)).SpentAt);
    }

    [Fact]
    public async Task Every_page_reached_by_an_activation_link_sends_no_referrer_and_is_not_stored()
    {
        await _fixture.SetModeAsync(RegistrationMode.ApprovalRequired);
        var waiting = await _fixture.SignUpAsync("waiter", "waiter@example.org");
        var expired = await _fixture.SignUpAsync("laggard", "laggard@example.org");
        await using (var db = await Portal.DbAsync())
        {
            var hash = Secrets.Hash(expired);
            await db.ActivationKeys.Where(k => k.KeyHash == hash).ExecuteUpdateAsync(s => s.SetProperty(k => k.ExpiresAt, _fixture.Clock.GetUtcNow().UtcDateTime));
        }
        using var client = Portal.CreateBrowserlikeClient();

        var responses = new List<(string Heading, HttpResponseMessage Response)>();
        async Task AddAsync(Task<HttpResponseMessage> request)
        {
            var response = await request;
            responses.Add(((await Forms.ParseAsync(response)).QuerySelector("h1")!.TextContent, response));
        }
        await AddAsync(client.SubmitFormAsync($"/activate/{waiting}", new Dictionary<string, string>()));
        await AddAsync(client.GetAsync($"/activate/{waiting}"));
        await AddAsync(client.GetAsync($"/activate/{expired}"));
        await AddAsync(client.GetAsync($"/activate/{Secrets.NewToken().Token}"));
        await AddAsync(client.GetAsync("/activate/cut-short"));

        Assert.Equal(
            ["Your request is waiting for a moderator", "Your request is waiting for a moderator", "This activation link has expired"],
            responses.Take(3).Select(r => r.Heading));
        Assert.All(responses, r =>
        {
            Assert.Equal(HttpStatusCode.OK, r.Response.StatusCode);
            Assert.Equal("no-referrer", r.Response.Headers.GetValues("Referrer-Policy").Single());
            Assert.Contains("no-store", r.Response.Headers.CacheControl!.ToString());
            r.Response.Dispose();
        });
    }

    [Fact]
    public async Task Pressing_activate_signs_the_person_in_and_the_home_page_greets_them()
    {
        var key = await _fixture.SignUpAsync("newbie", "newbie@example.org");
        using var client = Portal.CreateBrowserlikeClient();
        using var otherTab = Portal.CreateBrowserlikeClient();
        var otherFields = await HiddenFieldsAsync(otherTab, $"/activate/{key}");

        using var response = await client.SubmitFormAsync($"/activate/{key}", new Dictionary<string, string>());
        using var late = await otherTab.PostAsync($"/activate/{key}", new FormUrlEncodedContent(otherFields));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/?activated=true", response.Headers.Location!.PathAndQuery);
        var home = await client.GetPageAsync("/?activated=true");
        Assert.Equal("Welcome, newbie", home.QuerySelector("h1")!.TextContent);
        Assert.Contains("activated", home.QuerySelector(".portal-success")!.TextContent);
        Assert.Equal(HttpStatusCode.OK, late.StatusCode);
        Assert.Equal("This account is already activated", (await Forms.ParseAsync(late)).QuerySelector("h1")!.TextContent);
        Assert.Null(late.Headers.Location);
    }

    [Fact]
    public async Task An_expired_link_offers_a_new_one_and_the_resend_form_answers_the_same_for_every_address()
    {
        var key = await _fixture.SignUpAsync("slow", "slow@example.org");
        _fixture.Clock.Advance(TimeSpan.FromDays(8));
        using var client = Portal.CreateBrowserlikeClient();

        var page = await client.GetPageAsync($"/activate/{key}");
        Assert.Equal("This activation link has expired", page.QuerySelector("h1")!.TextContent);
        Assert.Equal("activate/resend", page.QuerySelector<IHtmlAnchorElement>("main a.portal-button")!.GetAttribute("href"));

        var bodies = new List<string>();
        foreach (var address in new[] { "slow@example.org", "stranger@example.org" })
        {
            using var response = await client.SubmitFormAsync("/activate/resend", new Dictionary<string, string> { ["Input.Email"] = address });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            bodies.Add(WithoutAntiforgery(await response.Content.ReadAsStringAsync()));
        }
        Assert.Equal(bodies[0], bodies[1]);
        Assert.Contains("Check your inbox", bodies[0]);
        var fresh = await _fixture.KeySentToAsync("slow@example.org");
        Assert.NotEqual(key, fresh);
        Assert.Equal("Activate your account", (await client.GetPageAsync($"/activate/{fresh}")).QuerySelector("h1")!.TextContent);
    }

    [Fact]
    public async Task Sign_up_shows_field_errors_and_never_echoes_the_password()
    {
        using var client = Portal.CreateBrowserlikeClient();

        using var response = await client.SubmitFormAsync("/register", new Dictionary<string, string>
        {
            ["Input.UserName"] = "adm1n",
            ["Input.Email"] = "someone@example.org",
            ["Input.Password"] = Password,
            ["Input.ConfirmPassword"] = "a different passphrase",
        });

        var page = await Forms.ParseAsync(response);
        Assert.Contains("reserved", page.QuerySelector("#username-error")!.TextContent);
        Assert.Contains("differ", page.QuerySelector("#confirm-error")!.TextContent);
        Assert.Equal("someone@example.org", page.QuerySelector<IHtmlInputElement>("#email")!.Value);
        Assert.DoesNotContain(Password, page.DocumentElement.OuterHtml);
        Assert.Null(await _fixture.UserAsync("someone@example.org"));
    }

    [Fact]
    public async Task Terms_must_be_accepted_when_configured()
    {
        await using var portal = new RegistrationPortal();
        portal.Portal.Settings["Registration:TermsUrl"] = "https://example.org/terms";
        using var client = portal.Portal.CreateBrowserlikeClient();

        var form = await client.GetPageAsync("/register");
        Assert.Equal("https://example.org/terms", form.QuerySelector<IHtmlAnchorElement>(".portal-terms a")!.GetAttribute("href"));
        using var refused = await SignUpAsync(client, "careless", "careless@example.org");
        Assert.Contains("Accept the terms", (await Forms.ParseAsync(refused)).QuerySelector("#terms-error")!.TextContent);
        using var accepted = await client.SubmitFormAsync("/register", new Dictionary<string, string>
        {
            ["Input.UserName"] = "careful",
            ["Input.Email"] = "careful@example.org",
            ["Input.Password"] = Password,
            ["Input.ConfirmPassword"] = Password,
            ["Input.AcceptTerms"] = "true",
        });

        Assert.Equal("Check your inbox", (await Forms.ParseAsync(accepted)).QuerySelector("h1")!.TextContent);
        Assert.Null(await portal.UserAsync("careless@example.org"));
        Assert.NotNull(await portal.UserAsync("careful@example.org"));
    }

    [Fact]
    public async Task Sign_up_links_show_only_while_the_mode_allows_sign_up()
    {
        using var client = Portal.CreateBrowserlikeClient();
        Assert.NotNull((await client.GetPageAsync("/")).QuerySelector("header a[href='register']"));
        Assert.NotNull((await client.GetPageAsync("/Identity/Account/Login")).QuerySelector("a#register"));

        await _fixture.SetModeAsync(RegistrationMode.InviteOnly);

        var closed = await client.GetPageAsync("/register");
        Assert.Equal("Registration is closed", closed.QuerySelector("h1")!.TextContent);
        Assert.Null(closed.QuerySelector("input[type=password]"));
        Assert.Null(closed.QuerySelector("header a[href='register']"));
        Assert.Null((await client.GetPageAsync("/Identity/Account/Login")).QuerySelector("a#register"));
    }

    [Fact]
    public async Task Too_many_sign_ups_or_activation_attempts_get_429_with_the_friendly_page()
    {
        await using var portal = new RegistrationPortal();
        portal.Portal.Settings["RateLimits:SignUp:PerAddress"] = "2";
        portal.Portal.Settings["RateLimits:Activation:PerAddress"] = "2";
        using var client = portal.Portal.CreateBrowserlikeClient();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await SignUpAsync(client, $"eager{i}", "eager@example.org");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                var page = await Forms.ParseAsync(response);
                Assert.Equal("Too many attempts", page.QuerySelector("h1")!.TextContent);
                Assert.Contains("Try again in 12 minutes", page.QuerySelector("main p")!.TextContent);
                Assert.Equal(TimeSpan.FromMinutes(12), response.Headers.RetryAfter!.Delta);
            }
        }
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);

        // Guessing keys: every press counts against the key pressed, known or not.
        var fields = await HiddenFieldsAsync(client, "/register");
        fields["_handler"] = "activate";
        var guess = Secrets.NewToken().Token;
        var presses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await client.PostAsync($"/activate/{guess}", new FormUrlEncodedContent(fields));
            presses.Add(response.StatusCode);
        }
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], presses);
    }

    private static async Task<Dictionary<string, string>> HiddenFieldsAsync(HttpClient client, string url) =>
        (await client.GetPageAsync(url)).QuerySelector<IHtmlFormElement>("main form")!.Elements.OfType<IHtmlInputElement>()
            .Where(e => e.Type == "hidden").ToDictionary(e => e.Name!, e => e.Value);

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _fixture.DisposeAsync().AsTask();

    [GeneratedRegex("(name=\"__RequestVerificationToken\"[^>]*?value=)\"[^\"]*\"")]
    private static partial Regex AntiforgeryValue();

    [GeneratedRegex("<!--Blazor-Server-Component-State:([^-]*)-->")]
    private static partial Regex ComponentState();
}
