using System;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Npgsql;
using SafeMigrations.Engine.Reporting;
using SafeMigrations.Engine.State;
using SafeMigrations.Engine.Tests.TestApp;
using Xunit.Abstractions;

namespace SafeMigrations.Engine.Tests.Runtime
{
    /// <summary>The in-app API (<c>context.Database.MigrateSafelyAsync</c> and siblings) against the real server, over the test app's ShopContext.</summary>
    [Collection(PostgresCollection.Name)]
    public sealed class InAppApiTests
    {
        private const string Initial = "20240101000000_Initial";
        private const string Hardening = "20240102000000_Hardening";
        private const string Nicknames = "20240103000000_Nicknames";

        private readonly PostgresServerFixture _server;
        private readonly ITestOutputHelper _output;

        public InAppApiTests(PostgresServerFixture server, ITestOutputHelper output)
        {
            _server = server;
            _output = output;
        }

        internal static ShopContext Context(string connectionString, ILoggerFactory? loggers = null)
        {
            var builder = new DbContextOptionsBuilder<ShopContext>().UseNpgsql(connectionString);
            if (loggers is not null)
                builder.UseLoggerFactory(loggers);
            return new ShopContext(builder.Options);
        }

        internal static SafeMigrationOptions Options(string? target = null) => new SafeMigrationOptions
        {
            TargetMigration = target,
            LockTimeout = TimeSpan.FromMilliseconds(500),
            LockRetryBackoff = TimeSpan.FromMilliseconds(50),
        };

        internal static async Task<SafeMigrationResult> MigrateAsync(string connectionString, MigrationPhase phase, SafeMigrationOptions options, ILoggerFactory? loggers = null, CancellationToken cancellationToken = default)
        {
            await using ShopContext context = Context(connectionString, loggers);
            return await context.Database.MigrateSafelyAsync(phase, options, cancellationToken);
        }

