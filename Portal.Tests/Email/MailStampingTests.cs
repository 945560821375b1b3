using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;
using Portal.Email;
using Portal.Templates;
using Portal.Templates.Invitations;
using Portal.Templates.Layout;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Email;

/// <summary>
/// Messages that differ only in their slot values are rendered once and filled in; what comes out
/// must be exactly what rendering each message in full gives.
/// </summary>
public sealed class MailStampingTests(TestPortal portal) : IClassFixture<TestPortal>
{
    private MailRenderer Renderer => portal.Get<MailRenderer>();

    public static TheoryData<string?> Names => new()
    {
        "Ada Lovelace",
        "<b>Bold</b> & \"quoted\" 'single'",
        "Zoë Ñúñez 🎉 李雷",
        "Ada\n  Lovelace\t(two lines)",
        "   ",
        null,
        "x",
    };

    [Theory]
    [MemberData(nameof(Names))]
    public async Task A_filled_in_message_equals_the_message_rendered_in_full(string? name)
    {
        // Three recipients of one shape: the first one sets the shape up, the others are filled in.
        foreach (var n in new[] { 1, 2, 3 })
        {
            var mail = new InvitationMail(
                "Grace <Hopper>", name, $"person{n}+tag@example.org", "Hello & welcome\nto <the> portal", "Moderator", TimeSpan.FromDays(14),
                $"https://portal.test/invite/TOKEN{n}?a=1&b=<2>", $"https://portal.test/invite/TOKEN{n}/opt-out");

            var filled = await Renderer.RenderAsync(mail);
            var full = await Renderer.RenderAsync(InvitationMail.Template, mail);

            Assert.Equal(full, filled);
            Assert.Contains($"person{n}+tag@example.org", filled.Text);
            Assert.Contains($"https://portal.test/invite/TOKEN{n}?a=1&amp;b=&lt;2&gt;", filled.Html);
        }
    }

    [Fact]
    public async Task A_template_that_does_more_than_print_a_slot_is_rendered_in_full_every_time()
    {
        var first = await Renderer.RenderAsync(new ShoutMail("ada"));
        var second = await Renderer.RenderAsync(new ShoutMail("grace"));

        Assert.Equal("HELLO ADA", first.Subject);
        Assert.Equal("HELLO GRACE", second.Subject);
        Assert.Contains("HELLO GRACE", second.Html);
        Assert.StartsWith("HELLO GRACE", second.Text);
    }

    /// <summary>Marks its slot but changes it before printing: the renderer must notice.</summary>
    public sealed record ShoutMail([property: MailSlot] string Name) : IMail<ShoutMail>
    {
        public static Type Template => typeof(ShoutTemplate);

        public static string Title => "Shout";

        public static ShoutMail Sample(MailBrand brand) => new("ada");
    }

    public sealed class ShoutTemplate : MailTemplate<ShoutMail>
    {
        protected override void BuildRenderTree(RenderTreeBuilder builder)
        {
            RenderFragment shout = b => b.AddContent(0, $"HELLO {Mail.Name.ToUpperInvariant()}");
            builder.OpenComponent<MailSubject>(0);
            builder.AddComponentParameter(1, nameof(MailSubject.ChildContent), shout);
            builder.CloseComponent();
            builder.OpenComponent<MailHtml>(2);
            builder.AddComponentParameter(3, nameof(MailHtml.ChildContent), shout);
            builder.CloseComponent();
            builder.OpenComponent<MailText>(4);
            builder.AddComponentParameter(5, nameof(MailText.ChildContent), shout);
            builder.CloseComponent();
        }
    }
}
