using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;

namespace Portal.Tests.TestInfrastructure;

/// <summary>
/// The portal on a real Kestrel server on a loopback port, with its public base URL set to that
/// address, so links in mail lead back to it.
/// </summary>
public sealed class BrowserPortal : TestPortal
{
    private readonly int _port = FreePort();

    public BrowserPortal() : this(null, null)
    {
    }

    private BrowserPortal(Action<IServiceCollection>? configureServices, string? sharedPostgres)
        : base(configureServices, database: sharedPostgres is null ? DatabaseProvider.Sqlite : DatabaseProvider.Postgres,
            postgres: sharedPostgres, sharedDatabase: sharedPostgres is not null)
    {
        UseKestrel(options => options.Listen(IPAddress.Loopback, _port));
    }

    /// <summary>
    /// One node of a site whose nodes share a PostgreSQL database (made and dropped by the caller,
    /// see <see cref="PostgresTestServer.CreateDatabase"/>) and nothing else: a data directory of its own.
    /// </summary>
    public static BrowserPortal Node(string postgres, Action<IServiceCollection>? configureServices = null) =>
        new(configureServices, postgres);

    public override string PublicBaseUrl => $"http://127.0.0.1:{_port}/";

    /// <summary>A port free now: the public base URL names it before the server starts.</summary>
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
