using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Engine.Applying;
using SafeMigrations.Engine.Gate;
using SafeMigrations.Engine.Loading;
using SafeMigrations.Engine.Reporting;
using Xunit;
using Xunit.Abstractions;

namespace SafeMigrations.Engine.Tests.Gate
{
    /// <summary>The contract gate against a real server: statements of an old version, versioned sessions, no evidence, the override.</summary>
    [Collection(PostgresCollection.Name)]
    public sealed class ContractGateTests
    {
        private const string Orders = GateContext.Orders;
        private const string DropStatus = GateContext.DropStatus;
        private static readonly TimeSpan Window = TimeSpan.FromSeconds(2);

        private readonly PostgresServerFixture _server;
        private readonly ITestOutputHelper _output;

        public ContractGateTests(PostgresServerFixture server, ITestOutputHelper output)
        {
            _server = server;
            _output = output;
        }

        [Fact]
        public async Task Refuses_while_an_old_version_keeps_querying_the_dropped_column_and_passes_once_it_stops()
        {
            Assert.True(await _server.HasStatementStatisticsAsync(), "the test server must preload pg_stat_statements (PostgresServerFixture sets shared_preload_libraries)");
            await using TestDatabase database = await ExpandedAsync();
            await database.ExecuteAsync("CREATE EXTENSION pg_stat_statements");
            using var stopOld = new CancellationTokenSource();
            using var stopNew = new CancellationTokenSource();
            Task oldVersion = QueryLoop(database, "select id, status from orders where id = $1", stopOld.Token);
            Task newVersion = QueryLoop(database, "select id, state from orders where id = $1", stopNew.Token);
            try
            {
                var refused = await Assert.ThrowsAsync<EngineException>(() => ContractAsync(database, new EngineApplyTests.TestLog(_output)));
                _output.WriteLine(refused.Message);
                Assert.Equal(EngineCodes.ContractGate, refused.Code);
                Assert.Contains($"{DropStatus}: contract gate refused: a running app version still uses \"orders\".\"status\" (dropped)", refused.Message);
                Assert.Matches(@"pg_stat_statements: \d+ calls naming ""orders"".""status"" in the last \d+ s \(since \d\d:\d\d:\d\d UTC, 2 samples\) by 1 statement\(s\): \[\d+ calls\] select id, status from orders where id = \$1", refused.Message);
                Assert.DoesNotContain("state from orders", refused.Message); // the new version's statement is not evidence
                Assert.Contains("Nothing of this migration's contract ran", refused.Message);
                Assert.True(await StatusExistsAsync(database));

                stopOld.Cancel();
                await oldVersion;
                var log = new EngineApplyTests.TestLog(_output);
                await ContractAsync(database, log);
                Assert.Contains(log.Lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, "^" + System.Text.RegularExpressions.Regex.Escape($"info: {DropStatus}: contract gate for \"orders\".\"status\" (dropped): pg_stat_statements: 0 calls naming \"orders\".\"status\" in the last ") + @"\d+ s") && l.EndsWith("→ pass", StringComparison.Ordinal));
                Assert.False(await StatusExistsAsync(database));
            }
            finally
            {
                stopOld.Cancel();
                stopNew.Cancel();
                await Task.WhenAll(oldVersion, newVersion);
            }
        }

