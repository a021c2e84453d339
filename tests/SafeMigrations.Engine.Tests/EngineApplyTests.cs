using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using SafeMigrations.Engine.Applying;
using SafeMigrations.Engine.Loading;
using SafeMigrations.Engine.Planning;
using SafeMigrations.Engine.Reporting;
using SafeMigrations.Engine.Tests.TestApp;
using Xunit.Abstractions;

namespace SafeMigrations.Engine.Tests
{
    [Collection(PostgresCollection.Name)]
    public sealed class EngineApplyTests
    {
        private readonly PostgresServerFixture _server;
        private readonly ITestOutputHelper _output;

        public EngineApplyTests(PostgresServerFixture server, ITestOutputHelper output)
        {
            _server = server;
            _output = output;
        }

        private MigrationCatalog Load(string connectionString)
            => new MigrationCatalog(DbContextLoader.Create(typeof(ShopContext).Assembly, nameof(ShopContext), connectionString));

        private (MigrationEngine Engine, MigrationCatalog Catalog, TestLog Log) Engine(string connectionString, PhaseSelection phase = PhaseSelection.Expand, string? target = null, Action<EngineOptions>? configure = null)
        {
            var log = new TestLog(_output);
            var options = new EngineOptions { ConnectionString = connectionString, Phase = phase, Target = target, Log = log, LockTimeout = TimeSpan.FromMilliseconds(500), InitialBackoff = TimeSpan.FromMilliseconds(50) };
            configure?.Invoke(options);
            MigrationCatalog catalog = Load(connectionString);
            return (new MigrationEngine(catalog, options), catalog, log);
        }

