namespace Portal.Tests.TestInfrastructure;

/// <summary>
/// The .eml files the portal delivered to its pickup folder, read by a real MIME parser. Asking for
/// what was delivered first has the outbox deliver what is queued (<paramref name="deliver"/>), so a
/// test never waits for mail to turn up.
/// </summary>
public sealed class PickupFolder(string directory, Func<Task> deliver)
{
    private readonly Dictionary<string, ParsedMail> _parsed = [];
    private readonly Lock _lock = new();

    public string Directory { get; } = directory;

    /// <summary>Every message in the folder now, oldest first, without asking the outbox for more.</summary>
    public IReadOnlyList<ParsedMail> All()
    {
        lock (_lock)
        {
            if (System.IO.Directory.Exists(Directory))
            {
                var unread = System.IO.Directory.GetFiles(Directory, "*.eml").Where(file => !_parsed.ContainsKey(file)).ToList();
                foreach (var (file, mail) in unread.Zip(MailParser.ParseEml(unread)))
                {
                    _parsed[file] = mail;
                }
            }
            return [.. _parsed.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Value)];
        }
    }

    /// <summary>The messages to <paramref name="recipient"/> in the folder now.</summary>
    public IReadOnlyList<ParsedMail> To(string recipient) =>
        [.. All().Where(m => m.To.Contains(recipient, StringComparison.OrdinalIgnoreCase))];

    /// <summary>Has the outbox deliver what is queued, then returns every message in the folder.</summary>
    public async Task<IReadOnlyList<ParsedMail>> DeliveredAsync()
    {
        await deliver();
        return All();
    }

    /// <summary>Has the outbox deliver what is queued, then returns the messages to <paramref name="recipient"/>, oldest first.</summary>
    public async Task<IReadOnlyList<ParsedMail>> DeliveredToAsync(string recipient)
    {
        await deliver();
        return To(recipient);
    }

    /// <summary>
    /// Has the outbox deliver what is queued, then returns the newest message to
    /// <paramref name="recipient"/> whose subject contains <paramref name="subject"/>.
    /// </summary>
    public async Task<ParsedMail> DeliveredAsync(string recipient, string subject)
    {
        var delivered = await DeliveredAsync();
        return delivered.LastOrDefault(m => m.To.Contains(recipient, StringComparison.OrdinalIgnoreCase) && m.Subject.Contains(subject, StringComparison.Ordinal))
            ?? throw new Xunit.Sdk.XunitException(
                $"No message to {recipient} with '{subject}' was delivered. The folder holds {delivered.Count}: "
                + string.Join("; ", delivered.Select(m => $"{m.To}: {m.Subject}")));
    }
}