        /// <summary>The Initial migration applied through the API, then rows: a third of the customers without an email (Hardening backfills them).</summary>
        internal static async Task<TestDatabase> PopulatedAsync(PostgresServerFixture server, int customers)
        {
            TestDatabase database = await server.CreateDatabaseAsync();
            await MigrateAsync(database.ConnectionString, MigrationPhase.Expand, Options("Initial"));
            await database.ExecuteAsync($@"
insert into customers (name, email) select 'c' || g, case when g % 3 = 0 then null else 'c' || g || '@x' end from generate_series(1, {customers}) g;
insert into orders (customer_id, total) select 1 + g % {customers}, g % 500 from generate_series(1, 100) g;
analyze customers; analyze orders;");
            return database;
        }

        private static Task<string?> StateRows(TestDatabase database)
            => database.ScalarAsync<string>($"select string_agg(concat_ws('|', migration_id, step_index, step_kind, status, attempts, fingerprint, error_code), E'\\n' order by migration_id, step_index) from {SqlIdentifier.Qualify(StepStateStore.SchemaName, StepStateStore.TableName)}");

        private static Task<string?> History(TestDatabase database)
            => database.ScalarAsync<string>("select string_agg(\"MigrationId\" || '|' || \"ProductVersion\", ',' order by \"MigrationId\") from \"__EFMigrationsHistory\"");

        private static Task<string?> Columns(TestDatabase database)
            => database.ScalarAsync<string>("select string_agg(table_name || '.' || column_name || ':' || data_type || ':' || is_nullable, ',' order by table_name, column_name) from information_schema.columns where table_schema = 'public'");

        [Fact]
        public async Task Expand_then_contract_through_the_API_leaves_what_the_runner_leaves()
        {
            await using TestDatabase viaApi = await _server.CreateDatabaseAsync();
            await using TestDatabase viaRunner = await _server.CreateDatabaseAsync();

            // The runner's two processes run meanwhile, on their own database.
            Task<int[]> runner = Task.Run(() => new[] { "Expand", "Contract" }
                .Select(phase => RunnerLaunch.Run(_output, typeof(ShopContext), "apply", "--connection", viaRunner.ConnectionString, "--phase", phase).ExitCode)
                .ToArray());

            SafeMigrationResult expand = await MigrateAsync(viaApi.ConnectionString, MigrationPhase.Expand, Options());
            Assert.Equal(SafeMigrationOutcome.Completed, expand.Outcome);
            Assert.Equal(new[] { Initial, Hardening, Nicknames }, expand.AppliedMigrations);
            Assert.Empty(expand.ContractedMigrations);
            Assert.True(await viaApi.ScalarAsync<bool>("select exists (select 1 from information_schema.columns where table_name = 'orders' and column_name = 'legacy_code')"));

            SafeMigrationResult contract = await MigrateAsync(viaApi.ConnectionString, MigrationPhase.Contract, Options());
            Assert.Equal(SafeMigrationOutcome.Completed, contract.Outcome);
            Assert.Empty(contract.AppliedMigrations);
            Assert.Equal(new[] { Nicknames }, contract.ContractedMigrations);
            Assert.Equal(StepOutcome.Completed, Assert.Single(contract.Steps, s => s.Step.Phase == MigrationPhase.Contract).Outcome);

            Assert.Equal(new[] { 0, 0 }, await runner);

            string? apiState = await StateRows(viaApi);
            _output.WriteLine(apiState);
            Assert.Contains(Nicknames + "|3|drop-column|completed", apiState);
            Assert.Equal(await StateRows(viaRunner), apiState);
            Assert.Equal(await History(viaRunner), await History(viaApi));
            Assert.Equal(await Columns(viaRunner), await Columns(viaApi));
        }

        [Fact]
        public async Task Logs_under_filterable_categories_through_the_contexts_logger_factory_and_returns_what_ran()
        {
            await using TestDatabase database = await PopulatedAsync(_server, customers: 3000);
            long nulls = await database.ScalarAsync<long>("select count(*) from customers where email is null");
            var log = new CapturedLog(_output);
            string report = Path.Combine(Path.GetTempPath(), "sm-inapp-" + Guid.NewGuid().ToString("N") + ".md");
            SafeMigrationOptions options = Options("Hardening");
            options.ReportPath = report;
            options.BackfillBatchSize = 200;
            try
            {
                SafeMigrationResult result = await MigrateAsync(database.ConnectionString, MigrationPhase.Expand, options, log.Factory);

                Assert.Equal("apply", result.Command);
                Assert.Equal("Expand", result.Phase);
                Assert.Equal(SafeMigrationOutcome.Completed, result.Outcome);
                Assert.Equal(new[] { Hardening }, result.AppliedMigrations);
                Assert.All(result.Steps, s => Assert.Equal(StepOutcome.Completed, s.Outcome));
                Assert.Equal(nulls, Assert.Single(result.Steps, s => s.Step.Kind == "backfill").Rows);
                Assert.Empty(result.Findings);
                Assert.Equal(report, result.ReportPath);
                Assert.Contains("| 20240102000000_Hardening |", File.ReadAllText(report));

                Assert.Contains(Hardening + ": expand phase complete; EF history row written", log.In(SafeMigrationsLogCategories.Apply));
                Assert.Contains(log.In(SafeMigrationsLogCategories.Apply), m => m.StartsWith("SafeMigrations apply: ShopContext, 3 migration(s), phase Expand, database host=", StringComparison.Ordinal));
                // Backfill progress (one line per committed batch at most each second) has its own category, and only there.
                Assert.Contains(log.In(SafeMigrationsLogCategories.Backfill), m => m.Contains("rows visited"));
                Assert.DoesNotContain(log.In(SafeMigrationsLogCategories.Apply), m => m.Contains("rows visited"));
                Assert.All(log.Entries, e => Assert.StartsWith(SafeMigrationsLogCategories.Root + ".", e.Category));

                // Run again with the options' own logger factory: already done, and nothing goes to the context's.
                var second = new CapturedLog(_output);
                int before = log.Entries.Count;
                options.LoggerFactory = second.Factory;
                SafeMigrationResult again = await MigrateAsync(database.ConnectionString, MigrationPhase.Expand, options, log.Factory);
                Assert.Equal(SafeMigrationOutcome.NothingToDo, again.Outcome);
                Assert.Empty(again.AppliedMigrations);
                Assert.Equal(before, log.Entries.Count);
                Assert.Contains("nothing to do: the database is up to date for phase Expand", second.In(SafeMigrationsLogCategories.Apply));
            }
            finally
            {
                File.Delete(report);
            }
        }

        [Fact]
        public async Task Cancelled_mid_backfill_is_recorded_as_SM1009_and_a_rerun_finishes_without_losing_a_row()
        {
            await using TestDatabase database = await PopulatedAsync(_server, customers: 20000);
            const string rowsSql = "select count(*) || ':' || md5(string_agg(id || ':' || name, ',' order by id)) from customers";
            string? rowsBefore = await database.ScalarAsync<string>(rowsSql);
            long nulls = await database.ScalarAsync<long>("select count(*) from customers where email is null");
            using var cancel = new CancellationTokenSource();
            var log = new CapturedLog(_output)
            {
                // Cancel as soon as the first batch reports progress: mid-backfill, with batches committed.
                OnEntry = entry =>
                {
                    if (entry.Category == SafeMigrationsLogCategories.Backfill && entry.Message.Contains("rows visited"))
                        cancel.Cancel();
                },
            };
            SafeMigrationOptions slow = Options("Hardening");
            slow.BackfillBatchSize = 100;
            slow.BackfillPause = TimeSpan.FromMilliseconds(20);

            var cancelled = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => MigrateAsync(database.ConnectionString, MigrationPhase.Expand, slow, log.Factory, cancel.Token));
            Assert.StartsWith("SM1009: cancelled;", cancelled.Message);
            CapturedLog.Entry error = Assert.Single(log.Entries, e => e.Level == LogLevel.Error);
            Assert.Equal(1009, error.EventId.Id);
            Assert.Equal("SM1009", error.EventId.Name);
            Assert.Equal("failed|SM1009", await database.ScalarAsync<string>("select status || '|' || error_code from safemigrations.state where step_kind = 'backfill'"));
            long left = await database.ScalarAsync<long>("select count(*) from customers where email is null");
            Assert.True(left > 0 && left < nulls, $"{left} of {nulls} left");
            Assert.Null(await database.ScalarAsync<string>($"select \"MigrationId\" from \"__EFMigrationsHistory\" where \"MigrationId\" = '{Hardening}'"));

            await using (ShopContext context = Context(database.ConnectionString, log.Factory))
            {
                SafeMigrationResult status = await context.Database.GetSafeMigrationStatusAsync(Options());
                Assert.Equal(SafeMigrationState.PartiallyExpanded, status.Statuses.Single(s => s.MigrationId == Hardening).State);
                Assert.Contains(status.Findings, f => f.Code == EngineCodes.Cancelled && f.Message.Contains("fill NULLs of \"email\" in batches"));
            }

            SafeMigrationResult rerun = await MigrateAsync(database.ConnectionString, MigrationPhase.Expand, Options("Hardening"), log.Factory);
            Assert.Equal(new[] { Hardening }, rerun.AppliedMigrations);
            Assert.Equal(left, Assert.Single(rerun.Steps, s => s.Step.Kind == "backfill").Rows);
            Assert.Contains(log.In(SafeMigrationsLogCategories.Backfill), m => m.Contains("resuming after key"));
            Assert.Equal(0L, await database.ScalarAsync<long>("select count(*) from customers where email is null"));
            Assert.Equal(rowsBefore, await database.ScalarAsync<string>(rowsSql));
        }