        private async Task<TestDatabase> PopulatedAsync(int customers = 2000, int orders = 50000)
        {
            TestDatabase database = await _server.CreateDatabaseAsync();
            var (engine, catalog, _) = Engine(database.ConnectionString, target: "Initial");
            using (catalog)
                await engine.ApplyAsync();
            await database.ExecuteAsync($@"
insert into customers (name, email) select 'c' || g, case when g % 3 = 0 then null else 'c' || g || '@x' end from generate_series(1, {customers}) g;
insert into orders (customer_id, total) select 1 + g % {customers}, g % 500 from generate_series(1, {orders}) g;
analyze customers; analyze orders;");
            return database;
        }

        [Fact]
        public void Plan_rewrites_plain_operations_into_safe_steps()
        {
            using MigrationCatalog catalog = Load("Host=localhost");
            var planner = new MigrationPlanner(catalog);
            MigrationPlan plan = planner.Plan(catalog.Find("Hardening"));
            foreach (PlanStep step in plan.Steps)
                _output.WriteLine($"{step.Index} {step.Kind} {step.Transaction} | {step.Sql} | {step.Lock}");

            string[] kinds = plan.Steps.Select(s => s.Kind).ToArray();
            Assert.Equal(new[]
            {
                "create-index-concurrently", "drop-index-concurrently",
                "add-constraint-not-valid", "validate-constraint",
                "add-constraint-not-valid", "validate-constraint",
                "backfill", "add-constraint-not-valid", "validate-constraint", "set-not-null", "drop-constraint",
                "create-index-concurrently", "add-constraint-using-index",
            }, kinds.Where(k => k != "alter-column").ToArray());
            Assert.Contains("CREATE INDEX CONCURRENTLY", plan.Steps[0].Sql);
            Assert.Equal(StepTransaction.None, plan.Steps[0].Transaction);
            Assert.Equal("DROP INDEX CONCURRENTLY IF EXISTS \"IX_customers_email_initial\";", plan.Steps[1].Sql);
            Assert.EndsWith("ON DELETE CASCADE NOT VALID;", plan.Steps[2].Sql);
            Assert.Contains("CHECK (total >= 0) NOT VALID", plan.Steps[4].Sql);
            PlanStep backfill = plan.Steps.Single(s => s.Kind == "backfill");
            Assert.Equal(StepTransaction.Batched, backfill.Transaction);
            Assert.Equal("email IS NULL", backfill.Backfill!.Where);
            Assert.Contains("UNIQUE USING INDEX \"AK_customers_name\"", plan.Steps.Last().Sql);
            Assert.All(plan.Steps, s => Assert.Equal(MigrationPhase.Expand, s.Phase));
            Assert.All(plan.Steps.Where(s => s.Kind != "alter-column"), s => Assert.NotNull(s.VerificationSql));
            Assert.All(plan.Steps, s => Assert.Null(s.Warning));

            // Tables created by the same migration need none of it.
            MigrationPlan initial = planner.Plan(catalog.Find("Initial"));
            Assert.Equal(new[] { "create-table", "create-table", "create-index" }, initial.Steps.Select(s => s.Kind).ToArray());

            MigrationPlan nicknames = planner.Plan(catalog.Find("20240103000000_Nicknames"));
            Assert.Equal(new[] { MigrationPhase.Expand, MigrationPhase.Expand, MigrationPhase.Contract }, nicknames.Steps.Select(s => s.Phase).ToArray());
        }

        [Fact]
        public async Task Apply_on_a_populated_table_with_a_writer_then_EF_agrees()
        {
            await using TestDatabase database = await PopulatedAsync();
            string? before = await Fingerprint(database);
            await using var writer = ConcurrentWriter.Start(database.ConnectionString, seed: 3, OrdersWorkload);
            var (engine, catalog, log) = Engine(database.ConnectionString, PhaseSelection.All, target: "Hardening");
            var clock = Stopwatch.StartNew();
            using (catalog)
                await engine.ApplyAsync();
            var (operations, errors, maxStallMs) = await writer.TakeAsync();
            _output.WriteLine($"apply took {clock.ElapsedMilliseconds} ms; writer: {operations} operations, slowest {maxStallMs:0} ms, {errors.Count} errors");

            Assert.Empty(errors);
            Assert.True(operations > 0);
            Assert.DoesNotContain(engine.Records, r => r.Outcome == StepOutcome.Failed);
            Assert.All(engine.Records.Where(r => r.Step.VerificationSql is not null), r => Assert.True(r.Verified));

            // End schema = what EF would have made.
            Assert.True(await database.ScalarAsync<bool>("select indisvalid from pg_index where indexrelid = '\"IX_orders_total\"'::regclass"));
            Assert.True(await database.ScalarAsync<bool>("select to_regclass('\"IX_customers_email_initial\"') is null"));
            Assert.True(await database.ScalarAsync<bool>("select convalidated from pg_constraint where conname = 'FK_orders_customers_customer_id'"));
            Assert.True(await database.ScalarAsync<bool>("select convalidated from pg_constraint where conname = 'CK_orders_total_positive'"));
            Assert.True(await database.ScalarAsync<bool>("select attnotnull from pg_attribute where attrelid = 'customers'::regclass and attname = 'email'"));
            Assert.Equal(0L, await database.ScalarAsync<long>("select count(*) from pg_constraint where conname like 'CK_customers_email%'"));
            Assert.Equal("u", await database.ScalarAsync<string>("select contype::text from pg_constraint where conname = 'AK_customers_name'"));
            Assert.Equal(0L, await database.ScalarAsync<long>("select count(*) from customers where email is null"));
            // Data equal: the customers' names/emails, with NULL emails now ''.
            Assert.Equal(before, await Fingerprint(database));

            // EF agrees: nothing pending, Migrate() is a no-op up to the target.
            await using var context = (ShopContext)DbContextLoader.Create(typeof(ShopContext).Assembly, nameof(ShopContext), database.ConnectionString);
            Assert.Equal(new[] { "20240103000000_Nicknames" }, context.Database.GetPendingMigrations().ToArray());
            Assert.Equal(new[] { "20240101000000_Initial", "20240102000000_Hardening" }, context.Database.GetAppliedMigrations().ToArray());
            context.Database.Migrate("20240102000000_Hardening");
            Assert.Equal(2L, await database.ScalarAsync<long>("select count(*) from \"__EFMigrationsHistory\""));
        }

        private static Task<string?> Fingerprint(TestDatabase database)
            => database.ScalarAsync<string>("select md5(string_agg(id || ':' || name || ':' || coalesce(email, ''), ',' order by id)) from customers");

        [Fact]
        public async Task Resumes_a_cancelled_backfill_without_redoing_batches()
        {
            await using TestDatabase database = await PopulatedAsync(customers: 30000, orders: 10);
            long nulls = await database.ScalarAsync<long>("select count(*) from customers where email is null");
            using var cancel = new CancellationTokenSource();
            int batches = 0;
            void SmallBatches(EngineOptions options) => options.ConfigureBackfill = backfill =>
            {
                backfill.InitialBatchSize = backfill.MinBatchSize = backfill.MaxBatchSize = 1000;
                Action<Backfill.BackfillProgress>? inner = backfill.Progress;
                backfill.Progress = progress =>
                {
                    inner?.Invoke(progress);
                    if (++batches == 5)
                        cancel.Cancel();
                };
            };

            var (first, catalog1, _) = Engine(database.ConnectionString, target: "Hardening", configure: SmallBatches);
            using (catalog1)
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first.ApplyAsync(cancel.Token));
            long leftAfterCrash = await database.ScalarAsync<long>("select count(*) from customers where email is null");
            Assert.True(leftAfterCrash > 0 && leftAfterCrash < nulls, $"{leftAfterCrash} of {nulls} left");
            Assert.Equal(0L, await database.ScalarAsync<long>("select count(*) from \"__EFMigrationsHistory\" where \"MigrationId\" like '%Hardening'"));

            var (second, catalog2, log) = Engine(database.ConnectionString, target: "Hardening");
            using (catalog2)
                await second.ApplyAsync();
            StepRecord backfill = second.Records.Single(r => r.Step.Kind == "backfill");
            Assert.Equal(leftAfterCrash, backfill.Rows);
            Assert.All(second.Records.Where(r => r.Step.Index < backfill.Step.Index), r => Assert.Equal(StepOutcome.AlreadyCompleted, r.Outcome));
            Assert.Contains(log.Lines, l => l.Contains("resuming after key"));
            Assert.Equal(0L, await database.ScalarAsync<long>("select count(*) from customers where email is null"));
            Assert.Equal(1L, await database.ScalarAsync<long>("select count(*) from \"__EFMigrationsHistory\" where \"MigrationId\" like '%Hardening'"));
        }

