using System.Threading.Tasks;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using SafeMigrations.Engine.Postgres;

namespace SafeMigrations.Benchmarks.StallTable;

/// <summary>The base database of the stall table, and the recompute after each run.</summary>
public static class StallDatabase
{
    /// <summary>stall_base: the base migration, then rows by generate_series with the key and index built afterwards.</summary>
    public static async Task CreateBaseAsync(EphemeralPostgres server, long rows, int customers)
    {
        string connectionString = server.ConnectionStringFor("stall_base");
        await ExecuteAsync(server.ConnectionString, "CREATE DATABASE stall_base");
        StallContext.ActiveMigration = null;
        await using (var context = new StallContext(new DbContextOptionsBuilder<StallContext>().UseNpgsql(connectionString).Options))
            await context.Database.MigrateAsync();
        await ExecuteAsync(connectionString, $@"
SET maintenance_work_mem = '512MB';
SET synchronous_commit = off;
INSERT INTO ""Customers"" (""Name"") SELECT 'customer ' || g FROM generate_series(1, {customers}) g;
ALTER TABLE ""Orders"" DROP CONSTRAINT ""PK_Orders"";
INSERT INTO ""Orders"" (""CustomerId"", ""Total"", ""Status"", ""Quantity"", ""Note"", ""PlacedAt"", ""Reference"")
SELECT 1 + g % {customers}, (g % 100000) / 100.0, CASE WHEN g % 100 = 0 THEN NULL ELSE 'shipped' END, g % 1000, 'note ' || g,
       timestamp '2020-01-01' + g * interval '1 minute', gen_random_uuid()
FROM generate_series(1, {rows}) g;
ALTER TABLE ""Orders"" ADD CONSTRAINT ""PK_Orders"" PRIMARY KEY (""Id"");
CREATE INDEX ""IX_Orders_PlacedAt"" ON ""Orders"" (""PlacedAt"");");
        await ExecuteAsync(connectionString, "VACUUM ANALYZE \"Customers\"");
        await ExecuteAsync(connectionString, "VACUUM ANALYZE \"Orders\"");
        await ExecuteAsync(connectionString, "CHECKPOINT");
        NpgsqlConnection.ClearAllPools();
    }

    /// <summary>
    /// Rows left wrong: every row a writer saw acknowledged must hold what it wrote (in the column's new name and
    /// type), plus the scenario's own recompute over the whole table. -1 when a check query fails.
    /// </summary>
    public static async Task<long> WrongRowsAsync(string connectionString, StallScenario scenario, long rows, WrittenRow[] written)
    {
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using (var create = new NpgsqlCommand("CREATE TABLE stall_written (id bigint PRIMARY KEY, quantity integer, note text, placed text)", connection))
                await create.ExecuteNonQueryAsync();
            await using (NpgsqlBinaryImporter import = await connection.BeginBinaryImportAsync("COPY stall_written FROM STDIN (FORMAT BINARY)"))
            {
                foreach (WrittenRow row in written)
                {
                    await import.StartRowAsync();
                    await import.WriteAsync(row.Id, NpgsqlDbType.Bigint);
                    await import.WriteAsync(row.Quantity, NpgsqlDbType.Integer);
                    await import.WriteAsync(row.Note, NpgsqlDbType.Text);
                    await import.WriteAsync(row.PlacedAt, NpgsqlDbType.Text);
                }
                await import.CompleteAsync();
            }
            string writtenCheck = $@"SELECT count(*) FROM stall_written w LEFT JOIN ""Orders"" o ON o.""Id"" = w.id
WHERE o.""Id"" IS NULL OR o.""Quantity"" <> w.quantity OR o.""{scenario.NoteColumn}"" IS DISTINCT FROM w.note
   OR extract(epoch FROM o.""PlacedAt"") <> extract(epoch FROM w.placed::timestamp)";
            long wrong = await ScalarAsync<long>(connection, writtenCheck);
            foreach (string statement in scenario.WrongRowsSql(rows).Split(';', System.StringSplitOptions.RemoveEmptyEntries | System.StringSplitOptions.TrimEntries))
            {
                if (statement.StartsWith("SET ", System.StringComparison.OrdinalIgnoreCase))
                {
                    await using var set = new NpgsqlCommand(statement, connection);
                    await set.ExecuteNonQueryAsync();
                }
                else
                {
                    wrong += await ScalarAsync<long>(connection, statement);
                }
            }
            return wrong;
        }
        catch (PostgresException exception)
        {
            System.Console.WriteLine("  check failed: " + exception.MessageText);
            return -1;
        }
    }

    public static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync();
    }

    public static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        return await ScalarAsync<T>(connection, sql);
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
