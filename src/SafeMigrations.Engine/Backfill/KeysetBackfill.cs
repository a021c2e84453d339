using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using NpgsqlTypes;
using SafeMigrations.Engine.Execution;

namespace SafeMigrations.Engine.Backfill
{
    /// <summary>The statement each keyset batch runs over its key range.</summary>
    public enum KeysetStatementKind
    {
        /// <summary><c>UPDATE t SET assignments WHERE range AND predicate</c> (a backfill).</summary>
        Update,

        /// <summary><c>DELETE FROM t WHERE range AND predicate</c> (a batched delete).</summary>
        Delete,
    }

    /// <summary>
    /// Updates (or deletes from) a table in key order, one short transaction per batch, instead of one statement that
    /// locks every row until it commits. Each batch covers a key range:
    /// <c>UPDATE t SET ... WHERE (k) &gt; (last) AND (k) &lt;= (upper) AND (predicate)</c>, or
    /// <c>DELETE FROM t WHERE ...</c> with the same range (see <see cref="StatementKind"/>), where <c>upper</c> is the
    /// n-th key after <c>last</c>. Works with composite keys (row comparison) and any key type (values travel as
    /// text and are cast to the column type).
    /// </summary>
    /// <remarks>
    /// <para>The assignment, predicate and verification query are SQL fragments from the migration (trusted text,
    /// not user input); identifiers the engine adds are quoted.</para>
    /// <para>Rows inserted behind the cursor while the backfill runs are not visited: the recipe pairs a backfill
    /// with application code or a sync trigger that fills new and changed rows, and the verification proves it.</para>
    /// <para>A batch never waits for a row an application transaction holds (with a per-row "still to do" condition,
    /// see <see cref="RemainingPredicate"/>): it locks its rows with SKIP LOCKED, so no writer queues behind rows the
    /// batch already holds while the batch waits. After the last batch a sweep fills the rows skipped.</para>
    /// </remarks>
    public sealed class KeysetBackfill
    {
        /// <summary>Creates a backfill (batched UPDATE) of <paramref name="table"/>.</summary>
        /// <param name="schema">Schema, or null for the search_path.</param>
        /// <param name="table">Table name (unquoted).</param>
        /// <param name="assignments">The SET list, e.g. <c>"new_total" = "total" * 100</c>.</param>
        /// <param name="predicate">Rows that still need the update, e.g. <c>"new_total" IS NULL</c>; null updates every row once.</param>
        public KeysetBackfill(string? schema, string table, string assignments, string? predicate = null)
            : this(KeysetStatementKind.Update, schema, table, assignments, predicate)
        {
            if (string.IsNullOrWhiteSpace(assignments))
                throw new ArgumentException("The SET assignments are required.", nameof(assignments));
        }

        private KeysetBackfill(KeysetStatementKind kind, string? schema, string table, string? assignments, string? predicate)
        {
            if (string.IsNullOrWhiteSpace(table))
                throw new ArgumentException("A table is required.", nameof(table));
            StatementKind = kind;
            Schema = schema;
            Table = table;
            Assignments = assignments ?? string.Empty;
            Predicate = string.IsNullOrWhiteSpace(predicate) ? null : predicate;
        }

        /// <summary>
        /// Creates a batched delete of the rows of <paramref name="table"/> matching <paramref name="predicate"/>:
        /// each batch deletes the matching rows of one key range in its own transaction.
        /// </summary>
        /// <param name="schema">Schema, or null for the search_path.</param>
        /// <param name="table">Table name (unquoted).</param>
        /// <param name="predicate">The rows to delete (<c>TRUE</c> for every row); required, and the verification proves none is left.</param>
        public static KeysetBackfill Delete(string? schema, string table, string predicate)
        {
            if (string.IsNullOrWhiteSpace(predicate))
                throw new ArgumentException("A batched delete needs a predicate (TRUE deletes every row).", nameof(predicate));
            return new KeysetBackfill(KeysetStatementKind.Delete, schema, table, null, predicate);
        }

        /// <summary>What each batch runs: an UPDATE (backfill) or a DELETE.</summary>
        public KeysetStatementKind StatementKind { get; }

