using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Portal.Data;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Data;

public class BulkInsertTests : IAsyncLifetime
{
    private readonly TestPortal _portal;

    public BulkInsertTests() : this(DatabaseProvider.Sqlite)
    {
    }

    protected BulkInsertTests(DatabaseProvider database)
    {
        _portal = TestPortal.WithServices(services => services.RemoveAll<IHostedService>(), database);
    }

    private static OutboxMessage Message(int i) => new()
    {
        Template = "Test",
        Recipient = $"reader{i}@example.org",
        Subject = $"Message {i}",
        HtmlBody = $"<p>{i}</p>",
        TextBody = i % 3 == 0 ? "" : $"{i}",
        Headers = i % 2 == 0 ? null : "{}",
        MessageId = $"<{i}@portal.test>",
        CreatedAt = new DateTime(2026, 11, 29, 4, 0, 0, DateTimeKind.Utc),
        NextAttemptAt = new DateTime(2026, 11, 29, 4, 0, 0, DateTimeKind.Utc).AddSeconds(i),
    };

    [DatabaseFact]
    public async Task Every_row_is_stored_as_given_and_each_entity_gets_its_own_generated_key()
    {
        // More rows than go to the server in one round trip, and nulls among the first values.
        var messages = Enumerable.Range(0, 1234).Select(Message).ToList();

        await using (var db = await _portal.DbAsync())
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            await BulkInsert.InsertAsync(db, messages, default);
            await transaction.CommitAsync();
        }

        Assert.Equal(1234, messages.Select(m => m.Id).Distinct().Count());
        await using var check = await _portal.DbAsync();
        var stored = await check.OutboxMessages.AsNoTracking().ToDictionaryAsync(m => m.Id);
        Assert.Equal(1234, stored.Count);
        Assert.All(messages, m =>
        {
            var row = stored[m.Id];
            Assert.Equal((m.MessageId, m.Recipient, m.Subject, m.TextBody, m.Headers, m.NextAttemptAt), (row.MessageId, row.Recipient, row.Subject, row.TextBody, row.Headers, row.NextAttemptAt));
        });
    }

    [DatabaseFact]
    public async Task Rows_inserted_in_a_transaction_that_rolls_back_are_gone()
    {
        await using (var db = await _portal.DbAsync())
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            await BulkInsert.InsertAsync(db, Enumerable.Range(0, 700).Select(Message).ToList(), default);
            await transaction.RollbackAsync();
        }

        await using var check = await _portal.DbAsync();
        Assert.False(await check.OutboxMessages.AnyAsync());
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _portal.DisposeAsync();
}

public sealed class BulkInsertOnPostgresTests() : BulkInsertTests(DatabaseProvider.Postgres), IPostgresVariant;
