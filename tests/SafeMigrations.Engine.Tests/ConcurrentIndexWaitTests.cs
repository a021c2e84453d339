using System;
using System.Linq;
using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Engine.Applying;
using SafeMigrations.Engine.Execution;
using SafeMigrations.Engine.Loading;
using SafeMigrations.Engine.Reporting;
using SafeMigrations.Engine.Tests.TestApp;
using Xunit.Abstractions;

namespace SafeMigrations.Engine.Tests
{
    /// <summary>CREATE INDEX CONCURRENTLY behind other transactions, on duplicates, and with its backend terminated (issue 8, items 6, 8, 9).</summary>
    [Collection(PostgresCollection.Name)]
    public sealed class ConcurrentIndexWaitTests
    {
        private const string IndexValid = "select indisvalid from pg_index where indexrelid = '\"IX_widgets_name\"'::regclass";
        private const string IndexExists = "select to_regclass('\"IX_widgets_name\"') is not null";

        private readonly PostgresServerFixture _server;
        private readonly ITestOutputHelper _output;

        public ConcurrentIndexWaitTests(PostgresServerFixture server, ITestOutputHelper output)
        {
            _server = server;
            _output = output;
        }

        private (MigrationEngine Engine, MigrationCatalog Catalog, EngineApplyTests.TestLog Log) Engine(string connectionString, TimeSpan? indexWaitTimeout = null, string? target = null)
        {
            var log = new EngineApplyTests.TestLog(_output);
            var options = new EngineOptions
            {
                ConnectionString = connectionString,
                Target = target,
                Log = log,
                LockTimeout = TimeSpan.FromMilliseconds(300),
                InitialBackoff = TimeSpan.FromMilliseconds(50),
                MaxLockAttempts = 3,
                IndexWaitTimeout = indexWaitTimeout,
            };
            var catalog = new MigrationCatalog(DbContextLoader.Create(typeof(WidgetsContext).Assembly, nameof(WidgetsContext), connectionString));
            return (new MigrationEngine(catalog, options), catalog, log);
        }

        /// <summary>The widgets table with rows, before 20240402000000_WidgetCodes (whose step 2 builds IX_widgets_name concurrently).</summary>
        private async Task<TestDatabase> WidgetsAsync()
        {
            TestDatabase database = await _server.CreateDatabaseAsync();
            var (engine, catalog, _) = Engine(database.ConnectionString, target: "Widgets");
            using (catalog)
                await engine.ApplyAsync();
            await database.ExecuteAsync("insert into widgets (name) select 'w' || g from generate_series(1, 5000) g; create table other (id int); insert into other values (1)");
            return database;
        }

        /// <summary>A session of another app that read a table it does not share with the migration, then went idle in its transaction.</summary>
        private static async Task<(NpgsqlConnection Session, int Pid)> IdleReaderAsync(TestDatabase database)
        {
            var builder = new NpgsqlConnectionStringBuilder(database.ConnectionString) { ApplicationName = "report-app" };
            var session = new NpgsqlConnection(builder.ConnectionString);
            await session.OpenAsync();
            await using (var command = new NpgsqlCommand("begin isolation level repeatable read; select count(*) from other;", session))
                await command.ExecuteNonQueryAsync();
            return (session, session.ProcessID);
        }

        [Fact]
        public async Task A_build_waiting_behind_an_idle_transaction_reports_it_then_gives_up_at_the_cap_and_the_rerun_succeeds()
        {
            await using TestDatabase database = await WidgetsAsync();
            var (session, pid) = await IdleReaderAsync(database);
            await using (session)
            {
                var (engine, catalog, log) = Engine(database.ConnectionString, indexWaitTimeout: TimeSpan.FromSeconds(3));
                EngineException failure;
                using (catalog)
                    failure = await Assert.ThrowsAsync<EngineException>(() => engine.ApplyAsync());

                Assert.Equal(EngineCodes.IndexBuildWaitTimeout, failure.Code);
                Assert.StartsWith("20240402000000_WidgetCodes step 2 (create index \"IX_widgets_name\" concurrently): ", failure.Message);
                Assert.Contains($"pid {pid} (idle in transaction, application \"report-app\"", failure.Message);
                Assert.Contains($"pg_terminate_backend({pid})", failure.Message);
                Assert.Contains("SafeMigrationsIndexWaitTimeout", failure.Message);
                Assert.Contains("was dropped", failure.Message);
                // While it waited, it said so: the phase, the session and for how long, about once a second.
                var waits = log.Lines.Where(l => l.StartsWith("progress: ", StringComparison.Ordinal) && l.Contains("waiting for old snapshots") && l.Contains($"pid {pid} (idle in transaction")).ToList();
                Assert.True(waits.Count >= 2, string.Join("\n", log.Lines));
                Assert.False(await database.ScalarAsync<bool>(IndexExists));

                await using (var end = new NpgsqlCommand("rollback", session))
                    await end.ExecuteNonQueryAsync();
            }

            var (rerun, rerunCatalog, _) = Engine(database.ConnectionString, indexWaitTimeout: TimeSpan.FromSeconds(3));
            using (rerunCatalog)
                await rerun.ApplyAsync();
            Assert.True(await database.ScalarAsync<bool>(IndexValid));
        }

