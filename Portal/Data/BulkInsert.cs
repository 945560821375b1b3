using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Portal.Data;

/// <summary>
/// Inserts many rows fast: one prepared INSERT per table, reused for every row, in the context's
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

        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            command.CommandText =
                $"INSERT INTO {sql.DelimitIdentifier(table.Name, table.Schema)} ({string.Join(", ", columns.Select(c => sql.DelimitIdentifier(c.Property.GetColumnName(table)!)))}) " +
                $"VALUES ({string.Join(", ", columns.Select((_, i) => $"@p{i}"))})" +
                (generated is null ? "" : $" RETURNING {sql.DelimitIdentifier(generated.GetColumnName(table)!)}");
            // Typed by the column's mapping, as EF types its own: a prepared statement keeps its
            // parameter types, and PostgreSQL cannot infer a type from a first row's null.
            var parameters = columns.Select((c, i) => Parameter(command, c.Mapping, c.Property.IsNullable, $"@p{i}")).ToArray();
            await command.PrepareAsync(cancellationToken);

            foreach (var entity in entities)
            {
                for (var i = 0; i < columns.Count; i++)
                {
                    var (_, getter, mapping) = columns[i];
                    var value = getter.GetClrValue(entity);
                    parameters[i].Value = (mapping.Converter is null || value is null ? value : mapping.Converter.ConvertToProvider(value)) ?? DBNull.Value;
                }
                if (generated is null)
                {
                    await command.ExecuteNonQueryAsync(cancellationToken);
                }
                else
                {
                    var key = await command.ExecuteScalarAsync(cancellationToken);
                    generated.PropertyInfo!.SetValue(entity, Convert.ChangeType(key, generated.ClrType, System.Globalization.CultureInfo.InvariantCulture));
                }
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
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

    private static DbParameter Parameter(DbCommand command, RelationalTypeMapping mapping, bool nullable, string name)
    {
        var parameter = mapping.CreateParameter(command, name, value: null, nullable);
        command.Parameters.Add(parameter);
        return parameter;
    }
}
