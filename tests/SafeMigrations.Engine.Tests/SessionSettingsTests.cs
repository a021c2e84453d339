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

namespace SafeMigrations.Engine.Tests
{
    /// <summary>
    /// A SET / SET LOCAL in a migration holds for the steps after it, although the engine runs them in separate
    /// transactions (and some outside any), also when a run resumes after the SET step was recorded done.
    /// </summary>
    [Collection(PostgresCollection.Name)]
    public sealed class SessionSettingsTests
    {
        private readonly PostgresServerFixture _server;
        private readonly ITestOutputHelper _output;

        public SessionSettingsTests(PostgresServerFixture server, ITestOutputHelper output)
        {
            _server = server;
            _output = output;
        }

        private (MigrationEngine Engine, MigrationCatalog Catalog, EngineApplyTests.TestLog Log) Engine(string connectionString, string context, string? target = null, PhaseSelection phase = PhaseSelection.Expand)
        {
            var log = new EngineApplyTests.TestLog(_output);
            var options = new EngineOptions { ConnectionString = connectionString, Phase = phase, Target = target, Log = log, LockTimeout = TimeSpan.FromMilliseconds(500), InitialBackoff = TimeSpan.FromMilliseconds(50) };
            MigrationCatalog catalog = new MigrationCatalog(DbContextLoader.Create(typeof(ShopContext).Assembly, context, connectionString));
            return (new MigrationEngine(catalog, options), catalog, log);
        }

        /// <summary>The engine's sessions in a zone that is not UTC, as on a production server outside UTC.</summary>
        private static string InBerlin(string connectionString) => new NpgsqlConnectionStringBuilder(connectionString) { Timezone = "Europe/Berlin" }.ConnectionString;

        [Fact]
        public async Task Plan_shows_later_steps_run_with_the_setting()
        {
            var (_, catalog, log) = Engine("Host=localhost", nameof(ZonesContext));
            // No connection string: the plan of every migration, without reading any state.
            var engine = new MigrationEngine(catalog, new EngineOptions { Log = log });
            using (catalog)
            {
                MigrationPlan plan = new MigrationPlanner(catalog).Plan(catalog.Find("RecordZones"));
                Assert.Empty(plan.Steps[0].SessionSettings);
                foreach (PlanStep step in plan.Steps.Skip(1))
                {
                    Assert.Equal(new[] { "SET TIME ZONE 'Asia/Tokyo' (from step 1)", "SET application_name = 'zones-test' (from step 1)" }, step.SessionSettings.Select(s => s.ToString()));
                }

                await engine.PlanAsync();
            }

            Assert.Contains(log.Lines, l => l.Contains("RecordZones step 4 (sql: INSERT INTO zones (seen_by, zone) VALUES ('autocommit'", StringComparison.Ordinal) && l.Contains(" runs with: SET TIME ZONE 'Asia/Tokyo' (from step 1); SET application_name = 'zones-test' (from step 1)", StringComparison.Ordinal));
        }

        [Fact]
        public async Task Later_steps_of_every_kind_run_with_the_setting_also_after_a_resume()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            var (first, firstCatalog, _) = Engine(database.ConnectionString, nameof(ZonesContext), target: "Zones");
            using (firstCatalog)
                await first.ApplyAsync();

            // Step 3 fails while the gate exists: steps 1 (the SET) and 2 are recorded done.
            await database.ExecuteAsync("CREATE TABLE zones_gate ()");
            var (stopped, stoppedCatalog, _) = Engine(database.ConnectionString, nameof(ZonesContext));
            using (stoppedCatalog)
            {
                EngineException failure = await Assert.ThrowsAsync<EngineException>(() => stopped.ApplyAsync());
                Assert.Equal(EngineCodes.StepFailed, failure.Code);
                Assert.Contains("RecordZones step 3", failure.Message);
            }

            await database.ExecuteAsync("DROP TABLE zones_gate");
            var (resumed, resumedCatalog, log) = Engine(database.ConnectionString, nameof(ZonesContext));
            using (resumedCatalog)
                await resumed.ApplyAsync();
            // The SET step did not run again: the settings come from the plan.
            Assert.DoesNotContain(log.Lines, l => l.Contains("RecordZones step 1 (", StringComparison.Ordinal) && l.Contains(": done in", StringComparison.Ordinal));
            Assert.Contains(log.Lines, l => l.Contains("RecordZones step 5 (", StringComparison.Ordinal) && l.Contains(": done in", StringComparison.Ordinal));

            // Own transaction (before the stop), autocommit and every backfill batch (after the resume) saw the zone.
            var rows = await database.RowsAsync("SELECT seen_by, zone, count(*) FROM zones GROUP BY seen_by, zone ORDER BY seen_by");
            Assert.Equal(new[] { "autocommit|Asia/Tokyo|1", "batch|Asia/Tokyo|30", "transaction|Asia/Tokyo|1" }, rows.Select(r => $"{r[0]}|{r[1]}|{r[2]}"));
        }