        [Fact]
        public async Task A_leftover_held_by_a_writer_is_dropped_with_a_lock_timeout_and_the_rerun_drops_and_rebuilds_it()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            await database.ExecuteAsync("create table t (id int primary key, v int); insert into t select g, g from generate_series(1, 2000) g");
            await using NpgsqlConnection writer = await database.OpenAsync();
            await using (var command = new NpgsqlCommand("begin; insert into t values (0, 0);", writer))
                await command.ExecuteNonQueryAsync();

            await using NpgsqlConnection connection = await database.OpenAsync();
            var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
            var step = new ConcurrentIndexStep("CREATE INDEX CONCURRENTLY ix_t_v ON t (v)")
            {
                WaitTimeout = TimeSpan.FromSeconds(2),
                ProgressInterval = TimeSpan.FromMilliseconds(300),
                Progress = lines.Enqueue,
                DropPolicy = new LockRetryPolicy { LockTimeout = TimeSpan.FromMilliseconds(200), MaxAttempts = 2, InitialBackoff = TimeSpan.FromMilliseconds(50) },
                OpenSecondConnection = _ => database.OpenAsync(),
            };
            var failure = await Assert.ThrowsAsync<IndexBuildWaitException>(() => step.RunAsync(connection));
            _output.WriteLine(failure.Message);
            foreach (string line in lines)
                _output.WriteLine(line);

            // The build waited in its first phase for the open writer; the drop of its leftover, bounded by lock_timeout,
            // could not get past the same writer, so the leftover stays for the rerun.
            Assert.Contains("waiting for writers before build", failure.Message);
            Assert.Equal(writer.ProcessID, Assert.Single(failure.Blockers).Pid);
            Assert.False(failure.LeftoverDropped);
            Assert.Contains("the rerun drops and rebuilds it", failure.Message);
            Assert.Equal(IndexState.Invalid, await step.GetStateAsync(connection));
            Assert.Contains(lines, l => l.Contains($"pid {writer.ProcessID} (idle in transaction"));

            // While the writer is still open, a rerun's drop gives up after its attempts instead of hanging.
            var stuck = await Assert.ThrowsAsync<StepFailedException>(() => step.RunAsync(connection));
            Assert.True(stuck.RetriesExhausted);
            Assert.Equal(2, stuck.Attempts.Count);
            Assert.Contains("lock_timeout = 200ms", stuck.Message);

            await using (var command = new NpgsqlCommand("commit", writer))
                await command.ExecuteNonQueryAsync();
            ConcurrentIndexResult result = await step.RunAsync(connection);
            Assert.True(result.DroppedInvalidLeftover);
            Assert.Equal(IndexState.Valid, await step.GetStateAsync(connection));
        }

        [Fact]
        public async Task A_build_reports_its_phase_and_blocks_while_it_scans()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            // An index expression that takes 10 ms a row keeps the build in its scan for a second and a half.
            await database.ExecuteAsync(@"create function slow_key(v int) returns int language plpgsql immutable as 'begin perform pg_sleep(0.01); return v; end';
create table t (id int primary key, v int); insert into t select g, g from generate_series(1, 150) g");
            await using NpgsqlConnection connection = await database.OpenAsync();
            var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
            var step = new ConcurrentIndexStep("CREATE INDEX CONCURRENTLY ix_t_slow ON t (slow_key(v))")
            {
                ProgressInterval = TimeSpan.FromMilliseconds(100),
                Progress = lines.Enqueue,
                OpenSecondConnection = _ => database.OpenAsync(),
            };
            await step.RunAsync(connection);
            foreach (string line in lines)
                _output.WriteLine(line);
            Assert.Contains(lines, l => l.StartsWith("index \"ix_t_slow\" building index: scanning table, blocks ", StringComparison.Ordinal));
            Assert.Equal(IndexState.Valid, await step.GetStateAsync(connection));
        }

