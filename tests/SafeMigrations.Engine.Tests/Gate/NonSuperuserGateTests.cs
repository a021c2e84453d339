using System;
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
    /// <summary>
    /// The contract gate run by a role that owns the database but is no superuser and lacks pg_read_all_stats, while the
    /// old app version runs as another role: it sees neither that role's statement text nor its sessions' address.
    /// </summary>
    [Collection(PostgresCollection.Name)]
    public sealed class NonSuperuserGateTests
    {
        private const string Orders = GateContext.Orders;
        private const string DropStatus = GateContext.DropStatus;
        private const string OldStatement = "select id, status from orders where id = $1";
        private static readonly TimeSpan Window = TimeSpan.FromSeconds(2);

        private readonly PostgresServerFixture _server;
        private readonly ITestOutputHelper _output;

        public NonSuperuserGateTests(PostgresServerFixture server, ITestOutputHelper output)
        {
            _server = server;
            _output = output;
        }

        [Fact]
        public async Task Without_pg_read_all_stats_another_roles_calls_are_no_evidence_the_gate_names_them_and_the_grant()
        {
            await using Roles roles = await Roles.CreateAsync(_server, _output, statementStatistics: true);
            string warning = await ContractWarningWhileTheOldVersionRunsAsync(roles);
            Assert.Contains($"{DropStatus}: contract gate could not check whether a running app version still uses \"orders\".\"status\" (dropped)", warning);
            Assert.Matches($@"pg_stat_statements: cannot tell: \d+ calls in the last \d+ s \(since \d\d:\d\d:\d\d UTC, 2 samples\) by other roles whose statement text this role may not read \(""{roles.App}"": \d+ calls\)", warning);
            Assert.Contains($"passing without evidence. To enable it: GRANT pg_read_all_stats TO \"{roles.Migrator}\"", warning);
            Assert.DoesNotContain("0 calls naming", warning);
            Assert.False(await roles.StatusExistsAsync()); // no evidence passes with the warning, as the design says
        }

        [Fact]
        public async Task Passing_on_sessions_alone_while_other_roles_statements_are_hidden_is_a_warning_not_a_pass()
        {
            await using Roles roles = await Roles.CreateAsync(_server, _output, statementStatistics: true);
            var current = new NpgsqlConnectionStringBuilder(roles.AppConnectionString) { ApplicationName = SchemaVersionApplicationName.Format("shop", DropStatus) };
            await using var newVersion = new NpgsqlConnection(current.ConnectionString);
            await newVersion.OpenAsync();
            string warning = await ContractWarningWhileTheOldVersionRunsAsync(roles);
            Assert.Contains($"{DropStatus}: contract gate could check only part of the evidence for \"orders\".\"status\" (dropped)", warning);
            Assert.Contains("pg_stat_statements: cannot tell: ", warning);
            Assert.Contains($"sessions: 1 app session(s), all at {DropStatus} or newer); passing on what it could see. To see the rest: GRANT pg_read_all_stats TO \"{roles.Migrator}\"", warning);
        }

        [Fact]
        public async Task With_pg_read_all_stats_the_gate_refuses_on_the_other_roles_statement_and_passes_once_it_stops()
        {
            await using Roles roles = await Roles.CreateAsync(_server, _output, statementStatistics: true);
            await roles.AdminAsync($"grant pg_read_all_stats to \"{roles.Migrator}\"");
            using var stop = new CancellationTokenSource();
            Task oldVersion = QueryLoop(roles.AppConnectionString, OldStatement, stop.Token);
            try
            {
                await WaitForCallsAsync(roles, roles.App, OldStatement);
                var refused = await Assert.ThrowsAsync<EngineException>(() => roles.ContractAsync(new EngineApplyTests.TestLog(_output)));
                _output.WriteLine(refused.Message);
                Assert.Equal(EngineCodes.ContractGate, refused.Code);
                Assert.Contains($"{DropStatus}: contract gate refused: a running app version still uses \"orders\".\"status\" (dropped)", refused.Message);
                Assert.Matches(@"pg_stat_statements: \d+ calls naming ""orders"".""status"" in the last \d+ s \(since \d\d:\d\d:\d\d UTC, 2 samples\) by 1 statement\(s\): \[\d+ calls\] select id, status from orders where id = \$1", refused.Message);
                Assert.DoesNotContain("may not read", refused.Message);
                Assert.True(await roles.StatusExistsAsync());
            }
            finally
            {
                stop.Cancel();
                await oldVersion;
            }

            // Without the grant again, other roles' statements that did not run in the window leave the pass intact.
            await roles.AdminAsync($"revoke pg_read_all_stats from \"{roles.Migrator}\"");
            var log = new EngineApplyTests.TestLog(_output);
            await roles.ContractAsync(log);
            Assert.Contains(log.Lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, "^" + System.Text.RegularExpressions.Regex.Escape($"info: {DropStatus}: contract gate for \"orders\".\"status\" (dropped): pg_stat_statements: 0 calls naming \"orders\".\"status\" in the last ") + @"\d+ s")
                && l.Contains($"other roles' statements are not readable by this role (GRANT pg_read_all_stats TO \"{roles.Migrator}\" to read them), and no role that may use \"orders\" ran one in the window")
                && l.EndsWith("→ pass", StringComparison.Ordinal));
            Assert.False(await roles.StatusExistsAsync());
        }

        [Fact]
        public async Task A_role_with_no_privilege_on_the_table_cannot_hide_use_of_it_and_leaves_the_pass_intact()
        {
            await using Roles roles = await Roles.CreateAsync(_server, _output, statementStatistics: true);
            const string Monitoring = "select count(*) from pg_stat_activity where pid <> $1";
            using var stop = new CancellationTokenSource();
            Task monitor = QueryLoop(roles.MonitorConnectionString, Monitoring, stop.Token);
            var log = new EngineApplyTests.TestLog(_output);
            try
            {
                await WaitForCallsAsync(roles, roles.Monitor, Monitoring);
                await roles.ContractAsync(log);
            }
            finally
            {
                stop.Cancel();
                await monitor;
            }

            Assert.DoesNotContain(log.Lines, l => l.StartsWith($"warn: {EngineCodes.ContractGate}: ", StringComparison.Ordinal));
            string pass = Assert.Single(log.Lines, l => l.StartsWith($"info: {DropStatus}: contract gate for \"orders\".\"status\" (dropped): pg_stat_statements: 0 calls naming", StringComparison.Ordinal));
            Assert.Matches($@"and no role that may use ""orders"" ran one in the window; \d+ calls by roles with no privilege on ""orders"" \(""{roles.Monitor}"": \d+ calls\) cannot name it; sessions: .* → pass$", pass);
            Assert.False(await roles.StatusExistsAsync());
        }

        [Fact]
        public async Task Another_roles_old_version_session_is_seen_by_its_application_name_its_address_once_granted()
        {
            await using Roles roles = await Roles.CreateAsync(_server, _output, statementStatistics: false);
            var appConnection = new NpgsqlConnectionStringBuilder(roles.AppConnectionString) { ApplicationName = SchemaVersionApplicationName.Format("shop", Orders) };
            await using var old = new NpgsqlConnection(appConnection.ConnectionString);
            await old.OpenAsync();

            var hidden = await Assert.ThrowsAsync<EngineException>(() => roles.ContractAsync(new EngineApplyTests.TestLog(_output)));
            _output.WriteLine(hidden.Message);
            Assert.Equal(EngineCodes.ContractGate, hidden.Code);
            Assert.Contains($"sessions: 1 of 1 app session(s) at a version older than {DropStatus}: pid {old.ProcessID} \"shop sm={Orders}\" of role \"{roles.App}\" "
                + $"(its address and connection start are hidden from this role: GRANT pg_read_all_stats TO \"{roles.Migrator}\" to see them)", hidden.Message);

            await roles.AdminAsync($"grant pg_read_all_stats to \"{roles.Migrator}\"");
            var seen = await Assert.ThrowsAsync<EngineException>(() => roles.ContractAsync(new EngineApplyTests.TestLog(_output)));
            _output.WriteLine(seen.Message);
            Assert.Matches($@"pid {old.ProcessID} ""shop sm={Orders}"" from 127\.0\.0\.1, connected since \d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d UTC", seen.Message);
            Assert.True(await roles.StatusExistsAsync());
        }

        /// <summary>Applies the contract while the old version queries the dropped column; returns the gate's one SM1016 warning (and that no pass line came).</summary>
        private async Task<string> ContractWarningWhileTheOldVersionRunsAsync(Roles roles)
        {
            using var stop = new CancellationTokenSource();
            Task oldVersion = QueryLoop(roles.AppConnectionString, OldStatement, stop.Token);
            await WaitForCallsAsync(roles, roles.App, OldStatement);
            var log = new EngineApplyTests.TestLog(_output);
            await roles.ContractAsync(log);
            stop.Cancel();
            await oldVersion;

            Assert.DoesNotContain(log.Lines, l => l.EndsWith("→ pass", StringComparison.Ordinal));
            return Assert.Single(log.Lines, l => l.StartsWith($"warn: {EngineCodes.ContractGate}: ", StringComparison.Ordinal));
        }

        /// <summary>
        /// An app instance as <paramref name="connectionString"/>'s role running <paramref name="sql"/> (with one bigint
        /// parameter) until stopped or until the column it reads is gone.
        /// </summary>
        private static Task QueryLoop(string connectionString, string sql, CancellationToken stop) => Task.Run(async () =>
        {
            await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = "orders-app" }.ConnectionString);
            await connection.OpenAsync();
            var random = new Random(1);
            while (!stop.IsCancellationRequested)
            {
                await using var command = new NpgsqlCommand(sql, connection) { Parameters = { new() { Value = (long)random.Next(1, 100) } } };
                try
                {
                    await command.ExecuteNonQueryAsync();
                }
                catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.UndefinedColumn)
                {
                    return; // the contract ran: the old version breaks, which is what the gate is there to prevent
                }

                await Task.Delay(20);
            }
        });

        /// <summary>The loop of <paramref name="role"/> has run <paramref name="sql"/> at least once (so the role has an entry before the gate's first sample).</summary>
        private static async Task WaitForCallsAsync(Roles roles, string role, string sql)
        {
            for (int i = 0; i < 200; i++)
            {
                if (await roles.Database.ScalarAsync<long>($"select coalesce(sum(calls), 0)::bigint from pg_stat_statements where userid = '\"{role}\"'::regrole and query = '{sql}'") > 0)
                {
                    return;
                }

                await Task.Delay(50);
            }

            throw new InvalidOperationException($"the statement of {role} never reached pg_stat_statements");
        }

        /// <summary>
        /// A database owned by a migration role (login, no superuser, no pg_read_all_stats) that expanded it, and an app
        /// role that may read orders. Disposing drops the database and both roles.
        /// </summary>
        private sealed class Roles : IAsyncDisposable
        {
            private readonly PostgresServerFixture _server;

            private Roles(PostgresServerFixture server, TestDatabase database, string suffix)
            {
                _server = server;
                Database = database;
                Migrator = "sm_migrator_" + suffix;
                App = "sm_app_" + suffix;
                Monitor = "sm_monitor_" + suffix;
            }

            public TestDatabase Database { get; }
            public string Migrator { get; }
            public string App { get; }

            /// <summary>A role with no privilege on orders (a monitoring agent).</summary>
            public string Monitor { get; }
            public string MigratorConnectionString => new NpgsqlConnectionStringBuilder(Database.ConnectionString) { Username = Migrator, Pooling = false }.ConnectionString;
            public string AppConnectionString => new NpgsqlConnectionStringBuilder(Database.ConnectionString) { Username = App, Pooling = false }.ConnectionString;
            public string MonitorConnectionString => new NpgsqlConnectionStringBuilder(Database.ConnectionString) { Username = Monitor, Pooling = false }.ConnectionString;

            public static async Task<Roles> CreateAsync(PostgresServerFixture server, ITestOutputHelper output, bool statementStatistics)
            {
                if (statementStatistics)
                {
                    Assert.True(await server.HasStatementStatisticsAsync(), "the test server must preload pg_stat_statements (PostgresServerFixture sets shared_preload_libraries)");
                }

                var roles = new Roles(server, await server.CreateDatabaseAsync(), Guid.NewGuid().ToString("N").Substring(0, 8));
                await roles.AdminAsync($"create role \"{roles.Migrator}\" login nosuperuser; create role \"{roles.App}\" login nosuperuser; create role \"{roles.Monitor}\" login nosuperuser");
                await roles.Database.ExecuteAsync($"alter database \"{roles.Database.Name}\" owner to \"{roles.Migrator}\"");
                await roles.RunAsync(PhaseSelection.Expand, new EngineApplyTests.TestLog(output));
                await roles.Database.ExecuteAsync($"grant select on orders to \"{roles.App}\"; insert into orders (status, state) select 'open', 'new' from generate_series(1, 100)");
                if (statementStatistics)
                {
                    await roles.Database.ExecuteAsync("create extension pg_stat_statements");
                }

                Assert.False(await roles.Database.ScalarAsync<bool>($"select rolsuper or pg_has_role(oid, 'pg_read_all_stats', 'usage') from pg_roles where rolname = '{roles.Migrator}'"));
                return roles;
            }

            public Task ContractAsync(IEngineLog log) => RunAsync(PhaseSelection.Contract, log);

            public async Task<bool> StatusExistsAsync()
                => await Database.ScalarAsync<bool>("select exists (select 1 from information_schema.columns where table_name = 'orders' and column_name = 'status')");

            public async Task AdminAsync(string sql)
            {
                await using var admin = new NpgsqlConnection(_server.AdminConnectionString);
                await admin.OpenAsync();
                await using var command = new NpgsqlCommand(sql, admin);
                await command.ExecuteNonQueryAsync();
            }

            public async ValueTask DisposeAsync()
            {
                await Database.DisposeAsync();
                await AdminAsync($"drop role if exists \"{Migrator}\"; drop role if exists \"{App}\"; drop role if exists \"{Monitor}\"");
            }

            private async Task RunAsync(PhaseSelection phase, IEngineLog log)
            {
                using var catalog = new MigrationCatalog(DbContextLoader.Create(typeof(GateContext).Assembly, nameof(GateContext), MigratorConnectionString));
                var options = new EngineOptions { ConnectionString = MigratorConnectionString, Phase = phase, Log = log, ContractGate = new ContractGateOptions { Window = Window } };
                await new MigrationEngine(catalog, options).ApplyAsync();
            }
        }
    }
}
