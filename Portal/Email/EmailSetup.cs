using Microsoft.Extensions.Options;
using Portal.Data;

namespace Portal.Email;

public static class EmailSetup
{
    public static WebApplicationBuilder AddPortalEmail(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSettings<EmailOptions>(EmailOptions.Section);
        services.AddSingleton(sp => new MailTemplateEngine(Path.GetFullPath(
            sp.GetRequiredService<IOptions<EmailOptions>>().Value.TemplatesDirectory, sp.GetRequiredService<PortalPaths>().ContentRoot)));
        services.AddHostedService<MailTemplateCompiler>();
        services.AddSingleton<MailRenderer>();
        services.AddSingleton<Mailer>();
        services.AddSingleton<PickupDelivery>(sp => new PickupDelivery(
            sp.GetRequiredService<PortalPaths>().Resolve(sp.GetRequiredService<IOptions<EmailOptions>>().Value.PickupDirectory, "mail"),
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<SmtpDelivery>();
        services.AddSingleton<IMailDelivery>(sp => sp.GetRequiredService<IOptions<EmailOptions>>().Value.Delivery switch
        {
            MailDeliveryMode.Smtp => sp.GetRequiredService<SmtpDelivery>(),
            _ => sp.GetRequiredService<PickupDelivery>(),
        });
        services.AddSingleton<OutboxDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxDispatcher>());
        return builder;
    }
}
