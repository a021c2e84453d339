using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Engine.Applying;
using SafeMigrations.Engine.Backfill;
using SafeMigrations.Engine.Loading;
using SafeMigrations.Engine.Planning;
using SafeMigrations.Engine.Tests.TestApp;
using Xunit.Abstractions;

namespace SafeMigrations.Engine.Tests.Faults
{
    /// <summary>
    /// A database with the payments table of <see cref="PaymentsContext"/> created and seeded, the old-column values
    /// the test expects for every row (kept up to date by <see cref="OldAppWriter"/>), and the checks every fault test
    /// ends with: the state table agrees with the schema after a stop, and after the rerun every row is present once
    /// with its old values untouched and its new values equal to an independent recompute in plain SQL.
    /// </summary>
    internal sealed class PaymentsDatabase : IAsyncDisposable
    {
        public const string Context = nameof(PaymentsContext);
        public const string CreateMigrationId = "20240401000000_Payments";
        public const string MigrationId = "20240402000000_PaymentsInCents";

        /// <summary>What the expand phase must produce for every row, restated here in plain SQL (not taken from the engine or the migration).</summary>
        public const string WrongRowsSql = @"select count(*) from payments
where amount_cents is distinct from coalesce(amount, 0)::bigint * 100
   or label_key is distinct from coalesce(lower(label), '')";

        private readonly Dictionary<long, (int? Amount, string? Label)> _expected;

        private PaymentsDatabase(TestDatabase database, IReadOnlyList<PlanStep> steps, Dictionary<long, (int?, string?)> expected)
        {
            Database = database;
            Steps = steps;
            _expected = expected;
            TestConnectionString = ServerSessions.ForTest(database.ConnectionString);
        }

        public TestDatabase Database { get; }

        /// <summary>What the runner is given (no application name: the test tells its own sessions apart by theirs).</summary>
        public string ConnectionString => Database.ConnectionString;

        /// <summary>For the test's own sessions.</summary>
        public string TestConnectionString { get; }

        /// <summary>The planned steps of <see cref="MigrationId"/> (index, kind, verification query).</summary>
        public IReadOnlyList<PlanStep> Steps { get; }

        public IEnumerable<PlanStep> ExpandSteps => Steps.Where(s => s.Phase == MigrationPhase.Expand);

        public PlanStep BackfillStep => Steps.Single(s => s.Kind == "backfill");

