using Microsoft.AspNetCore.Builder;
using Portal.Components;
using Portal.Data;
using Portal.Email;
using Portal.Features;
using Portal.Identity;

namespace Portal.Bench;

/// <summary>The portal's services on a fresh SQLite database in a directory of its own, migrated and not started: what the in-process benches measure.</summary>
public static class BenchPortal
{
    /// <summary>Builds it; <paramref name="settings"/> go on top of the bench's own (a public address, a sender, quiet logs).</summary>
    public static async Task<WebApplication> BuildAsync(string dataDirectory, IReadOnlyDictionary<string, string>? settings = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Development" });
        builder.Configuration["Portal:DataDirectory"] = dataDirectory;
        builder.Configuration["Portal:PublicBaseUrl"] = "https://portal.example.org/";
        builder.Configuration["Portal:SupportEmail"] = "support@example.org";
        builder.Configuration["Email:FromAddress"] = "no-reply@example.org";
        builder.Configuration["Logging:LogLevel:Default"] = "Warning";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            builder.Configuration[key] = value;
        }
        builder.AddPortalData();
        builder.AddPortalIdentity();
        builder.AddPortalEmail();
        builder.AddPortalFeatures();
        builder.AddPortalWeb();
        var app = builder.Build();
        await app.MigratePortalDatabaseAsync();
        return app;
    }
}
