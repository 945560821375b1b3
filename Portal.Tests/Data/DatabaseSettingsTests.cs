using Microsoft.Extensions.Configuration;
using Portal.Data;

namespace Portal.Tests.Data;

public sealed class DatabaseSettingsTests
{
    private static DatabaseSettings Read(params (string Key, string Value)[] settings) =>
        DatabaseSettings.Read(new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value)))
            .Build());

    [Fact]
    public void Without_settings_the_portal_uses_SQLite_at_its_default_place()
    {
        Assert.Equal(new DatabaseSettings(DatabaseProvider.Sqlite, null), Read());
    }

    [Fact]
    public void Postgres_takes_the_configured_connection_string()
    {
        var settings = Read(("Database:Provider", "postgres"), ("ConnectionStrings:Portal", "Host=db;Database=portal"));

        Assert.Equal(new DatabaseSettings(DatabaseProvider.Postgres, "Host=db;Database=portal"), settings);
    }

    [Fact]
    public void Postgres_without_a_connection_string_stops_the_start_saying_what_to_set()
    {
        var error = Assert.Throws<SettingException>(() => Read(("Database:Provider", "Postgres")));

        Assert.StartsWith("ConnectionStrings:Portal is required when Database:Provider is Postgres: the server's connection string", error.Message);
        Assert.EndsWith("Set it in appsettings.json or as the environment variable ConnectionStrings__Portal.", error.Message);
    }

    [Fact]
    public void An_unknown_provider_stops_the_start_naming_the_ones_there_are()
    {
        var error = Assert.Throws<SettingException>(() => Read(("Database:Provider", "MySql")));

        Assert.Equal("Database:Provider must be Sqlite or Postgres (it is 'MySql'). Set it in appsettings.json or as the environment variable Database__Provider.", error.Message);
    }
}