        /// <summary>Schema, or null.</summary>
        public string? Schema { get; }

        /// <summary>Table name.</summary>
        public string Table { get; }

        /// <summary>The SET list (empty for a delete).</summary>
        public string Assignments { get; }

        /// <summary>Rows still needing the update (or to delete), or null.</summary>
        public string? Predicate { get; }

        /// <summary>Key columns to walk; null uses the primary key, else the narrowest unique index on NOT NULL columns.</summary>
        public IReadOnlyList<string>? KeyColumns { get; set; }

        /// <summary>
        /// A query returning the number of rows not yet right (0 means done). Null counts rows matching
        /// <see cref="Predicate"/>; with neither, nothing is verified.
        /// </summary>
        public string? VerificationQuery { get; set; }

        /// <summary>
        /// A row condition true for exactly the rows not yet right, when <see cref="VerificationQuery"/> counts something
        /// other than <see cref="Predicate"/>. With such a condition (or a predicate that the verification counts), a
        /// batch skips rows an application transaction holds (SKIP LOCKED) instead of waiting for them, and the rows
        /// skipped are filled after the last batch; without one, a batch waits for held rows under lock_timeout.
        /// </summary>
        public string? RemainingPredicate { get; set; }

        private string QualifiedTable => SqlIdentifier.Qualify(Schema, Table);