        /// <summary>Creates the database, applies the table's migration in-process and inserts <paramref name="rows"/> rows (a fifth of the labels and a seventh of the amounts NULL).</summary>
        public static async Task<PaymentsDatabase> CreateAsync(PostgresServerFixture server, int rows, ITestOutputHelper output)
        {
            TestDatabase database = await server.CreateDatabaseAsync();
            IReadOnlyList<PlanStep> steps;
            using (var catalog = new MigrationCatalog(DbContextLoader.Create(typeof(PaymentsContext).Assembly, Context, database.ConnectionString)))
            {
                await new MigrationEngine(catalog, new EngineOptions { ConnectionString = database.ConnectionString, Target = CreateMigrationId }).ApplyAsync();
                steps = new MigrationPlanner(catalog).Plan(catalog.Find(MigrationId)).Steps.ToList();
            }
            await database.ExecuteAsync($@"
insert into payments (amount, label)
select case when g % 7 = 0 then null else (g * 37) % 100000 end,
       case when g % 5 = 0 then null else 'Pay-' || g || '-' || chr(65 + g % 26) || 'x' end
from generate_series(1, {rows}) g;
analyze payments;");
            ClearPool(database.ConnectionString);
            var payments = new PaymentsDatabase(database, steps, new Dictionary<long, (int?, string?)>());
            foreach (var row in await payments.ReadOldColumnsAsync())
                payments._expected[row.Key] = row.Value;
            output.WriteLine($"payments: {rows} rows; {MigrationId}: " + string.Join(", ", steps.Select(s => $"{s.Index} {s.Kind}{(s.Phase == MigrationPhase.Contract ? " [contract]" : string.Empty)}")));
            return payments;
        }

        /// <summary>Records a write of the old app version that the server acknowledged.</summary>
        public void Expect(long id, int? amount, string? label)
        {
            lock (_expected)
                _expected[id] = (amount, label);
        }

        /// <summary>Ids the old app version may update.</summary>
        public long[] KnownIds()
        {
            lock (_expected)
                return _expected.Keys.ToArray();
        }

        public async Task<NpgsqlConnection> OpenAsync()
        {
            var connection = new NpgsqlConnection(TestConnectionString);
            await connection.OpenAsync();
            return connection;
        }

        public async Task<T> ScalarAsync<T>(string sql)
        {
            await using NpgsqlConnection connection = await OpenAsync();
            await using var command = new NpgsqlCommand(sql, connection);
            object? value = await command.ExecuteScalarAsync();
            return (T)Convert.ChangeType(value, typeof(T), System.Globalization.CultureInfo.InvariantCulture)!;
        }

        public async Task ExecuteAsync(string sql)
        {
            await using NpgsqlConnection connection = await OpenAsync();
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        }

        /// <summary>The recorded steps of <see cref="MigrationId"/>: index → (status, position).</summary>
        public async Task<Dictionary<int, (string Status, string? Position)>> StateAsync()
        {
            var states = new Dictionary<int, (string, string?)>();
            await using NpgsqlConnection connection = await OpenAsync();
            await using (var exists = new NpgsqlCommand("select to_regclass('safemigrations.state') is not null", connection))
            {
                if (await exists.ExecuteScalarAsync() is not true)
                    return states;
            }
            await using var command = new NpgsqlCommand("select step_index, status, position from safemigrations.state where migration_id = @id", connection);
            command.Parameters.AddWithValue("id", MigrationId);
            await using NpgsqlDataReader reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                states[reader.GetInt32(0)] = (reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2));
            return states;
        }

        /// <summary>Rows the backfill has visited according to its saved position (0 before its first batch commits).</summary>
        public static async Task<long> BackfillVisitedAsync(NpgsqlConnection observer, int backfillStep)
        {
            await using var command = new NpgsqlCommand("select position from safemigrations.state where migration_id = @id and step_index = @step", observer);
            command.Parameters.AddWithValue("id", MigrationId);
            command.Parameters.AddWithValue("step", backfillStep);
            try
            {
                return await command.ExecuteScalarAsync() is string position ? BackfillPosition.Parse(position).RowsVisited : 0;
            }
            catch (PostgresException exception) when (exception.SqlState == "42P01" || exception.SqlState == "3F000")
            {
                return 0; // the state table does not exist yet
            }
        }

        /// <summary>
        /// Polls the state table (server side, so no output buffering delays it) until the runner has recorded the start
        /// of <paramref name="stepIndex"/>; false when the runner ended first.
        /// </summary>
        public static async Task<bool> WaitForStepStartAsync(NpgsqlConnection observer, int stepIndex, RunnerProcess runner, TimeSpan timeout)
        {
            await using var command = new NpgsqlCommand("select count(*) from safemigrations.state where migration_id = @id and step_index = @step", observer);
            command.Parameters.AddWithValue("id", MigrationId);
            command.Parameters.AddWithValue("step", stepIndex);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (clock.Elapsed < timeout)
            {
                // Read before the query: a runner seen ended after it may have started (and finished) the step since.
                bool ended = runner.HasExited;
                try
                {
                    if ((long)(await command.ExecuteScalarAsync())! > 0)
                        return true;
                }
                catch (PostgresException exception) when (exception.SqlState == "42P01" || exception.SqlState == "3F000")
                {
                    // The state table does not exist yet.
                }
                if (ended)
                    return false;
                await Task.Delay(5);
            }
            throw new TimeoutException($"step {stepIndex} did not start within {timeout.TotalSeconds:0} s");
        }

        public async Task<bool> HistoryRowExistsAsync()
            => await ScalarAsync<long>($"select count(*) from \"__EFMigrationsHistory\" where \"MigrationId\" = '{MigrationId}'") == 1;

