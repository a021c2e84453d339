using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Engine.Reporting;
using SafeMigrations.Engine.Statistics;
using SafeMigrations.Sql.Statistics;
using Xunit.Abstractions;

namespace SafeMigrations.Engine.Tests.Statistics
{
    /// <summary>
    /// The statistics snapshot round trip against the real server: tables with known row counts, a writer between the
    /// two samples, the file written and read back; and what the snapshot must never do (write, leak the connection).
    /// </summary>
    [Collection(PostgresCollection.Name)]
    public sealed class StatisticsSnapshotTests
    {
        private const string Canary = "CANARY-pw-7f3e";

        private readonly PostgresServerFixture _server;
        private readonly ITestOutputHelper _output;

        public StatisticsSnapshotTests(PostgresServerFixture server, ITestOutputHelper output)
        {
            _server = server;
            _output = output;
        }

        [Fact]
        public async Task Snapshot_round_trip_has_rows_sizes_and_write_rates_and_no_connection_details()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            await CreateTablesAsync(database);
            string role = await CreateReaderRoleAsync(database);
            try
            {
                string connection = ReaderConnection(database, role);
                using var stopWriter = new CancellationTokenSource();
                Task writer = WriteOrdersAsync(database.ConnectionString, stopWriter.Token);
                StatisticsSnapshot taken;
                try
                {
                    taken = await new StatisticsSampler(connection) { Interval = TimeSpan.FromSeconds(2), Log = new EngineApplyTests.TestLog(_output) }.TakeAsync();
                }
                finally
                {
                    stopWriter.Cancel();
                    await writer;
                }
                string path = Path.Combine(Path.GetTempPath(), "sm-stats-" + Guid.NewGuid().ToString("N") + ".json");
                taken.Write(path);
                string text = File.ReadAllText(path);
                File.Delete(path);
                _output.WriteLine(text);
                StatisticsSnapshot snapshot = StatisticsSnapshot.Parse(text);

                Assert.Equal(await database.ScalarAsync<int>("select current_setting('server_version_num')::int"), snapshot.ServerVersionNumber);
                Assert.Equal(2, snapshot.IntervalSeconds);
                Assert.InRange(snapshot.TakenAt, DateTimeOffset.UtcNow.AddMinutes(-2), DateTimeOffset.UtcNow.AddSeconds(5));
                Assert.Equal(new[] { "audit.events", "public.lookup", "public.orders" }, snapshot.Tables.Select(t => t.Schema + "." + t.Name).ToArray());

                TableEstimate orders = snapshot.Find("public", "orders")!;
                long ordersCount = await database.ScalarAsync<long>("select count(*) from orders");
                Assert.InRange(orders.EstimatedRows, (long)(ordersCount * 0.9), (long)(ordersCount * 1.1));
                Assert.True(orders.HeapBytes > 0 && orders.HeapBytes <= await database.ScalarAsync<long>("select pg_relation_size('orders')"));
                Assert.True(orders.IndexBytes > 0);
                Assert.True(orders.InsertsPerSecond > 0, "inserts/s on the written table");
                Assert.True(orders.UpdatesPerSecond > 0, "updates/s on the written table");
                Assert.True(orders.DeletesPerSecond > 0, "deletes/s on the written table");

                TableEstimate lookup = snapshot.Find("public", "lookup")!;
                Assert.Equal(40, lookup.EstimatedRows);
                Assert.Equal(await database.ScalarAsync<long>("select pg_relation_size('lookup')"), lookup.HeapBytes);
                Assert.Equal(await database.ScalarAsync<long>("select pg_indexes_size('lookup')"), lookup.IndexBytes);
                Assert.Equal(0.0, lookup.InsertsPerSecond);
                Assert.Equal(0.0, lookup.UpdatesPerSecond);
                Assert.Equal(0.0, lookup.DeletesPerSecond);

                // Never analyzed: reltuples is -1 (PostgreSQL 14+), so the live-tuple count stands in.
                Assert.Equal(7, snapshot.Find("audit", "events")!.EstimatedRows);

                var builder = new NpgsqlConnectionStringBuilder(connection);
                Assert.DoesNotContain(Canary, text);
                Assert.DoesNotContain(database.Name, text);
                Assert.DoesNotContain(role, text);
                Assert.DoesNotContain("\"" + builder.Host + "\"", text);
                Assert.DoesNotContain("host", text, StringComparison.OrdinalIgnoreCase);
            }
            finally
            {
                await DropAsync(database, role);
            }
        }

