using Portal.Email;
using Portal.Email.Mails.Account;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Email;

public sealed class MailRendererTests(TestPortal portal) : IClassFixture<TestPortal>
{
    private MailRenderer Renderer => portal.Get<MailRenderer>();

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
        }
    }
}