        [Fact]
        public async Task Refuses_while_a_session_names_an_older_schema_version_and_passes_once_it_disconnects()
        {
            await using TestDatabase database = await ExpandedAsync();
            await using NpgsqlConnection current = await OpenAsAsync(database, SchemaVersionApplicationName.Format("shop", DropStatus));
            int oldPid;
            await using (NpgsqlConnection old = await OpenAsAsync(database, SchemaVersionApplicationName.Format("shop", Orders)))
            {
                oldPid = old.ProcessID;
                await using (var query = new NpgsqlCommand("select id from orders where status = 'card 4111-1111'", old))
                    await query.ExecuteNonQueryAsync();

                var refused = await Assert.ThrowsAsync<EngineException>(() => ContractAsync(database, new EngineApplyTests.TestLog(_output)));
                _output.WriteLine(refused.Message);
                Assert.Equal(EngineCodes.ContractGate, refused.Code);
                Assert.Contains("pg_stat_statements: not installed in this database", refused.Message);
                Assert.Contains($"sessions: 1 of 2 app session(s) at a version older than {DropStatus}: pid {oldPid} \"shop sm={Orders}\" from ", refused.Message);
                Assert.Matches(@"connected since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", refused.Message);
                Assert.DoesNotContain("4111", refused.Message); // never a session's query
                Assert.True(await StatusExistsAsync(database));
            }
            await WaitUntilGoneAsync(database, oldPid);

            var log = new EngineApplyTests.TestLog(_output);
            await ContractAsync(database, log);
            Assert.Contains(log.Lines, l => l.EndsWith($"sessions: 1 app session(s), all at {DropStatus} or newer → pass", StringComparison.Ordinal));
            Assert.False(await StatusExistsAsync(database));
        }

        [Fact]
        public async Task Without_evidence_the_gate_passes_with_a_warning_saying_how_to_enable_it()
        {
            await using TestDatabase database = await ExpandedAsync();
            var log = new EngineApplyTests.TestLog(_output);
            await ContractAsync(database, log);

            string warning = Assert.Single(log.Lines, l => l.StartsWith($"warn: {EngineCodes.ContractGate}: ", StringComparison.Ordinal));
            Assert.Contains($"{DropStatus}: contract gate could not check whether a running app version still uses \"orders\".\"status\" (dropped)", warning);
            Assert.Contains("passing without evidence", warning);
            Assert.Contains("CREATE EXTENSION pg_stat_statements", warning);
            Assert.Contains("\"<app> sm=<latest migration id>\"", warning);
            Assert.False(await StatusExistsAsync(database));
        }

        [Fact]
        public async Task The_override_runs_the_contract_and_says_so_loudly()
        {
            await using TestDatabase database = await ExpandedAsync();
            await using NpgsqlConnection old = await OpenAsAsync(database, SchemaVersionApplicationName.Format("shop", Orders));
            var log = new EngineApplyTests.TestLog(_output);
            await ContractAsync(database, log, skip: true);

            Assert.Contains(log.Lines, l => l.StartsWith($"warn: {EngineCodes.ContractGate}: {DropStatus}: CONTRACT GATE SKIPPED by --contract-gate skip", StringComparison.Ordinal) && l.Contains("\"orders\".\"status\" (dropped)"));
            Assert.False(await StatusExistsAsync(database));
        }

