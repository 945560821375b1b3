using System.Net.Mail;

namespace Portal.Email;

/// <summary>
/// Writes each message as an .eml file. The file is written in a private staging folder and then
/// moved into place, so whoever watches the pickup folder never reads half a message.
/// </summary>
public sealed class PickupDelivery(string directory, TimeProvider clock) : IMailDelivery
{
    public string Directory { get; } = directory;

    public Task SendAsync(MailMessage message, CancellationToken cancellationToken)
    {
        var staging = Path.Combine(Directory, ".staging", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(staging);
        try
        {
            using (var client = new SmtpClient
            {
                DeliveryMethod = SmtpDeliveryMethod.SpecifiedPickupDirectory,
                PickupDirectoryLocation = staging,
                DeliveryFormat = SmtpDeliveryFormat.International,
            })
            {
                client.Send(message);
            }
            var written = System.IO.Directory.GetFiles(staging).Single();
            File.Move(written, Path.Combine(Directory, $"{clock.GetUtcNow():yyyyMMdd-HHmmss-fff}-{Path.GetFileName(written)}"));
        }
        finally
        {
            System.IO.Directory.Delete(staging, recursive: true);
        }
        return Task.CompletedTask;
    }
}
