using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.UI.Services;
using Portal.Data;

namespace Portal.Identity;

public static class IdentitySetup
{
    public static WebApplicationBuilder AddPortalIdentity(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddDefaultIdentity<PortalUser>(options =>
            {
                options.SignIn.RequireConfirmedEmail = true;
                options.User.RequireUniqueEmail = true;
                options.Password.RequiredLength = PasswordRules.MinimumLength;
                options.Password.RequiredUniqueChars = 4;
                options.Password.RequireDigit = false;
                options.Password.RequireLowercase = false;
                options.Password.RequireUppercase = false;
                options.Password.RequireNonAlphanumeric = false;
                options.Lockout.AllowedForNewUsers = true;
                options.Lockout.MaxFailedAccessAttempts = 5;
                options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                options.Tokens.ChangeEmailTokenProvider = EmailChangeTokenProviderOptions.ProviderName;
                options.Tokens.EmailConfirmationTokenProvider = EmailChangeTokenProviderOptions.ProviderName;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<PortalDbContext>()
            .AddUserManager<PortalUserManager>()
            .AddSignInManager<PortalSignInManager>()
            .AddPasswordValidator<PasswordRules>()
            .AddErrorDescriber<PortalIdentityErrors>()
            .AddTokenProvider<EmailChangeTokenProvider>(EmailChangeTokenProviderOptions.ProviderName);

        services.AddIdentityUiLocalization();
        services.AddSingleton<ILookupNormalizer, PortalLookupNormalizer>();
        services.Configure<DataProtectionTokenProviderOptions>(o => o.TokenLifespan = AccountMailer.ResetLinkLifetime);
        // A deactivation or a password change reaches other sessions within a minute.
        services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = TimeSpan.FromMinutes(1));
        services.ConfigureApplicationCookie(o =>
        {
            o.Cookie.Name = "portal.auth";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.SlidingExpiration = true;
            o.ExpireTimeSpan = TimeSpan.FromDays(14);
        });

        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Admin, p => p.RequireRole(Roles.Admin))
            .AddPolicy(Policies.Moderation, p => p.RequireRole(Roles.Moderation));

        services.AddCascadingAuthenticationState();
        services.AddScoped<AuthenticationStateProvider, RevalidatingAuthStateProvider>();
        services.AddSingleton<ActorLookup>();
        services.AddSingleton<AccountEmails>();
        services.AddSingleton<AccountMailer>();
        // Identity's pages ask for the typed sender; Identity UI's default one would hand the
        // message to the untyped sender, which nothing may use.
        services.AddSingleton<IEmailSender<PortalUser>>(s => s.GetRequiredService<AccountMailer>());
        services.AddSingleton<IEmailSender, UntypedEmailSender>();
        services.AddPortalRateLimits();
        return builder;
    }
}