        [Fact]
        public async Task Three_instances_starting_at_once_one_applies_and_the_others_wait_and_find_it_done()
        {
            await using TestDatabase database = await PopulatedAsync(_server, customers: 20000);
            var logs = Enumerable.Range(0, 3).Select(_ => new CapturedLog()).ToArray();
            SafeMigrationOptions InstanceOptions(int i)
            {
                SafeMigrationOptions options = Options("Hardening");
                // Batches slow enough that the first instance is still at work when the others ask for the lock.
                options.BackfillBatchSize = 500;
                options.BackfillPause = TimeSpan.FromMilliseconds(50);
                options.AnotherInstanceWait = TimeSpan.FromSeconds(60);
                options.AnotherInstancePollInterval = TimeSpan.FromMilliseconds(200);
                options.LoggerFactory = logs[i].Factory;
                return options;
            }

            using var start = new ManualResetEventSlim();
            Task<SafeMigrationResult>[] instances = Enumerable.Range(0, 3)
                .Select(i => Task.Run(async () =>
                {
                    start.Wait();
                    return await MigrateAsync(database.ConnectionString, MigrationPhase.Expand, InstanceOptions(i));
                }))
                .ToArray();
            start.Set();
            SafeMigrationResult[] results = await Task.WhenAll(instances);
            for (int i = 0; i < 3; i++)
                _output.WriteLine($"instance {i}: {results[i].Outcome}, applied [{string.Join(", ", results[i].AppliedMigrations)}], {results[i].Duration.TotalMilliseconds:0} ms; waited: {logs[i].In(SafeMigrationsLogCategories.Apply).Any(m => m.StartsWith("another instance is running"))}");

            SafeMigrationResult winner = Assert.Single(results, r => r.Outcome == SafeMigrationOutcome.Completed);
            Assert.Equal(new[] { Hardening }, winner.AppliedMigrations);
            Assert.All(results.Where(r => r != winner), r =>
            {
                Assert.Equal(SafeMigrationOutcome.NothingToDo, r.Outcome);
                Assert.Empty(r.AppliedMigrations);
                Assert.Empty(r.Findings);
            });
            Assert.Equal(2, logs.Count(l => l.In(SafeMigrationsLogCategories.Apply).Any(m => m.StartsWith("another instance is running on database host=") && m.EndsWith("waiting for it before apply (at most 60 s)"))));
            Assert.Equal(1L, await database.ScalarAsync<long>($"select count(*) from \"__EFMigrationsHistory\" where \"MigrationId\" = '{Hardening}'"));
            Assert.Equal(0L, await database.ScalarAsync<long>("select count(*) from customers where email is null"));
            Assert.Equal(0L, await database.ScalarAsync<long>("select count(*) from safemigrations.state where status <> 'completed'"));
        }

