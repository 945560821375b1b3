using Portal;
using Portal.Cli;
using Portal.Components;
using Portal.Data;
using Portal.Email;
using Portal.Features;
using Portal.Identity;
using Portal.Localization;

var command = PortalCli.IsCommand(args);
try
{
    var builder = WebApplication.CreateBuilder(command ? [] : args);
    builder.AddPortalData();
    builder.AddPortalIdentity();
    builder.AddPortalEmail();
    builder.AddPortalFeatures();
    builder.AddPortalWeb();
    builder.AddPortalLanguages();

    var app = builder.Build();
    app.ValidatePortalSettings();
    await app.MigratePortalDatabaseAsync();
    if (command)
    {
        return await PortalCli.RunAsync(app.Services, args, Console.Out, Console.Error);
    }

    app.UsePortalWeb();
    await app.RunAsync();
    return 0;
}
catch (Exception e) when (StartupProblems.Of(e) is { } problems)
{
    return await StartupProblems.ReportAsync(problems, Console.Error);
}

/// <summary>The entry point, public for the test host.</summary>
public partial class Program;
