using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Engine.Applying;
using SafeMigrations.Engine.Loading;
using SafeMigrations.Engine.Planning;
using SafeMigrations.Engine.Reporting;
using SafeMigrations.Engine.Tests.TestApp;
using Xunit.Abstractions;

namespace SafeMigrations.Engine.Tests
{
    /// <summary>
    /// timestamp → timestamptz under TimeZone UTC: no row is rewritten, but the ALTER would rebuild every index keyed on
    /// the column under ACCESS EXCLUSIVE. The engine drops the plain ones concurrently, changes the type, and builds
    /// them again concurrently; a unique index stays with the ALTER (SM1006); an interrupted run finishes on rerun. The
    /// theories run the AlterColumn form and the raw SQL form (TimestampTzIndexTests.RawSql.cs), which reads the old type at apply time.
    /// </summary>
    [Collection(PostgresCollection.Name)]
    public sealed partial class TimestampTzIndexTests
    {
        private const int Rows = 20_000;
        private const string Migration = "20240702000000_ReadingsToTimestamptz";

        private readonly PostgresServerFixture _server;
        private readonly ITestOutputHelper _output;

        public TimestampTzIndexTests(PostgresServerFixture server, ITestOutputHelper output)
        {
            _server = server;
            _output = output;
        }

        private (MigrationEngine Engine, MigrationCatalog Catalog, HookedLog Log) Engine(string connectionString, string context, string? target = null, Action<string>? onLine = null)
        {
            var log = new HookedLog(_output, onLine);
            var options = new EngineOptions { ConnectionString = connectionString, Phase = PhaseSelection.All, Target = target, Log = log, LockTimeout = TimeSpan.FromMilliseconds(500), InitialBackoff = TimeSpan.FromMilliseconds(50) };
            var catalog = new MigrationCatalog(DbContextLoader.Create(typeof(ShopContext).Assembly, context, connectionString));
            return (new MigrationEngine(catalog, options), catalog, log);
        }

        private async Task<TestDatabase> SeededAsync(string context)
        {
            TestDatabase database = await _server.CreateDatabaseAsync();
            var (engine, catalog, _) = Engine(database.ConnectionString, context, target: "Readings");
            using (catalog)
                await engine.ApplyAsync();
            await database.ExecuteAsync($"INSERT INTO readings (at, sensor, note) SELECT timestamp '2020-01-01' + g * interval '1 minute', g % 10, 'n' || g FROM generate_series(1, {Rows}) g; ANALYZE readings");
            return database;
        }

        private static async Task<Dictionary<string, (string Definition, long FileNode, bool Valid)>> IndexesAsync(TestDatabase database)
        {
            var indexes = new Dictionary<string, (string, long, bool)>();
            await using NpgsqlConnection connection = await database.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT c.relname, pg_get_indexdef(c.oid), c.relfilenode::bigint, i.indisvalid AND i.indisready FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = 'readings'::regclass", connection);
            await using NpgsqlDataReader reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                indexes[reader.GetString(0)] = (reader.GetString(1), reader.GetInt64(2), reader.GetBoolean(3));
            return indexes;
        }

        [Fact]
        public async Task Plan_names_the_recipe_and_warns_no_rewrite()
        {
            var (_, catalog, _) = Engine("Host=localhost;Database=none", nameof(ReadingsContext));
            using (catalog)
            {
                PlanStep step = new MigrationPlanner(catalog).Plan(catalog.Find(Migration)).Steps.Single(s => s.Kind == "alter-column");
                Assert.NotNull(step.TimeZoneIndexes);
                Assert.Equal(StepTransaction.None, step.Transaction);
                Assert.Null(step.Warning);
                Assert.Contains("From each drop until its rebuild ends, queries that used that index run without it", step.Lock);
                Assert.Equal("SET TIME ZONE 'UTC' (from step 1)", Assert.Single(step.SessionSettings).ToString());
            }

            // Without the SET the change rewrites the table: no recipe, the rewrite warning stays.
            var (_, without, _) = Engine("Host=localhost;Database=none", nameof(ClocksWithoutUtcContext));
            using (without)
            {
                PlanStep step = new MigrationPlanner(without).Plan(without.Find("20240502000000_ClocksToTimestamptz")).Steps.Single();
                Assert.Null(step.TimeZoneIndexes);
                Assert.Contains("rewrites", step.Warning);
            }
        }