        [Fact]
        public async Task Another_instance_past_the_wait_returns_without_error_and_a_longer_wait_runs_after_it()
        {
            await using TestDatabase database = await PopulatedAsync(_server, customers: 100);
            ExecutorLock other = await ExecutorLock.AcquireAsync(database.ConnectionString);
            try
            {
                var log = new CapturedLog(_output);
                SafeMigrationOptions noWait = Options("Hardening");
                noWait.AnotherInstanceWait = TimeSpan.Zero;
                SafeMigrationResult skipped = await MigrateAsync(database.ConnectionString, MigrationPhase.Expand, noWait, log.Factory);
                Assert.Equal(SafeMigrationOutcome.AnotherInstanceRunning, skipped.Outcome);
                Assert.Empty(skipped.AppliedMigrations);
                CapturedLog.Entry warning = Assert.Single(log.Entries, e => e.Level == LogLevel.Warning);
                Assert.Equal("SM1005", warning.EventId.Name);
                Assert.Contains("returning without running apply here: that instance finishes the work.", warning.Message);
                Assert.Null(await database.ScalarAsync<string>($"select \"MigrationId\" from \"__EFMigrationsHistory\" where \"MigrationId\" = '{Hardening}'"));

                SafeMigrationOptions wait = Options("Hardening");
                wait.AnotherInstanceWait = TimeSpan.FromSeconds(30);
                wait.AnotherInstancePollInterval = TimeSpan.FromMilliseconds(200);
                wait.ReportPath = Path.Combine(Path.GetTempPath(), "sm-wait-" + Guid.NewGuid().ToString("N") + ".md");
                var waitLog = new CapturedLog(_output);
                Task<SafeMigrationResult> waiting = MigrateAsync(database.ConnectionString, MigrationPhase.Expand, wait, waitLog.Factory);
                await Task.Delay(1000);
                Assert.False(waiting.IsCompleted);
                await other.DisposeAsync();
                SafeMigrationResult ran = await waiting;
                File.Delete(wait.ReportPath);
                Assert.Equal(new[] { Hardening }, ran.AppliedMigrations);
                // It looked at the lock while waiting instead of starting runs that would be refused: one run, one report.
                Assert.Single(waitLog.In(SafeMigrationsLogCategories.Apply), m => m.StartsWith("report written to", StringComparison.Ordinal));
                Assert.Single(waitLog.In(SafeMigrationsLogCategories.Apply), m => m.StartsWith("another instance is running on database", StringComparison.Ordinal) && m.Contains("'SafeMigrations executor pid "));
            }
            finally
            {
                await other.DisposeAsync();
            }
        }

