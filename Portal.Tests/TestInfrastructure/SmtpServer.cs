using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Portal.Tests.TestInfrastructure;

/// <summary>
/// A real SMTP server on loopback: Debian's aiosmtpd (run by smtp.py), storing what it receives in a
/// Maildir. Its Mailbox handler adds an X-Peer header naming the client's address and port.
/// </summary>
public sealed class SmtpServer : IAsyncDisposable
{
    private readonly Process _process;

    private SmtpServer(int port, string maildir, Process process)
    {
        Port = port;
        Maildir = maildir;
        _process = process;
    }

    public int Port { get; }

    public string Maildir { get; }

    public static async Task<SmtpServer> StartAsync()
    {
        var port = FreePort();
        var maildir = Path.Combine(Path.GetTempPath(), "portal-tests", "smtp-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.GetDirectoryName(maildir)!);
        var script = Path.Combine(AppContext.BaseDirectory, "TestInfrastructure", "smtp.py");
        var process = Process.Start(new ProcessStartInfo("/usr/bin/python3",
            [script, "127.0.0.1", port.ToString(CultureInfo.InvariantCulture), maildir])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        }) ?? throw new InvalidOperationException("aiosmtpd did not start.");
        var server = new SmtpServer(port, maildir, process);
        await server.WaitUntilListeningAsync();
        return server;
    }

    public async Task<IReadOnlyList<ParsedMail>> WaitForMessagesAsync(int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            var received = Directory.Exists(Path.Combine(Maildir, "new")) ? MailParser.ParseMaildir(Maildir) : [];
            if (received.Count >= count)
            {
                return received;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{received.Count} of {count} messages reached the SMTP server.");
            }
            await Task.Delay(100);
        }
    }

    /// <summary>One header of every message received so far: quicker than parsing them all when there are many.</summary>
    public IReadOnlyList<string> ReceivedHeader(string name) =>
        Directory.Exists(Path.Combine(Maildir, "new")) ? MailParser.ReadHeader(Maildir, name) : [];

    private async Task WaitUntilListeningAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !_process.HasExited)
            {
                await Task.Delay(100);
            }
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try
        {
            Directory.Delete(Maildir, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Nothing was received.
        }
    }
}
