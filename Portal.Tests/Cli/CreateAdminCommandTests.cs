using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Portal.Cli;
using Portal.Data;
using Portal.Features.OptOut;
using Portal.Identity;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Cli;

public sealed class CreateAdminCommandTests(TestPortal portal) : IClassFixture<TestPortal>
{
    private async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await PortalCli.RunAsync(portal.Services, args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Creates_an_active_confirmed_admin_that_can_sign_in()
    {
        var (code, output, _) = await RunAsync("create-admin", "--email", "First.Admin@Example.ORG", "--password", "correct horse battery");

        Assert.Equal(0, code);
        Assert.Contains("Created the admin account", output);
        await using var scope = portal.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var user = (await users.FindByEmailAsync("first.admin@example.org"))!;
        Assert.Equal("First.Admin@example.org", user.Email);
        Assert.Equal(AccountStatus.Active, user.Status);
        Assert.True(user.EmailConfirmed);
        Assert.True(await users.IsInRoleAsync(user, Roles.Admin));
        Assert.True(await scope.ServiceProvider.GetRequiredService<SignInManager<PortalUser>>().CanSignInAsync(user));
        Assert.True(await users.CheckPasswordAsync(user, "correct horse battery"));
    }

    [Fact]
    public async Task Promotes_an_existing_account_and_may_set_its_password()
    {
        var member = await portal.CreateUserAsync("promote@example.org");

        var (code, output, _) = await RunAsync("create-admin", "--email", "promote@example.org", "--password", "the new admin passphrase");

        Assert.Equal(0, code);
        Assert.Contains("is an active admin with the new password", output);
        await using var scope = portal.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var user = (await users.FindByIdAsync(member.Id))!;
        Assert.True(await users.IsInRoleAsync(user, Roles.Admin));
        Assert.True(await users.CheckPasswordAsync(user, "the new admin passphrase"));
    }

    [Theory]
    [InlineData("Option '--email' is required", "create-admin", "--password", "correct horse battery")]
    [InlineData("--email: The address needs", "create-admin", "--email", "not-an-address", "--password", "correct horse battery")]
    [InlineData("--password is required", "create-admin", "--email", "nopass@example.org")]
    [InlineData("at least 10 characters", "create-admin", "--email", "short@example.org", "--password", "short")]
    [InlineData("Unrecognized command or argument '--colour'", "create-admin", "--email", "x@example.org", "--colour", "blue")]
    public async Task Bad_input_exits_with_2_and_says_why(string message, params string[] args)
    {
        var (code, _, error) = await RunAsync(args);

        Assert.Equal(2, code);
        Assert.Contains(message, error);
    }

    [Fact]
    public async Task The_command_runs_from_the_built_program()
    {
        var data = Path.Combine(portal.DataDirectory, "cli-process");

        var exit = await PortalProcess.RunAsync(Environments.Production,
            new Dictionary<string, string>
            {
                ["Portal:DataDirectory"] = data,
                ["OptOut:Key"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(OptOutKey.MinimumBytes)),
            },
            "create-admin", "--email", "process@example.org", "--password", "correct horse battery");

        Assert.Equal(0, exit.Code);
        Assert.Contains("Created the admin account", exit.Output);
        Assert.True(File.Exists(Path.Combine(data, "portal.db")));
    }
}