        [Theory]
        [InlineData(nameof(ReadingsContext), Migration, 2)]
        [InlineData(nameof(RawReadingsContext), RawMigration, 1)]
        public async Task Under_writers_every_row_keeps_its_value_and_the_plain_indexes_come_back_identical(string context, string migration, int stepIndex)
        {
            await using TestDatabase database = await SeededAsync(context);
            var before = await IndexesAsync(database);
            string app = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Timezone = "UTC" }.ConnectionString;
            // Inserts of known rows, and updates of base row c + 1 (each at most once), while the migration runs.
            await using ConcurrentWriter inserts = ConcurrentWriter.Start(app, 1, (connection, _, n) => new NpgsqlCommand(
                $"INSERT INTO readings (at, sensor, note) VALUES (timestamp '2030-01-01' + {n} * interval '1 minute', 3, 'w{n}')", connection));
            await using ConcurrentWriter updates = ConcurrentWriter.Start(app, 2, (connection, _, n) => new NpgsqlCommand(
                $"UPDATE readings SET at = timestamp '2040-01-01' + {n} * interval '1 second', note = 'u{n}' WHERE id = {n + 1}", connection));
            await Task.Delay(300);

            var (engine, catalog, log) = Engine(database.ConnectionString, context);
            using (catalog)
                await engine.ApplyAsync();

            var (inserted, insertErrors, _) = await inserts.TakeAsync();
            var (updated, updateErrors, _) = await updates.TakeAsync();
            Assert.Empty(insertErrors);
            Assert.Empty(updateErrors);
            Assert.True(inserted > 0 && updated > 0 && updated < Rows, $"{inserted} inserts, {updated} updates");

            Assert.Equal("timestamp with time zone", await database.ScalarAsync<string>("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'readings'::regclass AND attname = 'at'"));
            // Independent recompute: base rows from their formula, updated and inserted rows from what the writers were acknowledged.
            Assert.Equal(0L, await database.ScalarAsync<long>($"SELECT count(*) FROM readings WHERE id <= {Rows} AND id > {updated} AND (at <> timestamptz '2020-01-01 00:00+00' + id * interval '1 minute' OR note <> 'n' || id)"));
            Assert.Equal(0L, await database.ScalarAsync<long>($"SELECT count(*) FROM readings WHERE id <= {updated} AND (at <> timestamptz '2040-01-01 00:00+00' + (id - 1) * interval '1 second' OR note <> 'u' || (id - 1))"));
            Assert.Equal(inserted, await database.ScalarAsync<long>($"SELECT count(*) FROM readings WHERE id > {Rows} AND note = 'w' || (extract(epoch FROM at - timestamptz '2030-01-01 00:00+00') / 60)::bigint"));
            Assert.Equal((long)Rows + inserted, await database.ScalarAsync<long>("SELECT count(*) FROM readings"));

            var after = await IndexesAsync(database);
            Assert.Equal(before.Keys.OrderBy(k => k), after.Keys.OrderBy(k => k));
            foreach (var (name, (definition, fileNode, _)) in before)
            {
                Assert.Equal(definition, after[name].Definition);
                Assert.True(after[name].Valid, name + " is not valid");
                bool rebuilt = name is "IX_readings_at" or "IX_readings_sensor_at" or "IX_readings_at_high";
                Assert.True(rebuilt == (after[name].FileNode != fileNode), $"{name}: rebuilt {rebuilt}, file node {fileNode} -> {after[name].FileNode}");
            }
            // The rebuilt indexes hold every row: counted through the index and by a scan.
            string range = "at >= timestamptz '2020-01-01 00:00+00'";
            long scanned = await database.ScalarAsync<long>($"SELECT count(*) FROM readings WHERE {range}");
            Assert.Equal(scanned, await database.ScalarAsync<long>($"SET enable_seqscan = off; SET enable_bitmapscan = off; SELECT count(*) FROM readings WHERE {range}"));

            Assert.DoesNotContain(log.Lines, l => l.Contains(EngineCodes.CannotBeMadeSafe, StringComparison.Ordinal));
            Assert.Contains(log.Lines, l => l.Contains("dropping index \"IX_readings_at\" concurrently", StringComparison.Ordinal));
            Assert.Contains(log.Lines, l => l.Contains("indexes back, valid, same definition: \"IX_readings_at\", \"IX_readings_at_high\", \"IX_readings_sensor_at\"", StringComparison.Ordinal));
            Assert.Equal("completed", await database.ScalarAsync<string>($"SELECT status FROM safemigrations.state WHERE migration_id = '{migration}' AND step_index = {stepIndex}"));
        }