        [Fact]
        public async Task Runs_over_a_context_built_on_an_NpgsqlDataSource_whose_connection_is_already_open()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            await using NpgsqlDataSource dataSource = NpgsqlDataSource.Create(database.ConnectionString);
            await using var context = new ShopContext(new DbContextOptionsBuilder<ShopContext>().UseNpgsql(dataSource).Options);
            // The app already talks to the database: its connection is open (and its string may no longer show a password).
            await context.Database.OpenConnectionAsync();

            SafeMigrationResult result = await context.Database.MigrateSafelyAsync(MigrationPhase.Expand, Options("Initial"));
            Assert.Equal(new[] { Initial }, result.AppliedMigrations);
            Assert.True(await database.ScalarAsync<bool>("select to_regclass('customers') is not null"));
            Assert.Equal(System.Data.ConnectionState.Open, context.Database.GetDbConnection().State);
        }

        [Fact]
        public async Task Plan_status_and_rollback_through_the_API()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            await using ShopContext context = Context(database.ConnectionString);

            SafeMigrationResult plan = await context.Database.PlanSafeMigrationAsync(MigrationPhase.Expand, Options());
            Assert.Equal(new[] { Initial, Hardening, Nicknames }, plan.Plans.Select(p => p.Migration.Id));
            Assert.All(plan.Steps, s => Assert.Equal(StepOutcome.Planned, s.Outcome));
            Assert.False(await database.ScalarAsync<bool>("select to_regclass('customers') is not null"));

            SafeMigrationResult pending = await context.Database.GetSafeMigrationStatusAsync(Options());
            Assert.All(pending.Statuses, s => Assert.Equal(SafeMigrationState.Pending, s.State));

            await context.Database.MigrateSafelyAsync(MigrationPhase.Expand, Options());
            SafeMigrationResult expanded = await context.Database.GetSafeMigrationStatusAsync(Options());
            Assert.Equal(new[] { SafeMigrationState.Applied, SafeMigrationState.Applied, SafeMigrationState.Expanded }, expanded.Statuses.Select(s => s.State));
            Assert.Equal("20240103000000_Nicknames: Expanded (expand 2/2, contract 0/1)", expanded.Statuses[2].ToString());

            SafeMigrationResult rollback = await context.Database.RollbackSafeMigrationAsync(Options());
            Assert.Equal(SafeMigrationOutcome.Completed, rollback.Outcome);
            Assert.Equal(new[] { Nicknames }, rollback.RolledBackMigrations);
            Assert.All(rollback.Steps, s => Assert.Equal(StepOutcome.RolledBack, s.Outcome));
            Assert.False(await database.ScalarAsync<bool>("select exists (select 1 from information_schema.columns where table_name = 'customers' and column_name = 'nickname')"));
            Assert.Equal(SafeMigrationState.Pending, (await context.Database.GetSafeMigrationStatusAsync(Options())).Statuses[2].State);
        }
    }
}