        [Fact]
        public async Task A_search_path_set_earlier_decides_where_a_later_step_creates_and_verifies_its_table()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            var (engine, catalog, log) = Engine(database.ConnectionString, nameof(SearchPathContext));
            using (catalog)
                await engine.ApplyAsync();

            Assert.Equal("app", await database.ScalarAsync<string>("SELECT table_schema FROM information_schema.tables WHERE table_name = 'things'"));
            Assert.Contains(log.Lines, l => l.Contains("ThingsInApp step 2 (", StringComparison.Ordinal) && l.Contains("verified: table exists", StringComparison.Ordinal));
        }

        [Fact]
        public async Task Settings_are_applied_to_the_session_and_restored_after_the_step()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            var (_, catalog, _) = Engine(database.ConnectionString, nameof(ZonesContext));
            PlanStep step;
            using (catalog)
                step = new MigrationPlanner(catalog).Plan(catalog.Find("RecordZones")).Steps[1];
            await using NpgsqlConnection connection = await database.OpenAsync();
            string before = (await new NpgsqlCommand("SHOW TimeZone", connection).ExecuteScalarAsync() as string)!;
            Assert.NotEqual("Asia/Tokyo", before);

            await using (await Execution.StepSessionSettings.ApplyAsync(connection, step, default))
            {
                // In a transaction of the step, as BlockingStepRunner opens one, and outside any.
                await using (NpgsqlTransaction transaction = await connection.BeginTransactionAsync())
                {
                    Assert.Equal("Asia/Tokyo", await new NpgsqlCommand("SHOW TimeZone", connection, transaction).ExecuteScalarAsync());
                    await transaction.RollbackAsync();
                }
                Assert.Equal("zones-test", await new NpgsqlCommand("SHOW application_name", connection).ExecuteScalarAsync());
            }

            Assert.Equal(before, await new NpgsqlCommand("SHOW TimeZone", connection).ExecuteScalarAsync());
            Assert.NotEqual("zones-test", await new NpgsqlCommand("SHOW application_name", connection).ExecuteScalarAsync());
        }

        [Fact]
        public async Task Timestamp_to_timestamptz_after_set_local_utc_keeps_the_table_and_every_instant_under_a_non_utc_session()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            string berlin = InBerlin(database.ConnectionString);
            var (first, firstCatalog, _) = Engine(berlin, nameof(ClocksContext), target: "Clocks");
            using (firstCatalog)
                await first.ApplyAsync();
            // Naive values meant as UTC, 90 days apart so both summer and winter offsets of Berlin would show.
            await database.ExecuteAsync("INSERT INTO clocks (at) SELECT timestamp '2024-01-01 12:00:00.123456' + g * interval '90 days 1 hour' FROM generate_series(1, 200) g");
            long fileBefore = await database.ScalarAsync<long>("SELECT pg_relation_filenode('clocks')::bigint");

            var (engine, catalog, log) = Engine(berlin, nameof(ClocksContext));
            using (catalog)
                await engine.ApplyAsync();

            Assert.Equal("timestamp with time zone", await database.ScalarAsync<string>("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'clocks'::regclass AND attname = 'at'"));
            Assert.Equal(fileBefore, await database.ScalarAsync<long>("SELECT pg_relation_filenode('clocks')::bigint"));
            // Recomputed independently from the row's id: the same naive value, read as UTC.
            Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM clocks WHERE at IS DISTINCT FROM (timestamp '2024-01-01 12:00:00.123456' + id * interval '90 days 1 hour') AT TIME ZONE 'UTC'"));
            Assert.Contains(log.Lines, l => l.Contains("ClocksToTimestamptz step 2 (alter column", StringComparison.Ordinal) && l.Contains(": done", StringComparison.Ordinal));
        }

        [Fact]
        public async Task Without_the_set_the_same_change_rewrites_and_shifts_the_instants()
        {
            // What the analyzer (SM0007) and verify (SM1011) warn about, as it happens.
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            string berlin = InBerlin(database.ConnectionString);
            var (first, firstCatalog, _) = Engine(berlin, nameof(ClocksWithoutUtcContext), target: "Clocks");
            using (firstCatalog)
                await first.ApplyAsync();
            await database.ExecuteAsync("INSERT INTO clocks (at) SELECT timestamp '2024-01-01 12:00:00' + g * interval '90 days' FROM generate_series(1, 50) g");
            long fileBefore = await database.ScalarAsync<long>("SELECT pg_relation_filenode('clocks')::bigint");

            var (engine, catalog, _) = Engine(berlin, nameof(ClocksWithoutUtcContext));
            using (catalog)
                await engine.ApplyAsync();

            Assert.NotEqual(fileBefore, await database.ScalarAsync<long>("SELECT pg_relation_filenode('clocks')::bigint"));
            Assert.Equal(50L, await database.ScalarAsync<long>("SELECT count(*) FROM clocks WHERE at <> (timestamp '2024-01-01 12:00:00' + id * interval '90 days') AT TIME ZONE 'UTC'"));
        }
    }
}
