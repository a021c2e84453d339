using System;
using System.Linq;
using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Engine.Applying;
using SafeMigrations.Engine.Loading;
using SafeMigrations.Engine.Planning;
using SafeMigrations.Engine.Reporting;
using SafeMigrations.Engine.Tests.TestApp;
using Xunit.Abstractions;
using static SafeMigrations.Engine.Tests.TimestampTzIndexTests;

namespace SafeMigrations.Engine.Tests
{
    /// <summary>
    /// A raw <c>Sql("ALTER TABLE ... ALTER COLUMN ... TYPE timestamptz")</c> under TimeZone UTC: its old type is unknown
    /// when planning, so apply reads it from the catalog and runs the same concurrent index recipe as the AlterColumn form
    /// when the column has the other timestamp type, the statement as written otherwise.
    /// </summary>
    [Collection(PostgresCollection.Name)]
    public sealed class RawTimestampTzIndexTests
    {
        private const int Rows = 20_000;
        private const string Migration = "20240703000000_RawReadingsToTimestamptz";
        private const string AtType = "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'readings'::regclass AND attname = 'at'";

        private readonly PostgresServerFixture _server;
        private readonly ITestOutputHelper _output;

        public RawTimestampTzIndexTests(PostgresServerFixture server, ITestOutputHelper output)
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

        private async Task<TestDatabase> SeededAsync()
        {
            TestDatabase database = await _server.CreateDatabaseAsync();
            var (engine, catalog, _) = Engine(database.ConnectionString, nameof(RawReadingsContext), target: "Readings");
            using (catalog)
                await engine.ApplyAsync();
            await database.ExecuteAsync($"INSERT INTO readings (at, sensor, note) SELECT timestamp '2020-01-01' + g * interval '1 minute', g % 10, 'n' || g FROM generate_series(1, {Rows}) g; ANALYZE readings");
            return database;
        }

        [Fact]
        public void Plan_runs_a_lone_raw_change_through_the_recipe_and_says_the_old_type_is_read_at_apply_time()
        {
            var (_, catalog, _) = Engine("Host=localhost;Database=none", nameof(RawReadingsContext));
            using (catalog)
            {
                PlanStep step = new MigrationPlanner(catalog).Plan(catalog.Find(Migration)).Steps.Single(s => s.Sql.Contains("ALTER TABLE", StringComparison.Ordinal));
                Assert.Equal(StepTransaction.None, step.Transaction);
                Assert.True(step.TimeZoneIndexes!.OldTypeReadAtRunTime);
                Assert.Equal(("public", "readings", "at", true), (step.TimeZoneIndexes.Schema, step.TimeZoneIndexes.Table, step.TimeZoneIndexes.Column, step.TimeZoneIndexes.ToTimestampTz));
                Assert.Null(step.Warning);
                Assert.Contains("old type of \"at\" read from the catalog at apply time", step.RuleNote);
                Assert.Contains("ACCESS EXCLUSIVE on \"public\".\"readings\" as written", step.Lock);
                Assert.Contains("rerun apply to finish it first", step.NoUndoReason);
            }

            var (_, shapes, _) = Engine("Host=localhost;Database=none", nameof(RawReadingsShapesContext));
            using (shapes)
            {
                var steps = new MigrationPlanner(shapes).Plan(shapes.Find("20240703000000_RawReadingsShapes")).Steps;
                Assert.All(steps, s => Assert.Null(s.TimeZoneIndexes));
                // Before the SET: a rewrite under another zone, reported as before.
                Assert.Contains("TimeZone is not set to UTC", steps[0].Warning);
                // Two columns in one statement, and a change inside a script: run as written, saying why.
                Assert.Contains("changes 2 columns", steps[2].RuleNote);
                Assert.Equal(StepTransaction.Own, steps[2].Transaction);
                Assert.Contains("a script of 2 statements", steps[3].RuleNote);
            }
        }

