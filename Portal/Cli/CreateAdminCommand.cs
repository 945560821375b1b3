using System.CommandLine;
using Microsoft.AspNetCore.Identity;
using Portal.Data;
using Portal.Features.Audit;
using Portal.Features.Users;
using Portal.Identity;
using Portal.Localization;

namespace Portal.Cli;

/// <summary>
/// Makes the first admin without touching the database by hand: creates an active, confirmed
/// account with the Admin role, or promotes an existing account (setting its password when given).
/// </summary>
public static class CreateAdminCommand
{
    private static readonly StaticTexts Texts = new(typeof(CreateAdminCommand));

    public static Command Build(IServiceProvider services, TextWriter output)
    {
        var email = new Option<string>("--email") { Description = Texts["EmailOption"], Required = true };
        var password = new Option<string?>("--password") { Description = Texts["PasswordOption"] };
        var userName = new Option<string?>("--username") { Description = Texts["UserNameOption"] };
        var command = new Command("create-admin", Texts["Description"]) { email, password, userName };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var scope = services.CreateAsyncScope();
            var message = await RunAsync(scope.ServiceProvider, parse.GetValue(email)!, parse.GetValue(password), parse.GetValue(userName));
            await output.WriteLineAsync(message);
            return PortalCli.Success;
        });
        return command;
    }

    public static async Task<string> RunAsync(IServiceProvider services, string emailInput, string? password, string? userName)
    {
        var check = EmailAddress.Check(emailInput);
        if (!check.IsValid)
        {
            throw new CliInputException($"--email: {check.Error}");
        }
        var email = check.Canonical!;
        var users = services.GetRequiredService<UserManager<PortalUser>>();
        var clock = services.GetRequiredService<TimeProvider>();
        var now = clock.GetUtcNow().UtcDateTime;

        var user = await users.FindByEmailAsync(email);
        var created = user is null;
        if (user is null)
        {
            if (string.IsNullOrEmpty(password))
            {
                throw new CliInputException(Texts["PasswordRequired"]);
            }
            user = new PortalUser
            {
                UserName = string.IsNullOrWhiteSpace(userName) ? email : userName.Trim(),
                Email = email,
                EmailConfirmed = true,
                State = AccountState.Active,
                CreatedAt = now,
                ActivatedAt = now,
            };
            Ensure(await users.CreateAsync(user, password));
        }
        else
        {
            user.EmailConfirmed = true;
            user.State = AccountState.Active;
            user.ActivatedAt ??= now;
            user.DeactivatedAt = null;
            Ensure(await users.UpdateAsync(user));
            if (!string.IsNullOrEmpty(password))
            {
                var token = await users.GeneratePasswordResetTokenAsync(user);
                Ensure(await users.ResetPasswordAsync(user, token, password));
            }
        }
        if (!await users.IsInRoleAsync(user, Roles.Admin))
        {
            Ensure(await users.AddToRoleAsync(user, Roles.Admin));
        }

        var audit = services.GetRequiredService<AuditLog>();
        var db = services.GetRequiredService<PortalDbContext>();
        audit.Record(db, Actor.System, created ? AuditActions.UserAdminCreated : AuditActions.UserAdminPromoted,
            new AuditTarget(UserAdmin.AuditTargetType, user.Id, user.Email), "from the command line");
        await db.SaveChangesAsync();

        return Texts.Format(created ? "Created" : string.IsNullOrEmpty(password) ? "IsAdmin" : "IsAdminWithPassword", user.UserName, user.Email);
    }

    private static void Ensure(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new CliInputException(string.Join(Environment.NewLine, result.Errors.Select(e => e.Description)));
        }
    }
}