        [Fact]
        public async Task A_unique_build_failing_on_duplicates_names_the_keys_and_gives_the_query()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            await database.ExecuteAsync(@"create schema ""Sales""; create table ""Sales"".""Users"" (id int primary key, ""Email"" text, tenant int);
insert into ""Sales"".""Users"" select g, 'user' || g || '@x', g % 3 from generate_series(1, 3000) g;
insert into ""Sales"".""Users"" values (5001, 'user7@x', 7 % 3), (5002, 'user7@x', 7 % 3), (5003, 'user9@x', 0), (5004, null, 1), (5005, null, 1)");
            await using NpgsqlConnection connection = await database.OpenAsync();
            var step = new ConcurrentIndexStep("CREATE UNIQUE INDEX CONCURRENTLY \"UX_Users_Email\" ON \"Sales\".\"Users\" (tenant, lower(\"Email\"))");

            var failure = await Assert.ThrowsAsync<StepFailedException>(() => step.RunAsync(connection));
            _output.WriteLine(failure.Message);
            Assert.Equal("23505", failure.SqlState);
            Assert.Contains("Duplicated keys (tenant, lower(\"Email\")): (1, user7@x) 3 rows, (0, user9@x) 2 rows.", failure.Message);
            const string query = "SELECT tenant, lower(\"Email\"), count(*) FROM \"Sales\".\"Users\" WHERE (tenant) IS NOT NULL AND (lower(\"Email\")) IS NOT NULL GROUP BY tenant, lower(\"Email\") HAVING count(*) > 1 ORDER BY count(*) DESC";
            Assert.Contains("list them all with: " + query + ";", failure.Message);
            Assert.Contains("was dropped", failure.Message);
            Assert.Equal(IndexState.Missing, await step.GetStateAsync(connection));
            // The query given runs as printed and lists exactly the duplicates.
            Assert.Equal(2, (await database.RowsAsync(query)).Count);
        }

        [Fact]
        public async Task A_terminated_build_reports_the_INVALID_index_status_shows_it_and_the_rerun_rebuilds_it()
        {
            await using TestDatabase database = await WidgetsAsync();
            var (session, _) = await IdleReaderAsync(database);
            Task apply;
            var (engine, catalog, _) = Engine(database.ConnectionString);
            using (catalog)
            {
                await using (session)
                {
                    apply = engine.ApplyAsync();
                    // Wait until the build waits behind the idle reader, then terminate its backend, as an operator would.
                    int builder = 0;
                    for (int i = 0; i < 300 && builder == 0; i++)
                    {
                        await Task.Delay(50);
                        builder = await database.ScalarAsync<int?>("select pid from pg_stat_progress_create_index where phase = 'waiting for old snapshots'") ?? 0;
                    }
                    Assert.NotEqual(0, builder);
                    Assert.True(await database.ScalarAsync<bool>($"select pg_terminate_backend({builder})"));

                    EngineException failure = await Assert.ThrowsAsync<EngineException>(() => apply);
                    Assert.Equal(EngineCodes.StepFailed, failure.Code);
                    Assert.Contains("step 2 (create index \"IX_widgets_name\" concurrently): the connection to the server was lost during CREATE INDEX CONCURRENTLY \"IX_widgets_name\" (57P01", failure.Message);
                    Assert.Contains("An INVALID index \"IX_widgets_name\" was left on \"widgets\"", failure.Message);
                    Assert.Contains("a rerun of apply drops and rebuilds it", failure.Message);
                    Assert.DoesNotContain("Connection is not open", failure.Message);
                    Assert.False(await database.ScalarAsync<bool>(IndexValid));
                }
            }

            var (status, statusCatalog, statusLog) = Engine(database.ConnectionString);
            using (statusCatalog)
                await status.StatusAsync();
            Assert.Contains(statusLog.Lines, l => l.StartsWith("warn: SM1002: 20240402000000_WidgetCodes step 2 (create index \"IX_widgets_name\" concurrently): index \"IX_widgets_name\" on \"widgets\" is INVALID, left by an interrupted or failed CREATE INDEX CONCURRENTLY", StringComparison.Ordinal));

            var (rerun, rerunCatalog, rerunLog) = Engine(database.ConnectionString);
            using (rerunCatalog)
                await rerun.ApplyAsync();
            Assert.True(await database.ScalarAsync<bool>(IndexValid));
            Assert.Contains(rerunLog.Lines, l => l.Contains("dropped an invalid index left by an earlier failed build"));
        }
    }
}
