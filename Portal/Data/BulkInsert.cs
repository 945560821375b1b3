using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Portal.Data;

/// <summary>
/// Inserts many rows fast: one INSERT per table, reused for every row (prepared once, or sent
/// hundreds of rows to a round trip where the provider batches commands), in the context's
/// transaction, without change tracking. Table and column names, value conversions and generated
/// keys all come from the EF model, and the SQL is what every provider understands (keys are read
/// back with RETURNING). Used where saving through the change tracker is too slow: bulk invitations.
/// </summary>
public static class BulkInsert
{
    /// <summary>Inserts the entities; a key the database generates is read back into each.</summary>
    public static async Task InsertAsync<T>(DbContext db, IReadOnlyCollection<T> entities, CancellationToken cancellationToken) where T : class
    {
        if (entities.Count == 0)
        {
            return;
        }
        var entityType = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not in the model.");
        var table = StoreObjectIdentifier.Table(entityType.GetTableName()!, entityType.GetSchema());
        var sql = db.GetService<ISqlGenerationHelper>();
        var generated = entityType.FindPrimaryKey()!.Properties.SingleOrDefault(p => p.ValueGenerated == ValueGenerated.OnAdd);
        var columns = entityType.GetProperties().Where(p => p != generated)
            .Select(p => (Property: p, Getter: p.GetGetter(), Mapping: p.GetRelationalTypeMapping()))
            .ToList();

        var target = sql.DelimitIdentifier(table.Name, table.Schema);
        var names = string.Join(", ", columns.Select(c => sql.DelimitIdentifier(c.Property.GetColumnName(table)!)));
        var returning = generated is null ? "" : $" RETURNING {sql.DelimitIdentifier(generated.GetColumnName(table)!)}";
        var row = new Row<T>(columns.Select(c => (c.Getter, c.Mapping, c.Property.IsNullable)).ToArray(), generated);

        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            var connection = db.Database.GetDbConnection();
            var transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            if (connection.CanCreateBatch)
            {
                // Many rows to a round trip where the provider can (PostgreSQL): positional parameters.
                var text = $"INSERT INTO {target} ({names}) VALUES ({string.Join(", ", columns.Select((_, i) => $"${i + 1}"))}){returning}";
                await InsertBatchedAsync(connection, transaction, text, row, entities, cancellationToken);
            }
            else
            {
                var text = $"INSERT INTO {target} ({names}) VALUES ({string.Join(", ", columns.Select((_, i) => $"@p{i}"))}){returning}";
                await InsertPreparedAsync(connection, transaction, text, row, entities, cancellationToken);
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>Rows sent to the server together where the provider batches commands.</summary>
    private const int RowsPerBatch = 500;

    /// <summary>One statement, prepared once, run for each row.</summary>
    private static async Task InsertPreparedAsync<T>(DbConnection connection, DbTransaction? transaction, string text, Row<T> row,
        IReadOnlyCollection<T> entities, CancellationToken cancellationToken) where T : class
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = text;
        var parameters = row.Parameters(command, i => $"@p{i}");
        command.Parameters.AddRange(parameters);
        await command.PrepareAsync(cancellationToken);
        foreach (var entity in entities)
        {
            row.Fill(parameters, entity);
            if (row.Generated is null)
            {
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
            else
            {
                row.SetKey(entity, await command.ExecuteScalarAsync(cancellationToken));
            }
        }
    }

    /// <summary>The same statement for each row, <see cref="RowsPerBatch"/> of them to a round trip; keys read back in order.</summary>
    private static async Task InsertBatchedAsync<T>(DbConnection connection, DbTransaction? transaction, string text, Row<T> row,
        IReadOnlyCollection<T> entities, CancellationToken cancellationToken) where T : class
    {
        // Parameters are made by a command, typed by the column's mapping as EF types its own.
        await using var factory = connection.CreateCommand();
        foreach (var chunk in entities.Chunk(RowsPerBatch))
        {
            await using var batch = connection.CreateBatch();
            batch.Transaction = transaction;
            foreach (var entity in chunk)
            {
                var command = batch.CreateBatchCommand();
                command.CommandText = text;
                var parameters = row.Parameters(factory, _ => "");
                row.Fill(parameters, entity);
                command.Parameters.AddRange(parameters);
                batch.BatchCommands.Add(command);
            }
            if (row.Generated is null)
            {
                await batch.ExecuteNonQueryAsync(cancellationToken);
                continue;
            }
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            foreach (var entity in chunk)
            {
                if (!await reader.ReadAsync(cancellationToken))
                {
                    throw new InvalidOperationException($"An insert into {typeof(T).Name} returned no key.");
                }
                row.SetKey(entity, reader.GetValue(0));
                await reader.NextResultAsync(cancellationToken);
            }
        }
    }

    /// <summary>How one entity becomes one row's parameter values, and how its generated key goes back.</summary>
    private sealed record Row<T>(
        (IClrPropertyGetter Getter, RelationalTypeMapping Mapping, bool Nullable)[] Columns, IProperty? Generated) where T : class
    {
        // Typed by the column's mapping, as EF types its own: a prepared statement keeps its
        // parameter types, and PostgreSQL cannot infer a type from a first row's null.
        public DbParameter[] Parameters(DbCommand command, Func<int, string> name) =>
            Columns.Select((c, i) => c.Mapping.CreateParameter(command, name(i), value: null, c.Nullable)).ToArray();

        public void Fill(DbParameter[] parameters, T entity)
        {
            for (var i = 0; i < Columns.Length; i++)
            {
                var (getter, mapping, _) = Columns[i];
                var value = getter.GetClrValue(entity);
                parameters[i].Value = (mapping.Converter is null || value is null ? value : mapping.Converter.ConvertToProvider(value)) ?? DBNull.Value;
            }
        }

        public void SetKey(T entity, object? key) =>
            Generated!.PropertyInfo!.SetValue(entity, Convert.ChangeType(key, Generated.ClrType, System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Inserts the entities of these types that the context holds as Added, in the order given (a
    /// table before the tables whose keys point to it), then forgets them: they are saved, and a
    /// context that watched thousands of entities would be slow to save the few other changes it
    /// holds. The other entities it tracks stay tracked, their changes kept. Any other Added entity
    /// is an error: it would be lost.
    /// </summary>
    public static async Task FlushAddedAsync(DbContext db, CancellationToken cancellationToken, params Type[] order)
    {
        var entries = db.ChangeTracker.Entries().ToList();
        var added = entries.Where(e => e.State == EntityState.Added).ToLookup(e => e.Entity.GetType());
        if (added.FirstOrDefault(g => !order.Contains(g.Key)) is { } unexpected)
        {
            throw new InvalidOperationException($"{unexpected.Key.Name} entities are added but not in the order to insert.");
        }
        foreach (var type in order.Where(added.Contains))
        {
            var entities = Array.CreateInstance(type, added[type].Count());
            var i = 0;
            foreach (var entry in added[type])
            {
                entities.SetValue(entry.Entity, i++);
            }
            var insert = typeof(BulkInsert).GetMethod(nameof(InsertAsync))!.MakeGenericMethod(type);
            await (Task)insert.Invoke(null, [db, entities, cancellationToken])!;
        }

        var kept = entries.Where(e => e.State != EntityState.Added)
            .Select(e =>
            {
                e.DetectChanges();
                return (e.Entity, e.State, Modified: e.Properties.Where(p => p.IsModified).Select(p => (p.Metadata.Name, p.OriginalValue)).ToList());
            })
            .ToList();
        db.ChangeTracker.Clear();
        foreach (var (entity, state, modified) in kept)
        {
            var entry = db.Entry(entity);
            entry.State = EntityState.Unchanged;
            foreach (var (name, original) in modified)
            {
                entry.Property(name).OriginalValue = original;
                entry.Property(name).IsModified = true;
            }
            if (state == EntityState.Deleted)
            {
                entry.State = EntityState.Deleted;
            }
        }
    }
}