        [Fact]
        public async Task A_unique_index_stays_with_the_ALTER_and_is_named_in_an_SM1006_warning()
        {
            await using TestDatabase database = await SeededAsync(nameof(ReadingsUniqueContext));
            var before = await IndexesAsync(database);

            var (engine, catalog, log) = Engine(database.ConnectionString, nameof(ReadingsUniqueContext));
            using (catalog)
                await engine.ApplyAsync();

            Assert.Contains(log.Lines, l => l.StartsWith("warn: SM1006: " + Migration + " step 2", StringComparison.Ordinal)
                && l.Contains("\"UX_readings_at_sensor\" enforces uniqueness or a constraint", StringComparison.Ordinal) && l.Contains("SwapColumns", StringComparison.Ordinal));
            var after = await IndexesAsync(database);
            Assert.All(before, b => Assert.Equal(b.Value.Definition, after[b.Key].Definition));
            Assert.All(after.Values, a => Assert.True(a.Valid));
            Assert.Equal(0L, await database.ScalarAsync<long>($"SELECT count(*) FROM readings WHERE at <> timestamptz '2020-01-01 00:00+00' + id * interval '1 minute'"));
            // The unique index still refuses a duplicate.
            await Assert.ThrowsAsync<PostgresException>(() => database.ExecuteAsync("INSERT INTO readings (at, sensor) SELECT at, sensor FROM readings WHERE id = 1"));
        }

