using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Identity;
using Microsoft.EntityFrameworkCore;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Identity;

/// <summary>Changing the address by Identity's change token: the link goes to the portal's confirmation page.</summary>
public sealed class ConfirmEmailPageTests(TestPortal portal) : IClassFixture<TestPortal>
{
    [Fact]
    public async Task An_address_change_is_confirmed_by_a_button_on_the_page_the_mailed_link_opens()
    {
        var user = await portal.CreateUserAsync("old.address@example.org");
        using var client = portal.CreateBrowserlikeClient();
        using var _ = await client.SignInAsync("old.address@example.org", TestPortal.DefaultPassword);

        // Members change their address through the profile's deferred changes; this link is the one an
        // invitation accepted with a different address sends.
        await using (var scope = portal.Services.CreateAsyncScope())
        await using (var outbox = await portal.DbAsync())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
            await portal.Get<AccountEmails>().QueueChangeConfirmationAsync(outbox, users, (await users.FindByIdAsync(user.Id))!, "New.Address@Example.org");
            await outbox.SaveChangesAsync();
        }

        var mail = await portal.Mail.DeliveredAsync("New.Address@Example.org", "Confirm your email address");
        var link = new Uri(mail.LinkContaining("/account/confirm-email"));
        Assert.StartsWith("https://portal.test/account/confirm-email?userId=", link.AbsoluteUri);

        var page = await client.GetPageAsync(link.PathAndQuery);
        Assert.Equal("Confirm your address", page.QuerySelector("h1")!.TextContent);
        Assert.Equal("old.address@example.org", await EmailOfAsync(user.Id));

        using var confirm = await client.SubmitFormAsync(link.PathAndQuery, new Dictionary<string, string>());
        var done = await Forms.ParseAsync(confirm);
        Assert.Equal("Address confirmed", done.QuerySelector("h1")!.TextContent);
        Assert.Equal("New.Address@example.org", await EmailOfAsync(user.Id));
        await using var db = await portal.DbAsync();
        Assert.Equal(user.UserName, (await db.Users.SingleAsync(u => u.Id == user.Id)).UserName);

        using var again = await client.SubmitFormAsync(link.PathAndQuery, new Dictionary<string, string>());
        Assert.Equal("This link does not work", (await Forms.ParseAsync(again)).QuerySelector("h1")!.TextContent);
    }

    private async Task<string?> EmailOfAsync(string id)
    {
        await using var db = await portal.DbAsync();
        return (await db.Users.AsNoTracking().SingleAsync(u => u.Id == id)).Email;
    }
}