        [Fact]
        public async Task Retries_behind_a_transaction_holding_a_conflicting_lock()
        {
            await using TestDatabase database = await PopulatedAsync(customers: 100, orders: 100);
            var (hardening, c1, _) = Engine(database.ConnectionString, target: "Hardening");
            using (c1)
                await hardening.ApplyAsync();

            // A reader in a long transaction: ADD COLUMN's ACCESS EXCLUSIVE request must not queue behind it (and block
            // everyone after it); it times out, backs off and retries until the reader is gone.
            await using NpgsqlConnection holder = await database.OpenAsync();
            await using NpgsqlTransaction transaction = await holder.BeginTransactionAsync();
            await using (var command = new NpgsqlCommand("select count(*) from customers", holder, transaction))
                await command.ExecuteScalarAsync();
            Task release = Task.Run(async () =>
            {
                await Task.Delay(1500);
                await transaction.RollbackAsync();
            });

            var (engine, catalog, log) = Engine(database.ConnectionString, configure: o => o.LockTimeout = TimeSpan.FromMilliseconds(200));
            using (catalog)
                await engine.ApplyAsync();
            await release;
            StepRecord addColumn = engine.Records.First(r => r.Step.Kind == "add-column");
            Assert.True(addColumn.Retries > 0, "expected lock retries");
            Assert.Equal(StepOutcome.Completed, addColumn.Outcome);
            Assert.Contains(log.Lines, l => l.StartsWith("progress: ") && l.Contains("timed out waiting for a lock"));
        }

        [Fact]
        public async Task Expand_contract_and_rollback_round_trip()
        {
            await using TestDatabase database = await PopulatedAsync(customers: 100, orders: 100);
            var (expand, c1, _) = Engine(database.ConnectionString);
            using (c1)
                await expand.ApplyAsync();
            Assert.True(await database.ScalarAsync<bool>("select to_regclass('\"IX_customers_nickname\"') is not null"));
            Assert.True(await database.ScalarAsync<bool>("select exists (select 1 from information_schema.columns where table_name = 'orders' and column_name = 'legacy_code')"));
            Assert.Equal(3L, await database.ScalarAsync<long>("select count(*) from \"__EFMigrationsHistory\""));

            var (rollback, c2, _) = Engine(database.ConnectionString);
            using (c2)
                await rollback.RollbackAsync();
            Assert.False(await database.ScalarAsync<bool>("select exists (select 1 from information_schema.columns where table_name = 'customers' and column_name = 'nickname')"));
            Assert.True(await database.ScalarAsync<bool>("select to_regclass('\"IX_customers_nickname\"') is null"));
            Assert.Equal(2L, await database.ScalarAsync<long>("select count(*) from \"__EFMigrationsHistory\""));

            var (again, c3, _) = Engine(database.ConnectionString, PhaseSelection.All);
            using (c3)
                await again.ApplyAsync();
            Assert.False(await database.ScalarAsync<bool>("select exists (select 1 from information_schema.columns where table_name = 'orders' and column_name = 'legacy_code')"));

            var (refused, c4, _) = Engine(database.ConnectionString);
            using (c4)
            {
                var failure = await Assert.ThrowsAsync<EngineException>(() => refused.RollbackAsync());
                Assert.Equal(EngineCodes.RollbackNotPossible, failure.Code);
            }
        }

        internal sealed class TestLog : IEngineLog
        {
            private readonly ITestOutputHelper _output;

            public TestLog(ITestOutputHelper output) => _output = output;

            public ConcurrentQueue<string> Lines { get; } = new();

            public void Write(EngineMessageLevel level, string? code, string message)
            {
                string line = level.ToString().ToLowerInvariant().Replace("warning", "warn") + ": " + (code is null ? string.Empty : code + ": ") + message;
                Lines.Enqueue(line);
                _output.WriteLine(line);
            }
        }

        /// <summary>An app writing orders all the time: inserts, updates and lookups in turn.</summary>
        private static NpgsqlCommand OrdersWorkload(NpgsqlConnection connection, Random random, long operations) => (operations % 3) switch
        {
            0 => new NpgsqlCommand("insert into orders (customer_id, total) values ($1, $2)", connection) { Parameters = { new() { Value = (long)random.Next(1, 1000) }, new() { Value = random.Next(500) } } },
            1 => new NpgsqlCommand("update orders set total = total + 1 where id = $1", connection) { Parameters = { new() { Value = (long)random.Next(1, 50000) } } },
            _ => new NpgsqlCommand("select count(*) from orders where customer_id = $1", connection) { Parameters = { new() { Value = (long)random.Next(1, 1000) } } },
        };
    }
}
