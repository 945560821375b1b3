using MimeKit;

namespace Portal.Email;

/// <summary>
/// Writes each message as an .eml file: 7-bit clean (every part in a transfer encoding any reader
/// takes) with CRLF line ends. The file is written under a temporary name and then renamed, so
/// whoever watches the pickup folder never reads half a message.
/// </summary>
public sealed class PickupDelivery(string directory, TimeProvider clock) : IMailDelivery
{
    private static readonly FormatOptions Format = new() { NewLineFormat = NewLineFormat.Dos };

    public string Directory { get; } = directory;

    public async Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var name = $"{clock.GetUtcNow():yyyyMMdd-HHmmss-fff}-{Guid.NewGuid():N}";
        var writing = Path.Combine(Directory, name + ".tmp");
        message.Prepare(EncodingConstraint.SevenBit);
        try
        {
            await message.WriteToAsync(Format, writing, cancellationToken);
            File.Move(writing, Path.Combine(Directory, name + ".eml"));
        }
        catch
        {
            File.Delete(writing);
            throw;
        }
    }
}