        [Fact]
        public async Task Under_writers_every_row_keeps_its_value_and_the_plain_indexes_come_back_identical()
        {
            await using TestDatabase database = await SeededAsync();
            var before = await IndexesAsync(database);

            // A connected plan reads the old type.
            var (planner, planCatalog, planLog) = Engine(database.ConnectionString, nameof(RawReadingsContext));
            using (planCatalog)
                await planner.PlanAsync();
            Assert.Contains(planLog.Lines, l => l.Contains("old type: as the database is now, column \"at\" has the other timestamp type", StringComparison.Ordinal));

            string app = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Timezone = "UTC" }.ConnectionString;
            await using ConcurrentWriter inserts = ConcurrentWriter.Start(app, 1, (connection, _, n) => new NpgsqlCommand(
                $"INSERT INTO readings (at, sensor, note) VALUES (timestamp '2030-01-01' + {n} * interval '1 minute', 3, 'w{n}')", connection));
            await using ConcurrentWriter updates = ConcurrentWriter.Start(app, 2, (connection, _, n) => new NpgsqlCommand(
                $"UPDATE readings SET at = timestamp '2040-01-01' + {n} * interval '1 second', note = 'u{n}' WHERE id = {n + 1}", connection));
            await Task.Delay(300);

            var (engine, catalog, log) = Engine(database.ConnectionString, nameof(RawReadingsContext));
            using (catalog)
                await engine.ApplyAsync();

            var (inserted, insertErrors, _) = await inserts.TakeAsync();
            var (updated, updateErrors, _) = await updates.TakeAsync();
            Assert.Empty(insertErrors);
            Assert.Empty(updateErrors);
            Assert.True(inserted > 0 && updated > 0 && updated < Rows, $"{inserted} inserts, {updated} updates");

            Assert.Equal("timestamp with time zone", await database.ScalarAsync<string>(AtType));
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
            Assert.DoesNotContain(log.Lines, l => l.Contains(EngineCodes.CannotBeMadeSafe, StringComparison.Ordinal));
            Assert.Contains(log.Lines, l => l.Contains("dropping index \"IX_readings_at\" concurrently", StringComparison.Ordinal));
            Assert.Contains(log.Lines, l => l.Contains("indexes back, valid, same definition: \"IX_readings_at\", \"IX_readings_at_high\", \"IX_readings_sensor_at\"", StringComparison.Ordinal));
            Assert.Equal("completed", await database.ScalarAsync<string>($"SELECT status FROM safemigrations.state WHERE migration_id = '{Migration}' AND step_index = 1"));
        }

        [Fact]
        public async Task A_column_that_already_has_the_new_type_gets_the_statement_as_written_and_keeps_its_indexes()
        {
            await using TestDatabase database = await SeededAsync();
            await database.ExecuteAsync("SET TimeZone = 'UTC'; ALTER TABLE readings ALTER COLUMN at TYPE timestamptz");
            var before = await IndexesAsync(database);

            var (engine, catalog, log) = Engine(database.ConnectionString, nameof(RawReadingsContext));
            using (catalog)
                await engine.ApplyAsync();

            Assert.Contains(log.Lines, l => l.Contains("runs as written: column \"at\" of \"public\".\"readings\" is timestamp with time zone, so this is no timestamp ↔ timestamptz change", StringComparison.Ordinal));
            Assert.DoesNotContain(log.Lines, l => l.Contains("dropping index", StringComparison.Ordinal));
            var after = await IndexesAsync(database);
            // Only the partial index is built again: PostgreSQL 15 rebuilds an index with a predicate on any ALTER ... TYPE, even to the same type.
            Assert.All(before.Where(b => b.Key != "IX_readings_at_high"), b => Assert.Equal(b.Value.FileNode, after[b.Key].FileNode));
            Assert.Null(await database.ScalarAsync<string>($"SELECT position FROM safemigrations.state WHERE migration_id = '{Migration}' AND step_index = 1"));
            Assert.Equal("completed", await database.ScalarAsync<string>($"SELECT status FROM safemigrations.state WHERE migration_id = '{Migration}' AND step_index = 1"));
        }

