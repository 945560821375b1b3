using System.Net;

namespace Portal.Tests.TestInfrastructure;

/// <summary>
/// The portal on a real Kestrel server on a loopback port, with its public base URL set to that
/// address, so links in mail lead back to it.
/// </summary>
public sealed class BrowserPortal : TestPortal
{
    private readonly int _port = SmtpServer.FreePort();

    public BrowserPortal()
    {
        UseKestrel(options => options.Listen(IPAddress.Loopback, _port));
    }

    public override string PublicBaseUrl => $"http://127.0.0.1:{_port}/";
}
