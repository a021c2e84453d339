using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Sql;

namespace SafeMigrations.Engine.Execution
{
    /// <summary>What the catalog says about an index name.</summary>
    public enum IndexState
    {
        /// <summary>No index of that name in the table's schema.</summary>
        Missing,

        /// <summary>Built and usable (<c>indisvalid</c> and <c>indisready</c>).</summary>
        Valid,

        /// <summary>
        /// Left by a failed or cancelled <c>CREATE INDEX CONCURRENTLY</c>: not used by queries, but still maintained on
        /// every write — and a unique one still rejects duplicates.
        /// </summary>
        Invalid,
    }

    /// <summary>How a concurrent index step went.</summary>
    public sealed class ConcurrentIndexResult
    {
        internal ConcurrentIndexResult(bool alreadyValid, bool droppedInvalidLeftover, TimeSpan duration)
        {
            AlreadyValid = alreadyValid;
            DroppedInvalidLeftover = droppedInvalidLeftover;
            Duration = duration;
        }

        /// <summary>The index already existed and was valid (a rerun after the step completed); nothing was built.</summary>
        public bool AlreadyValid { get; }

        /// <summary>An invalid index of that name (from an earlier failed build) was dropped before building.</summary>
        public bool DroppedInvalidLeftover { get; }

        /// <summary>Wall time of the step.</summary>
        public TimeSpan Duration { get; }
    }

    /// <summary>
    /// <c>CREATE [UNIQUE] INDEX CONCURRENTLY</c>, run outside any transaction (it cannot run inside one). Reads and
    /// writes continue during the build. A failed build leaves an invalid index behind; this step drops such a
    /// leftover (<c>DROP INDEX CONCURRENTLY</c>) before building and after a failure, and verifies the result.
    /// </summary>
    public sealed class ConcurrentIndexStep
    {
        /// <summary>
        /// Creates the step from the statement to run, which must be <c>CREATE [UNIQUE] INDEX CONCURRENTLY</c> with an
        /// explicit index name.
        /// </summary>
        /// <exception cref="ArgumentException">The SQL is not such a statement.</exception>
        public ConcurrentIndexStep(string createIndexSql)
        {
            SqlStatement statement = StatementScanner.Classify(createIndexSql ?? throw new ArgumentNullException(nameof(createIndexSql)));
            if (statement.Kind != StatementKind.CreateIndex)
                throw new ArgumentException($"Expected a CREATE INDEX statement, got {statement.Kind}: {createIndexSql}", nameof(createIndexSql));
            if (!statement.Concurrently)
                throw new ArgumentException("The index must be built CONCURRENTLY; a plain CREATE INDEX blocks writes for the whole build: " + createIndexSql, nameof(createIndexSql));
            if (statement.Index is null || statement.Table is null)
                throw new ArgumentException("The index needs an explicit name (the step checks and repairs it by name): " + createIndexSql, nameof(createIndexSql));
            if (StatementScanner.Scan(createIndexSql).Count != 1)
                throw new ArgumentException("Expected exactly one statement: " + createIndexSql, nameof(createIndexSql));

            CreateSql = createIndexSql;
            IndexName = statement.Index.Name;
            Table = SqlIdentifier.Qualify(statement.Table.Schema, statement.Table.Name);
        }

        /// <summary>The CREATE INDEX CONCURRENTLY statement.</summary>
        public string CreateSql { get; }

        /// <summary>Index name (unquoted); it lives in the table's schema.</summary>
        public string IndexName { get; }

        /// <summary>The table, quoted (and qualified when the statement qualifies it).</summary>
        public string Table { get; }

        /// <summary>
        /// Optional lock_timeout for the build and the drop. Default none: the build's SHARE UPDATE EXCLUSIVE lock does
        /// not block reads or writes, and the build also waits for older transactions to finish — a timeout there
        /// only leaves an invalid index behind.
        /// </summary>
        public TimeSpan? LockTimeout { get; set; }

