using System;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Engine.Reporting;
using Xunit.Abstractions;

namespace SafeMigrations.Engine.Tests.Faults
{
    /// <summary>A network stall in the middle of a backfill batch: bounded stop, locks released, exact rerun.</summary>
    [Collection(PostgresCollection.Name)]
    public sealed class SessionStallTests
    {
        private readonly PostgresServerFixture _server;
        private readonly ITestOutputHelper _output;

        public SessionStallTests(PostgresServerFixture server, ITestOutputHelper output)
        {
            _server = server;
            _output = output;
        }

        [Fact]
        public async Task A_stall_mid_batch_stops_the_run_with_a_coded_error_and_the_server_releases_the_row_locks()
        {
            await using TestDatabase database = await SessionFaultDatabase.CreateAsync(_server, _output);
            string? expected = await SessionFaultDatabase.ExpectedAfterBackfillAsync(database);
            await using var proxy = SessionStallProxy.Start(database.ConnectionString);
            // The third batch's UPDATE reaches the server, which runs it and takes its row locks; then the path stalls.
            proxy.FreezeOn(message => message.Contains("UPDATE ") && message.Contains("customers\" SET"), occurrence: 3);
            TimeSpan statementTimeout = TimeSpan.FromSeconds(3);
            var (engine, catalog) = SessionFaultDatabase.Engine(proxy.Through(database.ConnectionString), _output, "Hardening", options =>
            {
                options.StatementTimeout = statementTimeout;
                options.IdleInTransactionTimeout = TimeSpan.FromSeconds(5);
                options.ConfigureBackfill = backfill => backfill.InitialBatchSize = backfill.MinBatchSize = backfill.MaxBatchSize = 1000;
            });
            Task apply;
            using (catalog)
            {
                apply = engine.ApplyAsync();
                Task first = await Task.WhenAny(proxy.Frozen, apply, Task.Delay(TimeSpan.FromSeconds(60)));
                Assert.True(first == proxy.Frozen, "the stall never happened: " + (apply.IsFaulted ? apply.Exception!.ToString() : "apply still running or done"));
                var sinceStall = Stopwatch.StartNew();

                // The stall holds a transaction open on the server, with the batch's row locks.
                string? state = null;
                for (int i = 0; i < 80 && state != "idle in transaction"; i++)
                {
                    state = await ExecutorStateAsync(database);
                    await Task.Delay(50);
                }
                Assert.Equal("idle in transaction", state);

                // The application updates every customer, the locked batch included: it waits, then gets through
                // once the server has ended the stalled transaction.
                var app = Stopwatch.StartNew();
                await database.ExecuteAsync("set statement_timeout = '20s'; update customers set name = name");
                TimeSpan appWaited = app.Elapsed;
                _output.WriteLine($"app update of the locked rows went through after {appWaited.TotalMilliseconds:0} ms");

                EngineException failure = await Assert.ThrowsAsync<EngineException>(() => apply);
                TimeSpan stopped = sinceStall.Elapsed;
                _output.WriteLine($"engine stopped {stopped.TotalMilliseconds:0} ms after the stall: {failure.Code}: {failure.Message}");
                Assert.Equal(EngineCodes.StepFailed, failure.Code);
                Assert.StartsWith("20240102000000_Hardening step ", failure.Message);
                Assert.Contains("no answer from the server within the statement timeout of 3 s", failure.Message);
                // Bounded: the statement timeout plus Npgsql's cancellation wait (2 s), with room for a slow machine.
                Assert.True(stopped < statementTimeout + TimeSpan.FromSeconds(12), $"stopped after {stopped}");
                Assert.True(appWaited < TimeSpan.FromSeconds(15), $"the app waited {appWaited} for the stalled batch's row locks");
            }

            // The stalled session is gone from the server.
            for (int i = 0; i < 100 && await ExecutorStateAsync(database) is not null; i++)
                await Task.Delay(100);
            Assert.Null(await ExecutorStateAsync(database));

            // A rerun (the network is back) finishes; every row is right, none lost.
            var (rerun, catalog2) = SessionFaultDatabase.Engine(database.ConnectionString, _output, "Hardening");
            using (catalog2)
                await rerun.ApplyAsync();
            Assert.Equal(0L, await database.ScalarAsync<long>("select count(*) from customers where email is null"));
            Assert.Equal(expected, await SessionFaultDatabase.ActualAsync(database));
            Assert.Equal(1L, await database.ScalarAsync<long>("select count(*) from \"__EFMigrationsHistory\" where \"MigrationId\" like '%Hardening'"));
        }

        private static Task<string?> ExecutorStateAsync(TestDatabase database)
            => database.ScalarAsync<string>($"select state from pg_stat_activity where datname = '{database.Name}' and application_name like 'SafeMigrations executor%' limit 1");
    }
}
