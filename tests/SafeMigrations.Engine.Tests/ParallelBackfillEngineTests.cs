using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Engine.Applying;
using SafeMigrations.Engine.Loading;
using SafeMigrations.Engine.Reporting;
using SafeMigrations.Engine.Tests.TestApp;
using Xunit.Abstractions;

namespace SafeMigrations.Engine.Tests
{
    /// <summary>The engine's backfills on several workers: session settings carried, per-segment records, a worker's lost session.</summary>
    [Collection(PostgresCollection.Name)]
    public sealed class ParallelBackfillEngineTests
    {
        private readonly PostgresServerFixture _server;
        private readonly ITestOutputHelper _output;

        public ParallelBackfillEngineTests(PostgresServerFixture server, ITestOutputHelper output)
        {
            _server = server;
            _output = output;
        }

        private (MigrationEngine Engine, MigrationCatalog Catalog, EngineApplyTests.TestLog Log) Engine(string connectionString, string context, string? target, Action<EngineOptions>? configure = null)
        {
            var log = new EngineApplyTests.TestLog(_output);
            var options = new EngineOptions { ConnectionString = connectionString, Target = target, Log = log, LockTimeout = TimeSpan.FromMilliseconds(500), InitialBackoff = TimeSpan.FromMilliseconds(50) };
            configure?.Invoke(options);
            MigrationCatalog catalog = new MigrationCatalog(DbContextLoader.Create(typeof(ShopContext).Assembly, context, connectionString));
            return (new MigrationEngine(catalog, options), catalog, log);
        }

        private static void SmallBatches(EngineOptions options, int workers, int size)
        {
            options.BackfillWorkers = workers;
            options.ConfigureBackfill = backfill => backfill.InitialBatchSize = backfill.MinBatchSize = backfill.MaxBatchSize = size;
        }

        [Fact]
        public async Task Workers_assign_under_the_time_zone_a_SET_step_earlier_in_the_migration_chose()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            var (zones, zonesCatalog, _) = Engine(database.ConnectionString, nameof(ZonesContext), target: "Zones");
            using (zonesCatalog)
                await zones.ApplyAsync();
            await database.ExecuteAsync("insert into zones (seen_by) select 'batch' from generate_series(1, 3000)");

            // RecordZones: SET LOCAL TimeZone = 'Asia/Tokyo', ..., then a backfill of zone = current_setting('TimeZone').
            var (engine, catalog, _) = Engine(database.ConnectionString, nameof(ZonesContext), target: null, o => SmallBatches(o, workers: 3, size: 50));
            using (catalog)
                await engine.ApplyAsync();

            Assert.Equal(3030L, await database.ScalarAsync<long>("select count(*) from zones where seen_by = 'batch' and zone = 'Asia/Tokyo'"));
            Assert.Equal(0L, await database.ScalarAsync<long>("select count(*) from zones where zone is distinct from 'Asia/Tokyo'"));
            // The workers ran: the saved position is three segments, each finished.
            Assert.Equal(3, await database.ScalarAsync<int>("select jsonb_array_length(position::jsonb -> 'segments') from safemigrations.state where step_kind = 'backfill'"));
            Assert.Equal(0L, await database.ScalarAsync<long>("select count(*) from safemigrations.state, jsonb_array_elements(position::jsonb -> 'segments') s where step_kind = 'backfill' and not (s ->> 'done')::boolean"));
        }

        [Fact]
        public async Task A_workers_session_terminated_stops_the_step_with_a_coded_error_and_a_rerun_with_one_worker_finishes()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            var (initial, initialCatalog, _) = Engine(database.ConnectionString, nameof(ShopContext), target: "Initial");
            using (initialCatalog)
                await initial.ApplyAsync();
            await database.ExecuteAsync("insert into customers (name, email) select 'c' || g, case when g % 3 = 0 then null else 'c' || g || '@x' end from generate_series(1, 20000) g; analyze customers;");

            var workerPids = new ConcurrentQueue<int>();
            int batches = 0;
            var (first, firstCatalog, _) = Engine(database.ConnectionString, nameof(ShopContext), target: "Hardening", o =>
            {
                SmallBatches(o, workers: 3, size: 300);
                Action<Backfill.BackfillOptions> small = o.ConfigureBackfill!;
                o.ConfigureBackfill = backfill =>
                {
                    small(backfill);
                    Func<System.Threading.CancellationToken, Task<NpgsqlConnection>> open = backfill.OpenConnectionAsync!;
                    backfill.OpenConnectionAsync = async token =>
                    {
                        NpgsqlConnection worker = await open(token);
                        workerPids.Enqueue(worker.ProcessID);
                        return worker;
                    };
                    Action<Backfill.BackfillProgress>? inner = backfill.Progress;
                    backfill.Progress = progress =>
                    {
                        inner?.Invoke(progress);
                        if (++batches == 6)
                            Terminate(database.ConnectionString, workerPids.First());
                    };
                };
            });
            EngineException failure;
            using (firstCatalog)
                failure = await Assert.ThrowsAsync<EngineException>(() => first.ApplyAsync());
            _output.WriteLine(failure.Message);

            Assert.Equal(EngineCodes.StepFailed, failure.Code);
            Assert.Contains("Backfill worker ", failure.Message, StringComparison.Ordinal);
            Assert.Contains($"(backend pid {workerPids.First()}) lost its session (57P01", failure.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("executor lock ended", failure.Message, StringComparison.Ordinal);
            long left = await database.ScalarAsync<long>("select count(*) from customers where email is null");
            Assert.True(left > 0, "the run stopped part way");

            var (rerun, rerunCatalog, log) = Engine(database.ConnectionString, nameof(ShopContext), target: "Hardening", o => SmallBatches(o, workers: 1, size: 300));
            using (rerunCatalog)
                await rerun.ApplyAsync();

            Assert.Contains(log.Lines, l => l.Contains("resuming with ", StringComparison.Ordinal) && l.Contains(" key segments still to finish", StringComparison.Ordinal));
            Assert.Equal(0L, await database.ScalarAsync<long>("select count(*) from customers where email is null"));
            Assert.Equal(left, rerun.Records.Single(r => r.Step.Kind == "backfill").Rows);
        }

        private static void Terminate(string connectionString, int pid)
        {
            using var admin = new NpgsqlConnection(connectionString);
            admin.Open();
            using var command = new NpgsqlCommand("select pg_terminate_backend($1)", admin) { Parameters = { new NpgsqlParameter { Value = pid } } };
            command.ExecuteScalar();
        }
    }
}