        /// <summary>
        /// Runs the batches until the end of the table (on <see cref="BackfillOptions.Workers"/> connections, one key
        /// segment each, when more than one), then verifies (no row matches the predicate, or <see cref="VerificationQuery"/> returns 0).
        /// </summary>
        /// <exception cref="BackfillKeyException">The table has no usable key.</exception>
        /// <exception cref="StepFailedException">A batch failed, ran out of lock retries, or rows remain afterwards.</exception>
        /// <exception cref="OperationCanceledException">Cancelled; the batch in flight was rolled back, earlier ones stay (see the last progress position).</exception>
        public async Task<BackfillResult> RunAsync(NpgsqlConnection connection, BackfillOptions? options = null, CancellationToken cancellationToken = default)
        {
            options ??= new BackfillOptions();
            options.Validate();
            var clock = Stopwatch.StartNew();
            IReadOnlyList<BackfillKeyColumn> key = await ResolveKeyAsync(connection, cancellationToken).ConfigureAwait(false);
            string[] keyNames = key.Select(k => k.Name).ToArray();

            BackfillPosition? position = options.ResumeFrom;
            if (position is not null && !position.KeyColumns.SequenceEqual(keyNames))
                throw new ArgumentException($"The resume position is for key ({string.Join(", ", position.KeyColumns)}), but the table's key is ({string.Join(", ", keyNames)}).", nameof(options));

            long? estimatedTotal = await EstimateRowsAsync(connection, cancellationToken).ConfigureAwait(false);
            var statements = new KeysetStatements(QualifiedTable, key, StatementKind, Assignments, Predicate, RemainingCondition);
            // Skipping held rows is safe only when the rows left to do can be found again afterwards.
            bool skipLocked = statements.Remaining is not null;

            // The first batch measures the table's speed with few rows: a 10,000-row first batch took 150-200 ms under
            // load, and a writer waited for all of it. The sizing then grows toward the target (at most doubling per batch).
            int batchSize = Math.Max(options.MinBatchSize, Math.Min(options.MaxBatchSize, Math.Min(options.InitialBatchSize, BackfillOptions.FirstBatchCap)));
            string verb = StatementKind == KeysetStatementKind.Delete ? "deleted" : "updated";
            // A single walk is one segment over the key; several workers, or a run that several workers started, walk several.
            IReadOnlyList<BackfillSegment> segments = position?.WalkSegments ?? new[] { new BackfillSegment(null, null, null, 0, done: false) };
            bool split = false;
            if (segments.Count == 1 && segments[0] is { Done: false, To: null } single && options.Workers > 1)
            {
                // A small table gains nothing from more connections: at least ten first batches per worker.
                long left = Math.Max(0, (estimatedTotal ?? 0) - single.RowsVisited);
                int workers = (int)Math.Min(options.Workers, left / (10L * batchSize));
                if (workers > 1)
                {
                    IReadOnlyList<BackfillSegment> parts = await KeySegments.SplitAsync(statements, connection, workers, estimatedTotal, single.ResumeAfter, single.RowsVisited, cancellationToken).ConfigureAwait(false);
                    split = parts.Count > 1;
                    segments = split ? parts : segments;
                }
            }

            // Batches commit without waiting for the WAL flush when asked (see BackfillOptions.AsynchronousCommit).
            BlockingStepRunner runner = BatchRunner(options);
            var walk = new ParallelBackfill(statements, options, keyNames, skipLocked, verb, estimatedTotal, clock, batchSize, segments, runner);
            await walk.RunAsync(connection, split, cancellationToken).ConfigureAwait(false);
            position = walk.Position;
            long rowsUpdated = walk.RowsUpdated;
            int retries = walk.Retries;

            long? remaining;
            if (skipLocked)
            {
                // Rows a batch skipped (held by the application at that moment) still match: the sweep finds and fills them.
                var sweep = new LockedRowSweep(statements, runner, QualifiedTable, keyNames);
                try
                {
                    remaining = await sweep.RunAsync(connection, options.LockAttempt, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    rowsUpdated += sweep.RowsChanged;
                    retries += sweep.Retries;
                }
                if (remaining > 0)
                    remaining = await CountRemainingAsync(connection, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                remaining = await CountRemainingAsync(connection, cancellationToken).ConfigureAwait(false);
            }
            if (remaining > 0)
            {
                string message = StatementKind == KeysetStatementKind.Delete
                    ? $"Batched delete verification failed on {QualifiedTable}: {remaining} row(s) still match the predicate after the last batch. " +
                      "Rows written behind the delete's cursor (by the application) were not visited; stop writing such rows, then rerun to pick them up."
                    : $"Backfill verification failed on {QualifiedTable}: {remaining} row(s) still need the update after the last batch. " +
                      "Rows written behind the backfill need the application or a sync trigger to fill them; rerun the backfill to pick them up.";
                throw new StepFailedException(message, Array.Empty<StepAttempt>(), retriesExhausted: false, inner: null);
            }
            return new BackfillResult(rowsUpdated, walk.Batches, retries, clock.Elapsed, position, remaining);
        }

        /// <summary>
        /// A row condition true exactly for rows still to do: <see cref="RemainingPredicate"/>, else the predicate when
        /// the verification counts that predicate; null when neither says it per row.
        /// </summary>
        private string? RemainingCondition => RemainingPredicate ?? (VerificationQuery is null ? Predicate : null);

        /// <summary>The runner of the batches: the step's lock policy, and commits that do not wait for the WAL flush when asked.</summary>
        internal static BlockingStepRunner BatchRunner(BackfillOptions options)
            => new BlockingStepRunner(options.LockPolicy) { TransactionSettings = options.AsynchronousCommit ? "SET LOCAL synchronous_commit = off" : null };

        /// <summary>The verification: rows not yet backfilled (see <see cref="VerificationQuery"/>), or null when there is nothing to check with.</summary>
        public async Task<long?> CountRemainingAsync(NpgsqlConnection connection, CancellationToken cancellationToken = default)
        {
            string? sql = VerificationQuery ?? (Predicate is null ? null : $"SELECT count(*) FROM {QualifiedTable} WHERE ({Predicate})");
            if (sql is null)
                return null;
            await using var command = new NpgsqlCommand(sql, connection);
            object? value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
        }

        /// <summary>The key the backfill walks: <see cref="KeyColumns"/>, the primary key, or the narrowest unique NOT NULL key.</summary>
        /// <exception cref="BackfillKeyException">No table, no such columns, or no usable key.</exception>
        public async Task<IReadOnlyList<BackfillKeyColumn>> ResolveKeyAsync(NpgsqlConnection connection, CancellationToken cancellationToken = default)
        {
            await using (var exists = new NpgsqlCommand("select to_regclass(@table) is not null", connection))
            {
                exists.Parameters.AddWithValue("table", QualifiedTable);
                if (!(bool)(await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!)
                    throw new BackfillKeyException($"Table {QualifiedTable} does not exist.");
            }

            if (KeyColumns is not null)
                return await ReadExplicitKeyAsync(connection, KeyColumns, cancellationToken).ConfigureAwait(false);

            const string sql = @"
select array_agg(a.attname::text order by k.ord), array_agg(format_type(a.atttypid, a.atttypmod) order by k.ord)
from pg_index i
cross join lateral unnest(i.indkey::int2[]) with ordinality as k(attnum, ord)
join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
where i.indrelid = to_regclass(@table) and i.indisunique and i.indisvalid and i.indpred is null and i.indexprs is null
  and k.ord <= i.indnkeyatts
group by i.indexrelid, i.indisprimary
having bool_and(a.attnotnull)
order by i.indisprimary desc, count(*), i.indexrelid
limit 1";
            await using var command = new NpgsqlCommand(sql, connection);
            command.Parameters.AddWithValue("table", QualifiedTable);
            await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                throw new BackfillKeyException(
                    $"Table {QualifiedTable} has no primary key and no unique index on NOT NULL columns, so it cannot be backfilled in key order. " +
                    "Add a primary key (or a unique index on NOT NULL columns), or name key columns explicitly.");
            }
            string[] names = reader.GetFieldValue<string[]>(0);
            string[] types = reader.GetFieldValue<string[]>(1);
            return names.Select((name, i) => new BackfillKeyColumn(name, types[i])).ToArray();
        }

        private async Task<IReadOnlyList<BackfillKeyColumn>> ReadExplicitKeyAsync(NpgsqlConnection connection, IReadOnlyList<string> names, CancellationToken cancellationToken)
        {
            const string sql = "select attname::text, format_type(atttypid, atttypmod), attnotnull from pg_attribute where attrelid = to_regclass(@table) and attnum > 0 and not attisdropped";
            var columns = new Dictionary<string, (string Type, bool NotNull)>(StringComparer.Ordinal);
            await using (var command = new NpgsqlCommand(sql, connection))
            {
                command.Parameters.AddWithValue("table", QualifiedTable);
                await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    columns[reader.GetString(0)] = (reader.GetString(1), reader.GetBoolean(2));
            }

            var key = new List<BackfillKeyColumn>();
            foreach (string name in names)
            {
                if (!columns.TryGetValue(name, out var column))
                    throw new BackfillKeyException($"Key column \"{name}\" does not exist in {QualifiedTable}.");
                if (!column.NotNull)
                    throw new BackfillKeyException($"Key column \"{name}\" of {QualifiedTable} is nullable; rows with a NULL key would never be visited. Use NOT NULL key columns.");
                key.Add(new BackfillKeyColumn(name, column.Type));
            }
            if (key.Count == 0)
                throw new BackfillKeyException("At least one key column is needed.");
            return key;
        }

        private async Task<long?> EstimateRowsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
        {
            await using var command = new NpgsqlCommand("select reltuples::bigint from pg_class where oid = to_regclass(@table)", connection);
            command.Parameters.AddWithValue("table", QualifiedTable);
            long estimate = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
            if (estimate > 0)
                return estimate;
            // Never analyzed (-1 on PostgreSQL 14+, 0 before): count once; a scan without blocking locks.
            await using var count = new NpgsqlCommand($"select count(*) from {QualifiedTable}", connection);
            return (long)(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }
    }

    /// <summary>One column of the key a backfill walks.</summary>
    public sealed class BackfillKeyColumn
    {
        /// <summary>Creates a key column.</summary>
        public BackfillKeyColumn(string name, string type)
        {
            Name = name;
            Type = type;
        }

        /// <summary>Column name (unquoted).</summary>
        public string Name { get; }

        /// <summary>Type as <c>format_type</c> renders it; key values are cast to it.</summary>
        public string Type { get; }
    }

    /// <summary>The table has no key a keyset backfill can walk, or the named key is unusable.</summary>
    public sealed class BackfillKeyException : Exception
    {
        /// <summary>Creates the exception.</summary>
        public BackfillKeyException(string message)
            : base(message)
        {
        }
    }
}
