namespace Portal.Tests.TestInfrastructure;

/// <summary>The .eml files the portal delivered to its pickup folder, parsed as they arrive.</summary>
public sealed class PickupFolder(string directory)
{
    private readonly Dictionary<string, ParsedMail> _parsed = [];
    private readonly Lock _lock = new();

    public string Directory { get; } = directory;

    public IReadOnlyList<ParsedMail> All()
    {
        lock (_lock)
        {
            if (System.IO.Directory.Exists(Directory))
            {
                foreach (var file in System.IO.Directory.GetFiles(Directory, "*.eml").Order())
                {
                    if (!_parsed.ContainsKey(file))
                    {
                        _parsed[file] = MailParser.ParseEml(file);
                    }
                }
            }
            return [.. _parsed.OrderBy(p => p.Key).Select(p => p.Value)];
        }
    }

    public IReadOnlyList<ParsedMail> To(string recipient) =>
        [.. All().Where(m => m.To.Contains(recipient, StringComparison.OrdinalIgnoreCase))];

    /// <summary>Waits for a message to <paramref name="recipient"/> whose subject contains <paramref name="subject"/>.</summary>
    public async Task<ParsedMail> WaitForAsync(string recipient, string subject, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            var match = To(recipient).LastOrDefault(m => m.Subject.Contains(subject, StringComparison.Ordinal));
            if (match is not null)
            {
                return match;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"No message to {recipient} with '{subject}' arrived in {Directory}.");
            }
            await Task.Delay(100);
        }
    }
}