        [Fact]
        public async Task A_table_with_inheritance_children_gets_the_statement_as_written_with_an_SM1006_warning()
        {
            await using TestDatabase database = await SeededAsync();
            // The ALTER recurses to the child, whose own index the recipe would not rebuild.
            await database.ExecuteAsync("CREATE TABLE readings_archive () INHERITS (readings); CREATE INDEX ix_archive_at ON readings_archive (at)");

            var (engine, catalog, log) = Engine(database.ConnectionString, nameof(RawReadingsContext));
            using (catalog)
                await engine.ApplyAsync();

            Assert.Contains(log.Lines, l => l.Contains(EngineCodes.CannotBeMadeSafe, StringComparison.Ordinal) && l.Contains("runs as written, rebuilding the indexes on the column under ACCESS EXCLUSIVE", StringComparison.Ordinal)
                && l.Contains("has inheritance children", StringComparison.Ordinal));
            Assert.DoesNotContain(log.Lines, l => l.Contains("dropping index", StringComparison.Ordinal));
            Assert.Equal("timestamp with time zone", await database.ScalarAsync<string>(AtType));
            Assert.Equal("timestamp with time zone", await database.ScalarAsync<string>("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'readings_archive'::regclass AND attname = 'at'"));
            Assert.Equal("completed", await database.ScalarAsync<string>($"SELECT status FROM safemigrations.state WHERE migration_id = '{Migration}' AND step_index = 1"));
        }

        [Fact]
        public async Task Killed_between_the_drops_a_rerun_drops_the_rest_changes_the_type_and_builds_all_again()
        {
            await using TestDatabase database = await SeededAsync();
            var before = await IndexesAsync(database);

            // Just before the second drop, the engine's session is ended: one index gone, the column still timestamp.
            await using NpgsqlConnection killer = await database.OpenAsync();
            var (engine, catalog, _) = Engine(database.ConnectionString, nameof(RawReadingsContext), onLine: line =>
            {
                if (line.Contains("dropping index \"IX_readings_at_high\"", StringComparison.Ordinal))
                {
                    using var kill = new NpgsqlCommand("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'SafeMigrations executor%' AND pid <> pg_backend_pid()", killer);
                    kill.ExecuteScalar();
                }
            });
            using (catalog)
                await Assert.ThrowsAsync<EngineException>(() => engine.ApplyAsync());
            Assert.Equal("timestamp without time zone", await database.ScalarAsync<string>(AtType));
            Assert.Null(await database.ScalarAsync<string>("SELECT to_regclass('\"IX_readings_at\"')::text"));

            var (rerun, rerunCatalog, log) = Engine(database.ConnectionString, nameof(RawReadingsContext));
            using (rerunCatalog)
                await rerun.ApplyAsync();

            Assert.Contains(log.Lines, l => l.Contains("resuming: the column still has its old type; saved indexes: \"IX_readings_at\", \"IX_readings_at_high\", \"IX_readings_sensor_at\"", StringComparison.Ordinal));
            Assert.Equal("timestamp with time zone", await database.ScalarAsync<string>(AtType));
            var after = await IndexesAsync(database);
            Assert.Equal(before.Keys.OrderBy(k => k), after.Keys.OrderBy(k => k));
            Assert.All(before, b => Assert.Equal(b.Value.Definition, after[b.Key].Definition));
            Assert.All(after, a => Assert.True(a.Value.Valid, a.Key + " is not valid"));
            Assert.Equal(0L, await database.ScalarAsync<long>($"SELECT count(*) FROM readings WHERE at <> timestamptz '2020-01-01 00:00+00' + id * interval '1 minute'"));
        }
    }
}