        /// <summary>
        /// After a stop: every step recorded completed is in place (its verification holds), the EF history row exists
        /// only when every expand step is completed, and no row at or before the backfill's saved position still needs
        /// the backfill (a saved position is only ever written after its batch committed), except rows another
        /// transaction held when their batch passed (<paramref name="heldRows"/>): batches skip those, and the step's
        /// sweep after the last batch fills them.
        /// </summary>
        public async Task AssertStateConsistentAsync(ITestOutputHelper output, params long[] heldRows)
        {
            Dictionary<int, (string Status, string? Position)> states = await StateAsync();
            output.WriteLine("state: " + string.Join(", ", states.OrderBy(s => s.Key).Select(s => $"{s.Key}={s.Value.Status}")));
            await using NpgsqlConnection connection = await OpenAsync();
            bool Completed(PlanStep s) => states.TryGetValue(s.Index, out var state) && state.Status == "completed";
            // The helper check of SetNotNullThroughCheck exists only until its own drop step has run.
            bool Superseded(PlanStep s) => s.SafeStep is not null && Steps.Any(t => t.Index > s.Index && t.SafeStep == s.SafeStep && t.Kind == "drop-constraint" && Completed(t));
            foreach (PlanStep step in Steps.Where(s => Completed(s) && s.VerificationSql is not null && !Superseded(s)))
            {
                await using var verify = new NpgsqlCommand(step.VerificationSql, connection);
                Assert.True(await verify.ExecuteScalarAsync() is true, $"{step.Name} is recorded completed but is not in place ({step.VerificationDescription})");
            }
            bool allExpandDone = ExpandSteps.All(s => states.TryGetValue(s.Index, out var state) && state.Status == "completed");
            bool history = await HistoryRowExistsAsync();
            Assert.True(!history || allExpandDone, "the EF history row was written before every expand step completed");

            if (states.TryGetValue(BackfillStep.Index, out var backfill) && backfill.Position is not null)
            {
                BackfillPosition position = BackfillPosition.Parse(backfill.Position);
                // One walk: everything up to its last key; several workers: each segment from its start to its own last key (or its end once done).
                var done = position.Segments is null
                    ? new[] { ((long?)null, (long?)Key(position.LastKey)) }
                    : position.Segments.Where(s => s.Done || s.Last is not null).Select(s => (Key(s.From), s.Done ? Key(s.To) : Key(s.Last))).ToArray();
                foreach ((long? from, long? upTo) in done)
                {
                    await using var behind = new NpgsqlCommand($"select count(*) from payments where id > coalesce(@from, -1) and id <= coalesce(@upTo, 9223372036854775807) and id <> all(@held) and ({BackfillStep.Backfill!.Where})", connection);
                    behind.Parameters.Add(new NpgsqlParameter("from", NpgsqlTypes.NpgsqlDbType.Bigint) { Value = (object?)from ?? DBNull.Value });
                    behind.Parameters.Add(new NpgsqlParameter("upTo", NpgsqlTypes.NpgsqlDbType.Bigint) { Value = (object?)upTo ?? DBNull.Value });
                    behind.Parameters.AddWithValue("held", heldRows);
                    Assert.Equal(0L, (long)(await behind.ExecuteScalarAsync())!);
                }
            }
        }

        private static long? Key(IReadOnlyList<string>? key) => key is null ? null : long.Parse(key.Single(), System.Globalization.CultureInfo.InvariantCulture);

