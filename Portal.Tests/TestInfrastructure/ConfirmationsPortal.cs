using System.Data.Common;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Portal.Data;
using Portal.Features.Confirmations;
using Portal.Features.Dashboard;
using Portal.Identity;

namespace Portal.Tests.TestInfrastructure;

/// <summary>
/// A portal on a test clock, with helpers to make members
/// and moderators and to read secrets where their channels put them (they are stored only as hashes).
/// </summary>
public sealed partial class ConfirmationsPortal : IAsyncDisposable
{
    /// <param name="logs">When given, every log line at every level goes there.</param>
    public ConfirmationsPortal(Action<TestPortal>? configure = null, LogCapture? logs = null, DatabaseProvider database = DatabaseProvider.Sqlite)
    {
        Portal = TestPortal.WithServices(services =>
        {
            if (logs is not null)
            {
                services.AddLogging(logging => logging.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
            }
            services.AddSingleton<TimeProvider>(Clock);
            // Ahead of the portal's own interceptors: on SQLite the one that counts writers waiting for
            // the lock begins the transaction, and a confirmation held here must not hold the lock.
            var gate = new TransactionGate(this);
            services.Insert(0, ServiceDescriptor.Singleton<IDbContextOptionsConfiguration<PortalDbContext>>(new FirstInterceptor<PortalDbContext>(gate)));
            services.Insert(0, ServiceDescriptor.Singleton<IDbContextOptionsConfiguration<PostgresPortalDbContext>>(new FirstInterceptor<PostgresPortalDbContext>(gate)));
        }, database);
        configure?.Invoke(Portal);
    }

    public TestPortal Portal { get; }

    public TestClock Clock { get; } = new(DateTimeOffset.UtcNow);

    public ChangeRequests Requests => Portal.Get<ChangeRequests>();

    public ChangeModeration Moderation => Portal.Get<ChangeModeration>();

    public ChangeLifecycle Lifecycle => Portal.Get<ChangeLifecycle>();

    public DashboardFigures Figures => Portal.Get<DashboardFigures>();

    /// <summary>
    /// Holds every confirmation after its secret was accepted and before it applies (when it begins
    /// its transaction), until two have arrived: both then race for the same change.
    /// </summary>
    public void MakeConfirmationsMeet()
    {
        var arrived = 0;
        var both = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _onConfirmed = async () =>
        {
            if (Interlocked.Increment(ref arrived) == 2)
            {
                both.SetResult();
            }
            await Patience.For(both.Task, "the second confirmation to meet the first");
        };
    }

    /// <summary>
    /// Runs the action after a secret was accepted and before the change applies: when the next
    /// database transaction begins, which is the one that applies.
    /// </summary>
    public void BeforeApplying(Func<Task> action) => _onConfirmed = action;

    private Func<Task>? _onConfirmed;

    /// <summary>Options applied before any others, so the interceptor comes first.</summary>
    private sealed class FirstInterceptor<TContext>(IInterceptor interceptor) : IDbContextOptionsConfiguration<TContext>
        where TContext : DbContext
    {
        public void Configure(IServiceProvider serviceProvider, DbContextOptionsBuilder optionsBuilder) => optionsBuilder.AddInterceptors(interceptor);
    }

    private sealed class TransactionGate(ConfirmationsPortal owner) : DbTransactionInterceptor
    {
        public override async ValueTask<InterceptionResult<DbTransaction>> TransactionStartingAsync(
            DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result, CancellationToken cancellationToken = default)
        {
            if (owner._onConfirmed is { } action)
            {
                await action();
            }
            return result;
        }
    }

    /// <summary>A member (or moderator, with roles) and the actor that stands for them.</summary>
    public async Task<(PortalUser User, Actor Actor)> PersonAsync(string email, params string[] roles)
    {
        var user = await Portal.CreateUserAsync(email, TestPortal.DefaultPassword, AccountState.Active, true, roles);
        return (user, new Actor(user.Id, user.UserName!, roles.ToHashSet()));
    }

    /// <summary>Valid proposed values for each shipped kind.</summary>
    public static IReadOnlyDictionary<string, string?> Proposal(string kind, int variant = 0) => kind switch
    {
        "email" => new Dictionary<string, string?> { ["Email"] = $"new{variant}@example.net" },
        "phone" => new Dictionary<string, string?> { ["PhoneNumber"] = variant == 0 ? "+49 151 2345 6789" : "+33 6 12 34 56 78" },
        "postal-address" => new Dictionary<string, string?>
        {
            ["Street"] = variant == 0 ? "Hauptstraße 5" : "Rue de Rivoli 10",
            ["PostalCode"] = variant == 0 ? "10115" : "75001",
            ["City"] = variant == 0 ? "Berlin" : "Paris",
            ["Country"] = variant == 0 ? "de" : "FR",
        },
        "bank-account" => new Dictionary<string, string?>
        {
            ["Iban"] = variant == 0 ? "DE89 3704 0044 0532 0130 00" : "GB82WEST12345698765432",
            ["AccountHolder"] = "Ada Lovelace",
        },
        "profile" => new Dictionary<string, string?> { ["DisplayName"] = variant == 0 ? "Ada L." : "Countess Ada" },
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public async Task<ChangeResult> RequestAsync(Actor actor, string kind, int variant = 0, string? password = TestPortal.DefaultPassword)
    {
        var result = await Requests.RequestAsync(actor, kind, actor.UserId!, Proposal(kind, variant), password);
        Assert.Equal(ChangeOutcome.Requested, result.Outcome);
        return result;
    }

    /// <summary>The code of a change as its channel delivered it: text message, letter, or transfer reference.</summary>
    public async Task<string> CodeAsync(long changeId)
    {
        await using var db = await Portal.DbAsync();
        var change = await db.DeferredChanges.AsNoTracking().SingleAsync(c => c.Id == changeId);
        return change.Channel switch
        {
            ChangeChannel.Sms => SixDigits().Match(await db.SmsMessages.Where(m => m.ChangeId == changeId).OrderByDescending(m => m.Id).Select(m => m.Body).FirstAsync()).Value,
            ChangeChannel.Letter => (await db.Letters.Where(l => l.ChangeId == changeId).OrderByDescending(l => l.Id).Select(l => l.Code).FirstAsync())!,
            ChangeChannel.Transfer => (await db.BankTransfers.Where(t => t.ChangeId == changeId).OrderByDescending(t => t.Id).Select(t => t.Reference).FirstAsync())!,
            _ => throw new InvalidOperationException($"Change {changeId} has no code."),
        };
    }

    /// <summary>A code of the same shape that is not the right one.</summary>
    public static string WrongCode(string code) =>
        code.All(char.IsAsciiDigit) ? (code == "000000" ? "111111" : "000000") : (code == "AAAAAAAA" ? "BBBBBBBB" : "AAAAAAAA");

    /// <summary>The token in the newest queued mail of the template to the recipient, from a link under the path.</summary>
    public async Task<string> TokenAsync(string recipient, string template, string path)
    {
        await using var db = await Portal.DbAsync();
        var body = await db.OutboxMessages.Where(m => m.Recipient == recipient && m.Template == template)
            .OrderByDescending(m => m.Id).Select(m => m.TextBody).FirstAsync();
        return Regex.Match(body, Regex.Escape(path) + "/([A-Za-z0-9_-]{43})").Groups[1].Value;
    }

    public async Task<DeferredChange> RowAsync(long id)
    {
        await using var db = await Portal.DbAsync();
        return await db.DeferredChanges.AsNoTracking().SingleAsync(c => c.Id == id);
    }

    public async Task<PortalUser> UserAsync(string id)
    {
        await using var db = await Portal.DbAsync();
        return await db.Users.AsNoTracking().SingleAsync(u => u.Id == id);
    }

    /// <summary>The current values of the kind's fields for the member, read straight from the database.</summary>
    public async Task<IReadOnlyDictionary<string, string?>?> ValuesAsync(string kind, string userId) =>
        await Requests.CurrentAsync(Actor.System, kind, userId);

    public async Task<int> AuditCountAsync(string action, long changeId)
    {
        await using var db = await Portal.DbAsync();
        var id = changeId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return await db.AuditEntries.CountAsync(e => e.Action == action && e.TargetId == id);
    }

    /// <summary>Changes the record the way a direct edit would: the kind's own validation and apply, no deferred change.</summary>
    public async Task EditDirectlyAsync(string kind, string userId, IReadOnlyDictionary<string, string?> values)
    {
        var changeKind = Lifecycle.Kind(kind);
        await using var db = await Portal.DbAsync();
        var validation = await changeKind.ValidateAsync(db, userId, values, default);
        Assert.True(validation.IsValid);
        var direct = new DeferredChange { Kind = kind, TargetType = changeKind.TargetType, TargetId = userId, ProposedJson = "{}", BeforeJson = "{}", RequestedByName = "direct edit" };
        await changeKind.ApplyAsync(db, direct, validation.Values, Clock.Now.UtcDateTime, default);
        await db.SaveChangesAsync();
    }

    public async ValueTask DisposeAsync() => await Portal.DisposeAsync();

    [GeneratedRegex(@"\b\d{6}\b")]
    private static partial Regex SixDigits();
}