        [Theory]
        [InlineData(nameof(ReadingsContext), Migration, 2)]
        [InlineData(nameof(RawReadingsContext), RawMigration, 1)]
        public async Task Killed_while_building_an_index_again_a_rerun_finishes_it(string context, string migration, int stepIndex)
        {
            await using TestDatabase database = await SeededAsync(context);
            var before = await IndexesAsync(database);

            // Right after the type change, an app transaction writes and stays open: the concurrent build waits for it.
            await using var blocker = new NpgsqlConnection(database.ConnectionString);
            await blocker.OpenAsync();
            NpgsqlTransaction? open = null;
            var (engine, catalog, _) = Engine(database.ConnectionString, context, onLine: line =>
            {
                if (open is null && line.Contains("type changed", StringComparison.Ordinal))
                {
                    open = blocker.BeginTransaction();
                    using var write = new NpgsqlCommand("UPDATE readings SET note = note WHERE id = 1", blocker, open);
                    write.ExecuteNonQuery();
                }
            });
            Task applying;
            using (catalog)
            {
                applying = engine.ApplyAsync();
                // The server session building the index is ended, as a crash or a DBA would end it.
                await using NpgsqlConnection observer = await database.OpenAsync();
                int pid = 0;
                for (var clock = System.Diagnostics.Stopwatch.StartNew(); pid == 0; await Task.Delay(50))
                {
                    Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20) && !applying.IsCompleted, "the index build never waited for the open transaction");
                    await using var find = new NpgsqlCommand($"SELECT coalesce(max(pid), 0) FROM pg_stat_activity WHERE query LIKE 'CREATE INDEX CONCURRENTLY%' AND wait_event_type = 'Lock' AND pid <> {blocker.ProcessID}", observer);
                    pid = (int)(await find.ExecuteScalarAsync())!;
                }
                await using (var kill = new NpgsqlCommand($"SELECT pg_terminate_backend({pid})", observer))
                    await kill.ExecuteScalarAsync();
                await Assert.ThrowsAsync<EngineException>(() => applying);
            }
            await open!.RollbackAsync();

            // Left part way: the new type, the first index an INVALID leftover, the step not done.
            Assert.Equal("timestamp with time zone", await database.ScalarAsync<string>("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'readings'::regclass AND attname = 'at'"));
            Assert.False(await database.ScalarAsync<bool>("SELECT coalesce((SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass('\"IX_readings_at\"')), false)"));
            Assert.NotEqual("completed", await database.ScalarAsync<string>($"SELECT status FROM safemigrations.state WHERE migration_id = '{migration}' AND step_index = {stepIndex}"));

            // A rollback refuses before touching anything: the type change has no automatic undo, and the rerun finishes the step.
            var (rollback, rollbackCatalog, _) = Engine(database.ConnectionString, context);
            using (rollbackCatalog)
            {
                EngineException refused = await Assert.ThrowsAsync<EngineException>(() => rollback.RollbackAsync());
                Assert.Equal(EngineCodes.RollbackNotPossible, refused.Code);
                _output.WriteLine(refused.Message);
                Assert.Contains("rerun apply to finish it first", refused.Message);
            }
            Assert.False(await database.ScalarAsync<bool>("SELECT coalesce((SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass('\"IX_readings_at\"')), false)"));

            var (rerun, rerunCatalog, log) = Engine(database.ConnectionString, context);
            using (rerunCatalog)
                await rerun.ApplyAsync();

            Assert.Contains(log.Lines, l => l.Contains("resuming: the column has its new type", StringComparison.Ordinal));
            var after = await IndexesAsync(database);
            Assert.All(before, b => Assert.Equal(b.Value.Definition, after[b.Key].Definition));
            Assert.All(after, a => Assert.True(a.Value.Valid, a.Key + " is not valid"));
            Assert.Equal("completed", await database.ScalarAsync<string>($"SELECT status FROM safemigrations.state WHERE migration_id = '{migration}' AND step_index = {stepIndex}"));
            Assert.Equal(0L, await database.ScalarAsync<long>($"SELECT count(*) FROM readings WHERE at <> timestamptz '2020-01-01 00:00+00' + id * interval '1 minute'"));
        }

        [Theory]
        [InlineData(nameof(ReadingsContext))]
        [InlineData(nameof(RawReadingsContext))]
        public async Task Killed_between_the_drops_a_rerun_drops_the_rest_changes_the_type_and_builds_all_again(string context)
        {
            await using TestDatabase database = await SeededAsync(context);
            var before = await IndexesAsync(database);

            // Just before the second drop, the engine's session is ended: one index gone, the column still timestamp.
            await using NpgsqlConnection killer = await database.OpenAsync();
            var (engine, catalog, _) = Engine(database.ConnectionString, context, onLine: line =>
            {
                if (line.Contains("dropping index \"IX_readings_at_high\"", StringComparison.Ordinal))
                {
                    using var kill = new NpgsqlCommand("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'SafeMigrations executor%' AND pid <> pg_backend_pid()", killer);
                    kill.ExecuteScalar();
                }
            });
            using (catalog)
                await Assert.ThrowsAsync<EngineException>(() => engine.ApplyAsync());
            Assert.Equal("timestamp without time zone", await database.ScalarAsync<string>("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'readings'::regclass AND attname = 'at'"));
            Assert.Null(await database.ScalarAsync<string>("SELECT to_regclass('\"IX_readings_at\"')::text"));

            var (rerun, rerunCatalog, log) = Engine(database.ConnectionString, context);
            using (rerunCatalog)
                await rerun.ApplyAsync();

            Assert.Contains(log.Lines, l => l.Contains("resuming: the column still has its old type; saved indexes: \"IX_readings_at\", \"IX_readings_at_high\", \"IX_readings_sensor_at\"", StringComparison.Ordinal));
            Assert.Equal("timestamp with time zone", await database.ScalarAsync<string>("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'readings'::regclass AND attname = 'at'"));
            var after = await IndexesAsync(database);
            Assert.Equal(before.Keys.OrderBy(k => k), after.Keys.OrderBy(k => k));
            Assert.All(before, b => Assert.Equal(b.Value.Definition, after[b.Key].Definition));
            Assert.All(after, a => Assert.True(a.Value.Valid, a.Key + " is not valid"));
            Assert.Equal(0L, await database.ScalarAsync<long>($"SELECT count(*) FROM readings WHERE at <> timestamptz '2020-01-01 00:00+00' + id * interval '1 minute'"));
        }

        /// <summary>The test log, calling <c>onLine</c> on the engine's thread as each line is written.</summary>
        private sealed class HookedLog : IEngineLog
        {
            private readonly EngineApplyTests.TestLog _inner;
            private readonly Action<string>? _onLine;

            public HookedLog(ITestOutputHelper output, Action<string>? onLine)
            {
                _inner = new EngineApplyTests.TestLog(output);
                _onLine = onLine;
            }

            public IEnumerable<string> Lines => _inner.Lines;

            public void Write(EngineMessageLevel level, string? code, string message)
            {
                _inner.Write(level, code, message);
                _onLine?.Invoke(message);
            }
        }
    }
}
