using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Features.Invitations;
using Portal.Identity;

namespace Portal.Tests.TestInfrastructure;

/// <summary>
/// A portal on a test clock, capturing each invitation's link token
/// as it is sent (tokens are stored only as hashes, so tests take them from the sender).
/// </summary>
public sealed class InvitationPortal : IAsyncDisposable
{
    public InvitationPortal(DatabaseProvider database = DatabaseProvider.Sqlite)
    {
        Portal = TestPortal.WithServices(services =>
        {
            services.AddSingleton<TimeProvider>(Clock);
            services.AddSingleton<IInvitationSender>(sp => new TokenCapture(ActivatorUtilities.CreateInstance<OutboxInvitationSender>(sp), Tokens));
        }, database);
    }

    public TestPortal Portal { get; }

    public TestClock Clock { get; } = new(DateTimeOffset.UtcNow);

    /// <summary>The latest token sent for each address (by match key).</summary>
    public Dictionary<string, string> Tokens { get; } = [];

    public static Actor Admin { get; } = new("admin-id", "Grace Admin", new HashSet<string> { Roles.Admin });

    public InvitationService Invitations => Portal.Get<InvitationService>();

    public InvitationResponses Responses => Portal.Get<InvitationResponses>();

    public string TokenFor(string address) => Tokens[EmailAddress.Key(EmailAddress.Canonicalize(address)!)];

    public async Task<string> InviteAsync(string address, InviteOptions? options = null)
    {
        var result = await Invitations.InviteAsync(address, Admin, choices: options);
        Assert.True(result.Sent, result.Description);
        return TokenFor(address);
    }

    public async Task<Invitation> InvitationAsync(long id)
    {
        await using var db = await Portal.DbAsync();
        return await db.Invitations.AsNoTracking().SingleAsync(i => i.Id == id);
    }

    public async Task<PortalUser?> UserByEmailAsync(string address)
    {
        await using var db = await Portal.DbAsync();
        var normalized = EmailAddress.Canonicalize(address)!.ToUpperInvariant();
        return await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.NormalizedEmail == normalized);
    }

    public async ValueTask DisposeAsync() => await Portal.DisposeAsync();

    private sealed class TokenCapture(IInvitationSender inner, Dictionary<string, string> tokens) : IInvitationSender
    {
        public Task SendAsync(PortalDbContext db, IReadOnlyList<InvitationLetter> letters, CancellationToken cancellationToken)
        {
            lock (tokens)
            {
                foreach (var letter in letters)
                {
                    tokens[letter.Invitation.EmailKey!] = letter.AcceptUrl[(letter.AcceptUrl.LastIndexOf('/') + 1)..];
                }
            }
            return inner.SendAsync(db, letters, cancellationToken);
        }
    }
}