        /// <summary>
        /// After the final, successful run: every expand step recorded, the history row written, the schema as the
        /// migration intends, every row present exactly once with the old values the test expects, and its new columns
        /// equal to <see cref="WrongRowsSql"/>'s recompute.
        /// </summary>
        public async Task AssertExpandedExactlyAsync()
        {
            Dictionary<int, (string Status, string? Position)> states = await StateAsync();
            Assert.All(ExpandSteps, s => Assert.Equal("completed", states.TryGetValue(s.Index, out var state) ? state.Status : "missing"));
            Assert.True(await HistoryRowExistsAsync());
            Assert.True(await ScalarAsync<bool>("select attnotnull from pg_attribute where attrelid = 'payments'::regclass and attname = 'amount_cents'"));
            Assert.True(await ScalarAsync<bool>("select indisvalid from pg_index where indexrelid = '\"IX_payments_label_key\"'::regclass"));
            Assert.True(await ScalarAsync<bool>("select convalidated from pg_constraint where conname = 'CK_payments_amount_cents'"));
            Assert.Equal(0L, await ScalarAsync<long>("select count(*) from pg_index where indrelid = 'payments'::regclass and not indisvalid"));
            Assert.Equal(0L, await ScalarAsync<long>(WrongRowsSql));
            await AssertOldColumnsAsync();
        }

        /// <summary>Every row the test expects is there once, no other row is, and its old columns hold what was last written.</summary>
        public async Task AssertOldColumnsAsync()
        {
            Dictionary<long, (int? Amount, string? Label)> actual = await ReadOldColumnsAsync();
            Dictionary<long, (int? Amount, string? Label)> expected;
            lock (_expected)
                expected = new Dictionary<long, (int?, string?)>(_expected);
            Assert.Equal(expected.Count, actual.Count);
            Assert.Equal(actual.Count, await ScalarAsync<long>("select count(distinct id) from payments"));
            var wrong = expected.Where(e => !actual.TryGetValue(e.Key, out var row) || row != e.Value).Take(5).ToList();
            Assert.True(wrong.Count == 0, "rows lost or wrong: " + string.Join("; ", wrong.Select(w => $"id {w.Key}: expected {w.Value}, found " + (actual.TryGetValue(w.Key, out var row) ? row.ToString() : "nothing"))));
        }

        private async Task<Dictionary<long, (int? Amount, string? Label)>> ReadOldColumnsAsync()
        {
            var rows = new Dictionary<long, (int?, string?)>();
            await using NpgsqlConnection connection = await OpenAsync();
            await using var command = new NpgsqlCommand("select id, amount, label from payments", connection);
            await using NpgsqlDataReader reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                rows.Add(reader.GetInt64(0), (reader.IsDBNull(1) ? null : reader.GetInt32(1), reader.IsDBNull(2) ? null : reader.GetString(2)));
            return rows;
        }

        /// <summary>The schema objects a migration or its rollback can touch: columns, indexes, constraints, triggers, functions, schemas and the EF history.</summary>
        public async Task<string> SchemaAsync()
        {
            const string sql = @"
select string_agg(item, E'\n' order by item) from (
  select 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '') as item
    from information_schema.columns where table_schema = 'public'
  union all select 'index ' || indexname || ' ' || indexdef from pg_indexes where schemaname = 'public'
  union all select 'invalid index ' || indexrelid::regclass::text from pg_index i join pg_class c on c.oid = i.indrelid join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public' and not i.indisvalid
  union all select 'constraint ' || conname || ' ' || pg_get_constraintdef(oid) || ' ' || convalidated from pg_constraint where connamespace = 'public'::regnamespace
  union all select 'trigger ' || tgname || ' on ' || tgrelid::regclass::text from pg_trigger where not tgisinternal
  union all select 'function ' || proname from pg_proc where pronamespace = 'public'::regnamespace
  union all select 'history ' || ""MigrationId"" from ""__EFMigrationsHistory""
) items";
            return await ScalarAsync<string>(sql);
        }

        /// <summary>
        /// Closes the idle pooled sessions an in-process engine left on <paramref name="connectionString"/>: the test
        /// counts every session that is not its own as the executor's.
        /// </summary>
        public static void ClearPool(string connectionString)
        {
            using var pooled = new NpgsqlConnection(connectionString);
            NpgsqlConnection.ClearPool(pooled);
        }

        public async ValueTask DisposeAsync()
        {
            ClearPool(TestConnectionString);
            await Database.DisposeAsync();
        }
    }
}
