using System.Globalization;
using Portal.Email;
using Portal.Email.Mails.Registration;
using Portal.Email.Mails.Account;
using Portal.Email.Mails.Invitations;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Email;

public sealed class MailRendererTests(TestPortal portal) : IClassFixture<TestPortal>
{
    private MailRenderer Renderer => portal.Get<MailRenderer>();

    [Fact]
    public async Task A_message_is_rendered_in_the_language_asked_for_whatever_the_language_of_the_page_that_sends_it()
    {
        var activation = new ActivationMail("greta", "greta@example.org", "https://portal.test/activate/k", TimeSpan.FromDays(3));
        CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("de");

        var english = await Renderer.RenderAsync(activation, CultureInfo.GetCultureInfo("en"));
        var german = await Renderer.RenderAsync(activation, CultureInfo.GetCultureInfo("de-AT"));
        var byDefault = await Renderer.RenderAsync(activation);

        Assert.Equal("Activate your Portal account", english.Subject);
        Assert.Contains("The link is valid for 3 days.", english.Text);
        Assert.Equal("Aktivieren Sie Ihr Konto bei Portal", german.Subject);
        Assert.Contains("Der Link ist 3 Tage lang gültig.", german.Text);
        Assert.Contains("<html lang=\"de\">", german.Html);
        Assert.Equal(english, byDefault);
    }

    [Fact]
    public async Task A_language_without_the_template_gets_the_english_message_in_english_throughout()
    {
        using var templates = new TemplateCopy();
        File.Delete(templates.PathOf("de/Account/PasswordReset.cshtml"));
        await using var untranslated = new TestPortal();
        templates.Configure(untranslated);
        var reset = new PasswordResetMail("greta", "https://portal.test/r?code=1", TimeSpan.FromHours(3));

        var mail = await untranslated.Get<MailRenderer>().RenderAsync(reset, CultureInfo.GetCultureInfo("de"));

        Assert.StartsWith("Reset your", mail.Subject);
        Assert.Contains("3 hours", mail.Text);
        Assert.DoesNotContain("Stunden", mail.Text);
        Assert.Contains("<html lang=\"en\">", mail.Html);
    }

    [Fact]
    public async Task Subject_is_one_line_even_when_the_data_holds_line_breaks()
    {
        var mail = await Renderer.RenderAsync(new EmailConfirmationMail("ada", "ada@example.org\r\nBcc: eve@example.org", "https://portal.test/x"));

        Assert.DoesNotContain('\r', mail.Subject);
        Assert.DoesNotContain('\n', mail.Subject);
        Assert.Equal("Confirm your email address for Portal", mail.Subject);
    }

    [Fact]
    public async Task User_input_is_html_encoded_in_the_html_part_and_plain_in_the_text_part()
    {
        var mail = await Renderer.RenderAsync(new PasswordResetMail("<script>alert(1)</script>", "https://portal.test/r?code=1&x=2", TimeSpan.FromHours(3)));

        Assert.DoesNotContain("<script>", mail.Html);
        Assert.Contains("&lt;script&gt;", mail.Html);
        Assert.Contains("Hello <script>alert(1)</script>,", mail.Text);
        Assert.Contains("https://portal.test/r?code=1&x=2", mail.Text);
        Assert.Contains("href=\"https://portal.test/r?code=1&amp;x=2\"", mail.Html);
    }

    [Fact]
    public async Task Every_part_carries_the_brand_and_absolute_links()
    {
        var mail = await Renderer.RenderAsync(PasswordResetMail.Sample(portal.Get<Microsoft.Extensions.Options.IOptions<PortalOptions>>().Value.Brand));

        Assert.StartsWith("<!DOCTYPE html>", mail.Html);
        Assert.Contains("src=\"https://portal.test/img/logo.png\"", mail.Html);
        Assert.Contains("https://portal.test/Identity/Account/ResetPassword?code=SAMPLE", mail.Text);
        Assert.Contains("expires in 3 hours", mail.Text);
        Assert.EndsWith("Questions? Write to support@portal.localhost\n", mail.Text);
        Assert.DoesNotContain("\n\n\n", mail.Text);
    }

    [Fact]
    public async Task Every_template_renders_all_three_parts_from_its_sample()
    {
        var brand = portal.Get<Microsoft.Extensions.Options.IOptions<PortalOptions>>().Value.Brand;
        Assert.NotEmpty(MailTemplates.All);
        foreach (var template in MailTemplates.All)
        {
            var mail = await Renderer.RenderAsync(template.Template, template.Sample(brand));
            Assert.False(string.IsNullOrWhiteSpace(mail.Subject), template.Name);
            Assert.Contains("</html>", mail.Html);
            Assert.Contains(brand.BaseUrl.AbsoluteUri, mail.Text);
            // Every sample has something to encode (an address, a link with a query, a bullet).
            foreach (var plain in new[] { mail.Subject, mail.Text })
            {
                Assert.DoesNotMatch("&(#x?[0-9a-fA-F]+|amp|lt|gt|quot);", plain);
            }
        }
    }

    [Fact]
    public async Task Every_template_compiles_and_renders_its_sample_data()
    {
        Assert.Empty(await Renderer.CheckAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Names_are_written_as_such_in_the_subject_and_text_and_encoded_in_the_html()
    {
        const string name = "Zoë Ångström <&>";
        var mail = await Renderer.RenderAsync(new InvitationMail(
            name, name, "zoe@example.org", $"Hi, {name} here.", null, TimeSpan.FromDays(14), "https://portal.test/a?x=1&y=2", "https://portal.test/o"));

        Assert.Equal($"{name} invited you to join Portal", mail.Subject);
        Assert.StartsWith($"Hello {name},\n\n{name} invited you (zoe@example.org) to join Portal.\n", mail.Text);
        Assert.Contains($"Hi, {name} here.", mail.Text);
        Assert.Contains("https://portal.test/a?x=1&y=2", mail.Text);
        Assert.DoesNotContain(name, mail.Html);
        Assert.Contains("Hello Zo&#xEB; &#xC5;ngstr&#xF6;m &lt;&amp;&gt;,", mail.Html);
        Assert.Contains("href=\"https://portal.test/a?x=1&amp;y=2\"", mail.Html);
    }
}
