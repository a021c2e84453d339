using System;
using System.Collections.Generic;
using System.Data;
using System.Diagnostics;
using System.Linq;
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
        /// Optional lock_timeout for the build. Default none: the build's SHARE UPDATE EXCLUSIVE lock does not block
        /// reads or writes, and the build also waits for older transactions to finish — a timeout there only leaves an
        /// invalid index behind. <see cref="WaitTimeout"/> bounds those waits instead, and says who they are for.
        /// </summary>
        public TimeSpan? LockTimeout { get; set; }

        /// <summary>
        /// lock_timeout and attempts for dropping an invalid leftover (<c>DROP INDEX CONCURRENTLY</c> waits for every
        /// transaction using the table, so it is never run without a timeout). Default 2 s, 10 attempts.
        /// </summary>
        public LockRetryPolicy DropPolicy { get; set; } = new LockRetryPolicy();

        /// <summary>
        /// Longest single wait of the build for other transactions (its "waiting for ..." phases) before it is cancelled
        /// with an <see cref="IndexBuildWaitException"/>; null waits as long as they last.
        /// </summary>
        public TimeSpan? WaitTimeout { get; set; }

        /// <summary>Receives a progress line (phase, blocks and tuples, or whom the build waits for) every <see cref="ProgressInterval"/>.</summary>
        public Action<string>? Progress { get; set; }

        /// <summary>How often the build is polled for progress. Default 1 s.</summary>
        public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromSeconds(1);

        /// <summary>
        /// Opens a second session to the same database, for progress and for checking the index when the build's own
        /// connection was lost. Default: a clone of the build's connection.
        /// </summary>
        public Func<CancellationToken, Task<NpgsqlConnection>>? OpenSecondConnection { get; set; }

        /// <summary>
        /// Builds the index (dropping an invalid leftover first) and verifies it is valid. The connection must be open
        /// and not in a transaction. A rerun after success does nothing.
        /// </summary>
        /// <exception cref="StepFailedException">The build failed (the invalid index it left was dropped, or the message says it is left for the rerun to drop) or the index is not valid afterwards.</exception>
        /// <exception cref="IndexBuildWaitException">The build waited longer than <see cref="WaitTimeout"/> for other transactions.</exception>
        public async Task<ConcurrentIndexResult> RunAsync(NpgsqlConnection connection, CancellationToken cancellationToken = default)
        {
            var clock = Stopwatch.StartNew();
            IndexState before = await GetStateAsync(connection, cancellationToken).ConfigureAwait(false);
            if (before == IndexState.Valid)
                return new ConcurrentIndexResult(alreadyValid: true, droppedInvalidLeftover: false, clock.Elapsed);

            bool dropped = false;
            if (before == IndexState.Invalid)
            {
                await DropInvalidAsync(connection, DropPolicy.MaxAttempts, cancellationToken).ConfigureAwait(false);
                dropped = true;
            }

            int builderPid = connection.ProcessID;
            var monitor = new IndexBuildMonitor(builderPid, IndexName, Progress, WaitTimeout, ProgressInterval);
            try
            {
                await BuildWatchedAsync(connection, monitor, cancellationToken).ConfigureAwait(false);
            }
            catch (NpgsqlException exception) when (!IsUsable(connection))
            {
                throw await ConnectionLostAsync(connection, builderPid, exception, clock.Elapsed).ConfigureAwait(false);
            }
            catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.QueryCanceled && monitor.CancelledFor is not null)
            {
                throw await WaitCapExceededAsync(connection, monitor, exception).ConfigureAwait(false);
            }
            catch (PostgresException exception)
            {
                string duplicates = exception.SqlState == PostgresErrorCodes.UniqueViolation
                    ? await DescribeDuplicatesAsync(connection, exception).ConfigureAwait(false)
                    : string.Empty;
                bool cleaned = await GetStateAsync(connection, CancellationToken.None).ConfigureAwait(false) == IndexState.Invalid
                    && await TryDropInvalidAsync(connection, attempts: 1).ConfigureAwait(false);
                throw new StepFailedException(
                    $"CREATE INDEX CONCURRENTLY \"{IndexName}\" failed: {exception.SqlState}: {exception.MessageText}." + duplicates +
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

        /// <summary>Runs the build while a second session watches it (when progress or a wait cap is wanted and a second session opens).</summary>
        private async Task BuildWatchedAsync(NpgsqlConnection connection, IndexBuildMonitor monitor, CancellationToken cancellationToken)
        {
            NpgsqlConnection? watcher = Progress is null && WaitTimeout is null ? null : await TryOpenSecondAsync(connection, cancellationToken).ConfigureAwait(false);
            using var stop = new CancellationTokenSource();
            Task watching = watcher is null ? Task.CompletedTask : monitor.RunAsync(watcher, stop.Token);
            try
            {
                await ExecuteAsync(connection, CreateSql, LockTimeout, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                stop.Cancel();
                await watching.ConfigureAwait(false);
                if (watcher is not null)
                    await watcher.DisposeAsync().ConfigureAwait(false);
            }
        }

        private async Task<NpgsqlConnection?> TryOpenSecondAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
        {
            try
            {
                if (OpenSecondConnection is not null)
                    return await OpenSecondConnection(cancellationToken).ConfigureAwait(false);
                NpgsqlConnection clone = connection.CloneWith(connection.ConnectionString);
                await clone.OpenAsync(cancellationToken).ConfigureAwait(false);
                return clone;
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // The build does not depend on being watched; it only loses its progress lines and its wait cap.
                Progress?.Invoke($"index \"{IndexName}\": no second session for progress ({exception.Message}); building without progress lines or wait cap");
                return null;
            }
        }

        private async Task<StepFailedException> ConnectionLostAsync(NpgsqlConnection connection, int builderPid, NpgsqlException exception, TimeSpan elapsed)
        {
            string cause = exception is PostgresException postgres ? $"{postgres.SqlState}: {postgres.MessageText}" : exception.Message;
            string left;
            try
            {
                NpgsqlConnection fresh = OpenSecondConnection is not null
                    ? await OpenSecondConnection(CancellationToken.None).ConfigureAwait(false)
                    : connection.CloneWith(connection.ConnectionString);
                await using (fresh.ConfigureAwait(false))
                {
                    if (fresh.State != ConnectionState.Open)
                        await fresh.OpenAsync().ConfigureAwait(false);
                    IndexState state = await GetStateAsync(fresh, CancellationToken.None).ConfigureAwait(false);
                    await using var running = new NpgsqlCommand("select exists (select 1 from pg_stat_activity where pid = @pid and state = 'active')", fresh);
                    running.Parameters.AddWithValue("pid", builderPid);
                    bool stillBuilding = await running.ExecuteScalarAsync().ConfigureAwait(false) is true;
                    left = state switch
                    {
                        IndexState.Invalid => $" An INVALID index \"{IndexName}\" was left on {Table} (not used by queries, still updated on every write); a rerun of apply drops and rebuilds it.",
                        IndexState.Valid => $" The index \"{IndexName}\" was built and is valid; a rerun of apply records it.",
                        _ => " No index was left behind; rerun apply.",
                    };
                    if (stillBuilding)
                        left += $" The server session that ran the build (pid {builderPid}) is still running it: let it finish or stop it with SELECT pg_cancel_backend({builderPid}) before the rerun.";
                }
            }
            catch (Exception check) when (check is not OperationCanceledException)
            {
                left = $" Whether it left an INVALID index \"{IndexName}\" could not be checked ({check.Message}); a rerun of apply drops an invalid one and rebuilds it.";
            }
            return new StepFailedException(
                $"the connection to the server was lost during CREATE INDEX CONCURRENTLY \"{IndexName}\" ({cause})." + left,
                new[] { new StepAttempt(1, TimeSpan.Zero, elapsed, AttemptOutcome.Failed, (exception as PostgresException)?.SqlState, exception.Message) },
                retriesExhausted: false,
                exception);
        }

        private async Task<IndexBuildWaitException> WaitCapExceededAsync(NpgsqlConnection connection, IndexBuildMonitor monitor, PostgresException exception)
        {
            IReadOnlyList<BlockingSession> blockers = monitor.CancelledFor ?? Array.Empty<BlockingSession>();
            bool leftover = await GetStateAsync(connection, CancellationToken.None).ConfigureAwait(false) == IndexState.Invalid;
            bool dropped = leftover && await TryDropInvalidAsync(connection, attempts: 1).ConfigureAwait(false);
            string who = blockers.Count == 0 ? "other transactions" : string.Join("; ", blockers);
            string pids = blockers.Count == 0 ? "pid" : string.Join(", ", blockers.Select(b => b.Pid));
            return new IndexBuildWaitException(
                $"CREATE INDEX CONCURRENTLY \"{IndexName}\" waited {IndexBuildMonitor.Seconds(monitor.CancelledAfter)} ({monitor.CancelledInPhase}) for {who}, longer than the index wait cap of {IndexBuildMonitor.Seconds(WaitTimeout ?? TimeSpan.Zero)}, and was cancelled. "
                + "A concurrent index build waits for every transaction that could still see the table's old state, even idle ones. "
                + $"End them (commit or roll back the open transaction in its application, or SELECT pg_terminate_backend({pids}) for an idle one, pg_cancel_backend for a running query), or raise the cap (SafeMigrationsIndexWaitTimeout, --index-wait-timeout), then rerun apply."
                + (!leftover ? string.Empty : dropped ? " The invalid index the cancelled build left was dropped." : $" The INVALID index \"{IndexName}\" the cancelled build left could not be dropped yet (the same transactions hold it up); the rerun drops and rebuilds it."),
                blockers,
                !leftover || dropped,
                exception);
        }

        /// <summary>Names the first duplicated keys of the unique index (read from the invalid index the build left) and the query listing them all.</summary>
        private async Task<string> DescribeDuplicatesAsync(NpgsqlConnection connection, PostgresException exception)
        {
            string fallback = string.IsNullOrEmpty(exception.Detail) ? " The table holds duplicate values for the unique key; remove them and rerun." : $" {exception.Detail} Remove the duplicates and rerun.";
            try
            {
                string schema = await SchemaOfTableAsync(connection, CancellationToken.None).ConfigureAwait(false);
                const string keysSql = @"
select array(select pg_get_indexdef(i.indexrelid, k, true) from generate_series(1, i.indnkeyatts) k),
       pg_get_expr(i.indpred, i.indrelid), coalesce((to_jsonb(i) ->> 'indnullsnotdistinct')::boolean, false)
from pg_index i where i.indexrelid = to_regclass(@index)";
                string[] keys;
                string? predicate;
                bool nullsNotDistinct;
                await using (var command = new NpgsqlCommand(keysSql, connection))
                {
                    command.Parameters.AddWithValue("index", SqlIdentifier.Qualify(schema, IndexName));
                    await using NpgsqlDataReader reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
                    if (!await reader.ReadAsync().ConfigureAwait(false))
                        return fallback;
                    keys = reader.GetFieldValue<string[]>(0);
                    predicate = reader.IsDBNull(1) ? null : reader.GetString(1);
                    nullsNotDistinct = reader.GetBoolean(2);
                }
                if (keys.Length == 0)
                    return fallback;

                // NULLs never collide in a unique index unless it is NULLS NOT DISTINCT (PostgreSQL 15+).
                var conditions = new List<string>();
                if (predicate is not null)
                    conditions.Add("(" + predicate + ")");
                if (!nullsNotDistinct)
                    conditions.AddRange(keys.Select(k => $"({k}) IS NOT NULL"));
                string list = string.Join(", ", keys);
                string query = $"SELECT {list}, count(*) FROM {Table}{(conditions.Count == 0 ? string.Empty : " WHERE " + string.Join(" AND ", conditions))} GROUP BY {list} HAVING count(*) > 1 ORDER BY count(*) DESC";
                string text = string.Join(" || ', ' || ", keys.Select(k => $"coalesce(({k})::text, 'NULL')"));
                var found = new List<string>();
                await using (var command = new NpgsqlCommand($"SELECT {text}, count(*) FROM {Table}{(conditions.Count == 0 ? string.Empty : " WHERE " + string.Join(" AND ", conditions))} GROUP BY {list} HAVING count(*) > 1 ORDER BY count(*) DESC LIMIT 6", connection) { CommandTimeout = 30 })
                {
                    await using NpgsqlDataReader reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
                    while (await reader.ReadAsync().ConfigureAwait(false))
                        found.Add($"({reader.GetString(0)}) {reader.GetInt64(1)} rows");
                }
                string named = found.Count == 0
                    ? (string.IsNullOrEmpty(exception.Detail) ? string.Empty : " " + exception.Detail)
                    : $" Duplicated keys ({list}): {string.Join(", ", found.Take(5))}{(found.Count > 5 ? ", ..." : string.Empty)}.";
                return named + $" Remove the duplicates and rerun; list them all with: {query};";
            }
            catch (Exception describe) when (describe is NpgsqlException || describe is InvalidOperationException || describe is TimeoutException)
            {
                return fallback;
            }
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

        /// <summary>
        /// <c>DROP INDEX CONCURRENTLY</c> of the invalid leftover, never without a lock_timeout (it waits for every
        /// transaction using the table, and requests queued behind it would wait too), retried like a blocking step.
        /// </summary>
        private async Task DropInvalidAsync(NpgsqlConnection connection, int attempts, CancellationToken cancellationToken)
        {
            string schema = await SchemaOfTableAsync(connection, cancellationToken).ConfigureAwait(false);
            string sql = "DROP INDEX CONCURRENTLY IF EXISTS " + SqlIdentifier.Qualify(schema, IndexName);
            var random = new Random();
            var tries = new List<StepAttempt>();
            for (int attempt = 1; ; attempt++)
            {
                var clock = Stopwatch.StartNew();
                try
                {
                    await ExecuteAsync(connection, sql, DropPolicy.LockTimeout, cancellationToken).ConfigureAwait(false);
                    return;
                }
                catch (PostgresException exception) when (exception.SqlState == BlockingStepRunner.LockNotAvailable)
                {
                    tries.Add(new StepAttempt(attempt, TimeSpan.Zero, clock.Elapsed, AttemptOutcome.LockTimeout, exception.SqlState, exception.MessageText));
                    if (attempt >= attempts)
                    {
                        throw new StepFailedException(
                            $"Could not drop the invalid index \"{IndexName}\" left by an earlier failed build: {attempt} attempt(s) each waited longer than lock_timeout = {LockRetryPolicy.Milliseconds(DropPolicy.LockTimeout)} for transactions using {Table} (55P03). Nothing was changed; rerun when they have finished.",
                            tries, retriesExhausted: true, exception);
                    }
                    await Task.Delay(DropPolicy.Backoff(attempt, random), cancellationToken).ConfigureAwait(false);
                }
            }
        }

        private async Task<bool> TryDropInvalidAsync(NpgsqlConnection connection, int attempts)
        {
            try
            {
                await DropInvalidAsync(connection, attempts, CancellationToken.None).ConfigureAwait(false);
                return true;
            }
            catch (StepFailedException)
            {
                return false;
            }
        }

        private async Task<string> SchemaOfTableAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
        {
            const string sql = "select n.nspname from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.oid = to_regclass(@table)";
            await using var command = new NpgsqlCommand(sql, connection);
            command.Parameters.AddWithValue("table", Table);
            object? schema = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return schema as string ?? throw new InvalidOperationException($"Table {Table} does not exist.");
        }

        private static bool IsUsable(NpgsqlConnection connection)
            => connection.State == ConnectionState.Open && (connection.FullState & ConnectionState.Broken) == 0;

        private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, TimeSpan? lockTimeout, CancellationToken cancellationToken)
        {
            // No transaction: CONCURRENTLY refuses to run in one — nor in a multi-statement command, which PostgreSQL
            // runs as an implicit transaction. So the session-level timeout is its own command, reset afterwards.
            if (lockTimeout is TimeSpan timeout)
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
                if (lockTimeout is not null && IsUsable(connection))
                {
                    await using var reset = new NpgsqlCommand("RESET lock_timeout", connection);
                    await reset.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
                }
            }
        }
    }
}