        [Fact]
        public async Task The_snapshot_session_refuses_writes()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            await CreateTablesAsync(database);

            await using NpgsqlConnection session = await new StatisticsSampler(database.ConnectionString).OpenReadOnlyAsync();
            await using var insert = new NpgsqlCommand("insert into lookup (name) values ('x')", session);
            var refused = await Assert.ThrowsAsync<PostgresException>(() => insert.ExecuteNonQueryAsync());
            await using var create = new NpgsqlCommand("create table sneaky (id int)", session);
            var refusedDdl = await Assert.ThrowsAsync<PostgresException>(() => create.ExecuteNonQueryAsync());

            Assert.Equal(PostgresErrorCodes.ReadOnlySqlTransaction, refused.SqlState);
            Assert.Equal(PostgresErrorCodes.ReadOnlySqlTransaction, refusedDdl.SqlState);
            Assert.Equal(40, await database.ScalarAsync<long>("select count(*) from lookup"));
        }

        [Fact]
        public async Task The_runner_stats_command_writes_the_file_from_the_environment_connection_without_rates_at_interval_0()
        {
            Assert.True(File.Exists(RunnerLaunch.RunnerPath()), "runner not built at " + RunnerLaunch.RunnerPath());
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            await CreateTablesAsync(database);
            string role = await CreateReaderRoleAsync(database);
            string directory = Path.Combine(Path.GetTempPath(), "sm-stats-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(directory);
            try
            {
                var (exitCode, output) = RunStats(directory, ReaderConnection(database, role), "--interval", "0");

                Assert.Equal(0, exitCode);
                string text = File.ReadAllText(Path.Combine(directory, StatisticsSnapshot.DefaultFileName));
                _output.WriteLine(text);
                StatisticsSnapshot snapshot = StatisticsSnapshot.Parse(text);
                Assert.Equal(0, snapshot.IntervalSeconds);
                Assert.Equal(3, snapshot.Tables.Count);
                Assert.All(snapshot.Tables, t => Assert.Null(t.InsertsPerSecond ?? t.UpdatesPerSecond ?? t.DeletesPerSecond));
                Assert.DoesNotContain("PerSecond", text);
                Assert.DoesNotContain(Canary, text);
                Assert.DoesNotContain(Canary, output);
                Assert.DoesNotContain(database.Name, text);
            }
            finally
            {
                Directory.Delete(directory, recursive: true);
                await DropAsync(database, role);
            }
        }

        [Fact]
        public void The_runner_stats_command_refuses_a_missing_connection_and_a_bad_interval_with_SM1001()
        {
            string directory = Path.GetTempPath();

            var (noConnectionExit, noConnection) = RunStats(directory, null);
            var (badIntervalExit, badInterval) = RunStats(directory, "Host=localhost;Database=shop;Username=app;Password=" + Canary, "--interval", "soon");

            Assert.Equal(1, noConnectionExit);
            Assert.Contains("error: SM1001: no connection string", noConnection);
            Assert.Equal(1, badIntervalExit);
            Assert.Contains("error: SM1001: --interval must be a whole number of seconds", badInterval);
            Assert.DoesNotContain(Canary, badInterval);
        }

        [Fact]
        public async Task No_connection_and_no_CONNECT_privilege_give_SM1001()
        {
            var missing = Assert.Throws<EngineException>(() => new StatisticsSampler(null));
            Assert.Equal(EngineCodes.Configuration, missing.Code);

            await using TestDatabase database = await _server.CreateDatabaseAsync();
            string role = await CreateReaderRoleAsync(database);
            await database.ExecuteAsync($"revoke connect on database \"{database.Name}\" from public");
            try
            {
                var refused = await Assert.ThrowsAsync<EngineException>(() => new StatisticsSampler(ReaderConnection(database, role)) { Interval = TimeSpan.Zero }.TakeAsync());

                _output.WriteLine(refused.Message);
                Assert.Equal(EngineCodes.Configuration, refused.Code);
                Assert.Contains($"GRANT CONNECT ON DATABASE \"{database.Name}\" TO \"{role}\";", refused.Message);
                Assert.DoesNotContain(Canary, refused.Message);
            }
            finally
            {
                await DropAsync(database, role);
            }
        }

        /// <summary>The real runner, launched as the MSBuild task launches it, with the connection in its environment only.</summary>
        private (int ExitCode, string Output) RunStats(string workingDirectory, string? connection, params string[] options)
        {
            string app = typeof(TestApp.ShopContext).Assembly.Location;
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workingDirectory };
            foreach (string argument in RunnerLaunch.ExecArguments(app).Concat(new[] { "stats", "--assembly", app }).Concat(options))
                start.ArgumentList.Add(argument);
            start.Environment.Remove("SAFEMIGRATIONS_CONNECTION");
            if (connection is not null)
                start.Environment["SAFEMIGRATIONS_CONNECTION"] = connection;
            using Process process = Process.Start(start)!;
            Task<string> error = process.StandardError.ReadToEndAsync();
            string output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            _output.WriteLine(output + error.Result);
            return (process.ExitCode, output + error.Result);
        }

        private static async Task CreateTablesAsync(TestDatabase database)
        {
            await database.ExecuteAsync(
                "create table orders (id bigserial primary key, total int not null);" +
                "insert into orders (total) select g from generate_series(1, 5000) g;" +
                "create table lookup (id serial primary key, name text not null);" +
                "insert into lookup (name) select 'n' || g from generate_series(1, 40) g;" +
                "analyze orders; analyze lookup;" +
                "create schema audit; create table audit.events (id int);" +
                "insert into audit.events select g from generate_series(1, 7) g;");
            // The setup's own inserts must be counted before a first sample, or they would look like writes between samples.
            for (int attempt = 0; attempt < 100; attempt++)
            {
                if (await database.ScalarAsync<long>("select count(*) from pg_stat_user_tables where n_tup_ins = case relname when 'orders' then 5000 when 'lookup' then 40 else 7 end") == 3)
                    return;
                await Task.Delay(100);
            }
            throw new InvalidOperationException("the setup's inserts did not reach pg_stat_user_tables within 10 s");
        }

        /// <summary>A login role with the canary password: the snapshot must need nothing more than CONNECT.</summary>
        private static async Task<string> CreateReaderRoleAsync(TestDatabase database)
        {
            string role = "sm_stats_" + Guid.NewGuid().ToString("N").Substring(0, 8);
            await database.ExecuteAsync($"create role \"{role}\" login password '{Canary}'");
            return role;
        }

        private static string ReaderConnection(TestDatabase database, string role)
            => new NpgsqlConnectionStringBuilder(database.ConnectionString) { Username = role, Password = Canary, Pooling = false }.ConnectionString;

        /// <summary>Small write transactions until stopped; each commit's counts reach the statistics within about a second.</summary>
        private static async Task WriteOrdersAsync(string connectionString, CancellationToken stop)
        {
            await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
            await connection.OpenAsync();
            while (!stop.IsCancellationRequested)
            {
                await using var command = new NpgsqlCommand(
                    "insert into orders (total) select g from generate_series(1, 5) g;" +
                    "update orders set total = total + 1 where id in (select id from orders order by id limit 5);" +
                    "delete from orders where id in (select id from orders order by id desc limit 2);", connection);
                await command.ExecuteNonQueryAsync();
                try
                {
                    await Task.Delay(100, stop);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }

        private async Task DropAsync(TestDatabase database, string role)
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(_server.AdminConnectionString);
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"drop database if exists \"{database.Name}\" with (force); drop role if exists \"{role}\"", admin);
            await drop.ExecuteNonQueryAsync();
        }
    }
}