        [Fact]
        public async Task One_contract_run_watches_once_for_every_migration_and_its_own_drops_do_not_count_as_use()
        {
            Assert.True(await _server.HasStatementStatisticsAsync(), "the test server must preload pg_stat_statements (PostgresServerFixture sets shared_preload_libraries)");
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            await database.ExecuteAsync("CREATE EXTENSION pg_stat_statements");
            using (var catalog = new MigrationCatalog(DbContextLoader.Create(typeof(GateTwoDropsContext).Assembly, nameof(GateTwoDropsContext), database.ConnectionString)))
                await new MigrationEngine(catalog, new EngineOptions { ConnectionString = database.ConnectionString, Log = new EngineApplyTests.TestLog(_output) }).ApplyAsync();
            await database.ExecuteAsync("insert into items (colour, size) select 'red', 'L' from generate_series(1, 10); select colour, size from items");
            using var stop = new CancellationTokenSource();
            Task app = QueryLoop(database, "select id from items where id = $1", stop.Token); // the table, neither column

            var log = new EngineApplyTests.TestLog(_output);
            using (var catalog = new MigrationCatalog(DbContextLoader.Create(typeof(GateTwoDropsContext).Assembly, nameof(GateTwoDropsContext), database.ConnectionString)))
                await new MigrationEngine(catalog, new EngineOptions { ConnectionString = database.ConnectionString, Phase = PhaseSelection.Contract, Log = log, ContractGate = new ContractGateOptions { Window = Window } }).ApplyAsync();
            stop.Cancel();
            await app;

            Assert.Single(log.Lines, l => l.StartsWith("progress: contract gate: watching pg_stat_statements", StringComparison.Ordinal));
            Assert.Contains(log.Lines, l => l.StartsWith("info: 20250502000000_DropColour: contract gate for \"items\".\"colour\" (dropped): pg_stat_statements: 0 calls naming \"items\".\"colour\"", StringComparison.Ordinal) && l.EndsWith("→ pass", StringComparison.Ordinal));
            // The first migration's DROP COLUMN and its verification ran between the two samples of the second.
            Assert.Contains(log.Lines, l => l.StartsWith("info: 20250503000000_DropSize: contract gate for \"items\".\"size\" (dropped): pg_stat_statements: 0 calls naming \"items\".\"size\"", StringComparison.Ordinal) && l.EndsWith("→ pass", StringComparison.Ordinal));
            Assert.Equal(0L, await database.ScalarAsync<long>("select count(*) from information_schema.columns where table_name = 'items' and column_name in ('colour', 'size')"));
        }

        private async Task<TestDatabase> ExpandedAsync()
        {
            TestDatabase database = await _server.CreateDatabaseAsync();
            await RunAsync(database, PhaseSelection.Expand, new EngineApplyTests.TestLog(_output), new ContractGateOptions());
            await database.ExecuteAsync("insert into orders (status, state) select 'open', 'new' from generate_series(1, 100)");
            return database;
        }

        private Task ContractAsync(TestDatabase database, IEngineLog log, bool skip = false)
            => RunAsync(database, PhaseSelection.Contract, log, new ContractGateOptions { Skip = skip, Window = Window });

        private static async Task RunAsync(TestDatabase database, PhaseSelection phase, IEngineLog log, ContractGateOptions gate)
        {
            using var catalog = new MigrationCatalog(DbContextLoader.Create(typeof(GateContext).Assembly, nameof(GateContext), database.ConnectionString));
            var options = new EngineOptions { ConnectionString = database.ConnectionString, Phase = phase, Log = log, ContractGate = gate };
            await new MigrationEngine(catalog, options).ApplyAsync();
        }

        /// <summary>An app instance's own connection (unpooled: closing it ends its session).</summary>
        internal static async Task<NpgsqlConnection> OpenAsAsync(TestDatabase database, string applicationName)
        {
            var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(database.ConnectionString) { ApplicationName = applicationName, Pooling = false }.ConnectionString);
            await connection.OpenAsync();
            return connection;
        }

        /// <summary>An app instance running one query over and over until stopped.</summary>
        private static Task QueryLoop(TestDatabase database, string sql, CancellationToken stop) => Task.Run(async () =>
        {
            await using NpgsqlConnection connection = await OpenAsAsync(database, "orders-app");
            var random = new Random(1);
            while (!stop.IsCancellationRequested)
            {
                await using var command = new NpgsqlCommand(sql, connection) { Parameters = { new() { Value = (long)random.Next(1, 100) } } };
                await command.ExecuteNonQueryAsync();
                await Task.Delay(20);
            }
        });

        private static async Task<bool> StatusExistsAsync(TestDatabase database)
            => await database.ScalarAsync<bool>("select exists (select 1 from information_schema.columns where table_name = 'orders' and column_name = 'status')");

        /// <summary>A closed connection's backend leaves pg_stat_activity a moment later.</summary>
        private static async Task WaitUntilGoneAsync(TestDatabase database, int pid)
        {
            for (int i = 0; i < 100 && await database.ScalarAsync<bool>($"select exists (select 1 from pg_stat_activity where pid = {pid})"); i++)
                await Task.Delay(50);
        }
    }
}