        /// <summary>
        /// Builds the index (dropping an invalid leftover first) and verifies it is valid. The connection must be open
        /// and not in a transaction. A rerun after success does nothing.
        /// </summary>
        /// <exception cref="StepFailedException">The build failed (the invalid index it left was dropped) or the index is not valid afterwards.</exception>
        public async Task<ConcurrentIndexResult> RunAsync(NpgsqlConnection connection, CancellationToken cancellationToken = default)
        {
            var clock = Stopwatch.StartNew();
            IndexState before = await GetStateAsync(connection, cancellationToken).ConfigureAwait(false);
            if (before == IndexState.Valid)
                return new ConcurrentIndexResult(alreadyValid: true, droppedInvalidLeftover: false, clock.Elapsed);

            bool dropped = false;
            if (before == IndexState.Invalid)
            {
                await DropInvalidAsync(connection, cancellationToken).ConfigureAwait(false);
                dropped = true;
            }

            try
            {
                await ExecuteAsync(connection, CreateSql, cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException exception)
            {
                bool cleaned = false;
                if (await GetStateAsync(connection, CancellationToken.None).ConfigureAwait(false) == IndexState.Invalid)
                {
                    await DropInvalidAsync(connection, CancellationToken.None).ConfigureAwait(false);
                    cleaned = true;
                }

                string hint = exception.SqlState == PostgresErrorCodes.UniqueViolation
                    ? " The table holds duplicate values for the unique key; remove them and rerun."
                    : string.Empty;
                throw new StepFailedException(
                    $"CREATE INDEX CONCURRENTLY \"{IndexName}\" failed: {exception.SqlState}: {exception.MessageText}." + hint +
                    (cleaned ? " The invalid index the failed build left was dropped." : string.Empty),
                    new[] { new StepAttempt(1, TimeSpan.Zero, clock.Elapsed, AttemptOutcome.Failed, exception.SqlState, exception.MessageText) },
                    retriesExhausted: false,
                    exception);
            }

            IndexState after = await GetStateAsync(connection, cancellationToken).ConfigureAwait(false);
            if (after != IndexState.Valid)
            {
                throw new StepFailedException(
                    $"Verification failed: index \"{IndexName}\" on {Table} is {after} after CREATE INDEX CONCURRENTLY.",
                    Array.Empty<StepAttempt>(), retriesExhausted: false, inner: null);
            }
            return new ConcurrentIndexResult(alreadyValid: false, droppedInvalidLeftover: dropped, clock.Elapsed);
        }

        /// <summary>The verification query: whether the index exists on the table and is valid.</summary>
        /// <exception cref="InvalidOperationException">The table does not exist, or the name belongs to another relation.</exception>
        public async Task<IndexState> GetStateAsync(NpgsqlConnection connection, CancellationToken cancellationToken = default)
        {
            const string sql = @"
select t.oid is not null as table_exists,
       c.relkind::text, i.indrelid = t.oid as on_table, i.indisvalid and i.indisready as valid
from (select to_regclass(@table) as oid) t
left join pg_class c on c.relname = @name
  and c.relnamespace = (select relnamespace from pg_class where oid = t.oid)
left join pg_index i on i.indexrelid = c.oid";
            await using var command = new NpgsqlCommand(sql, connection);
            command.Parameters.AddWithValue("table", Table);
            command.Parameters.AddWithValue("name", IndexName);
            await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (!reader.GetBoolean(0))
                throw new InvalidOperationException($"Table {Table} does not exist.");
            if (reader.IsDBNull(1))
                return IndexState.Missing;
            if (reader.GetString(1) != "i" || reader.IsDBNull(2) || !reader.GetBoolean(2))
                throw new InvalidOperationException($"\"{IndexName}\" already exists in the schema of {Table} and is not an index on that table.");
            return reader.GetBoolean(3) ? IndexState.Valid : IndexState.Invalid;
        }

        private async Task DropInvalidAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
        {
            string schema = await SchemaOfTableAsync(connection, cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, "DROP INDEX CONCURRENTLY IF EXISTS " + SqlIdentifier.Qualify(schema, IndexName), cancellationToken).ConfigureAwait(false);
        }

        private async Task<string> SchemaOfTableAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
        {
            const string sql = "select n.nspname from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.oid = to_regclass(@table)";
            await using var command = new NpgsqlCommand(sql, connection);
            command.Parameters.AddWithValue("table", Table);
            object? schema = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return schema as string ?? throw new InvalidOperationException($"Table {Table} does not exist.");
        }

        private async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
        {
            // No transaction: CONCURRENTLY refuses to run in one — nor in a multi-statement command, which PostgreSQL
            // runs as an implicit transaction. So the session-level timeout is its own command, reset afterwards.
            if (LockTimeout is TimeSpan timeout)
            {
                await using var set = new NpgsqlCommand("SET lock_timeout = '" + LockRetryPolicy.Milliseconds(timeout) + "'", connection);
                await set.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            try
            {
                await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                if (LockTimeout is not null)
                {
                    await using var reset = new NpgsqlCommand("RESET lock_timeout", connection);
                    await reset.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
                }
            }
        }
    }
}
