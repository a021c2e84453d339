using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Engine.Applying;
using SafeMigrations.Engine.Loading;
using SafeMigrations.Engine.Planning;
using SafeMigrations.Engine.Planning.Steps;
using SafeMigrations.Engine.Reporting;
using Xunit;
using Xunit.Abstractions;

namespace SafeMigrations.Engine.Tests.Lifecycle
{
    /// <summary>
    /// Every safe step kind through its whole lifecycle on a real server, one row per kind (pgroll's per-operation
    /// afterStart/afterRollback/afterComplete tests): after expand the catalog shows what the kind promises; a rollback
    /// puts the catalog and data back as they were (or, for a kind with no undo, refuses with SM1008 and changes nothing);
    /// a re-apply reaches the expand state again and a further apply runs nothing; the contract side, where the kind has
    /// one, shows its effect, runs nothing when repeated, and makes rollback refuse.
    /// </summary>
    [Collection(PostgresCollection.Name)]
    public sealed class StepLifecycleTests
    {
        /// <summary>The existing schema every kind's migration runs on (the app before the migration).</summary>
        public const string Setup = """
            create table customers (id bigint primary key, email text, name text);
            insert into customers select g, 'User' || g || '@X.org', 'name ' || g from generate_series(1, 300) g;
            create table orders (id bigint primary key, customer_id bigint, code text, total numeric not null, quantity integer, quantity_new bigint, placed_at timestamptz not null);
            insert into orders select g, g % 300 + 1, 'C' || g, g, g % 7, g % 7, timestamptz '2026-06-01 00:00Z' - make_interval(days => g * 10) from generate_series(1, 600) g;
            create index "IX_orders_placed_at" on orders (placed_at);
            create table tags (id bigint not null, label text);
            insert into tags select g, 't' || g from generate_series(1, 100) g;
            create table invoices (id bigint primary key, amount numeric);
            insert into invoices select g, g from generate_series(1, 50) g;
            create view receipts as select * from invoices;
            analyze;
            """;

        private readonly PostgresServerFixture _server;
        private readonly ITestOutputHelper _output;

        public StepLifecycleTests(PostgresServerFixture server, ITestOutputHelper output)
        {
            _server = server;
            _output = output;
        }

        /// <summary>
        /// A kind's row: its migration's context, the probes that must hold after expand and after contract (each runs
        /// in a transaction that is rolled back, its last statement returns a boolean), whether rollback of the expand
        /// has no undo and must refuse, whether the kind runs only in the contract phase (its expand changes nothing), and
        /// the form when a kind has two rows.
        /// </summary>
        public sealed record Lifecycle(string Kind, Type Context, Probe[] AfterExpand, bool RollbackRefuses = false, Probe[]? AfterContract = null, bool ContractOnly = false, string? Form = null)
        {
            public string Name => Form is null ? Kind : $"{Kind} ({Form})";

            public override string ToString() => Name;
        }

        /// <summary>
        /// A check against the server: statements run in order, the last one answers true when the state holds; or,
        /// made by <see cref="Rejects"/>, a write the server must refuse.
        /// </summary>
        public sealed record Probe(string Name, params string[] Statements)
        {
            /// <summary>The SQLSTATE the write must fail with, or null for a check.</summary>
            public string? RejectedWith { get; private init; }

            public static Probe Rejects(string name, string write, string sqlState) => new(name, write) { RejectedWith = sqlState };
        }

        /// <summary>What a swap promises after expand and after contract, with or without its sync trigger in the migration.</summary>
        private static readonly Probe[] SwapAfterExpand =
        {
            new Probe("replacement under the old name", "select format_type(atttypid, atttypmod) = 'bigint' from pg_attribute where attrelid = 'orders'::regclass and attname = 'quantity'"),
            new Probe("old column kept", "select format_type(atttypid, atttypmod) = 'integer' from pg_attribute where attrelid = 'orders'::regclass and attname = 'quantity_old' and not attisdropped"),
            new Probe("new app INSERT fills the old column", "insert into orders (id, customer_id, code, total, quantity, placed_at) values (9001, 1, 'X', 1, 42, now())", "select quantity_old = 42 from orders where id = 9001"),
        };

        private static readonly Probe[] SwapAfterContract =
        {
            new Probe("old column and trigger gone", "select not exists (select 1 from pg_attribute where attrelid = 'orders'::regclass and attname = 'quantity_old' and not attisdropped) and not exists (select 1 from pg_trigger where tgrelid = 'orders'::regclass and not tgisinternal)"),
        };

        private static readonly Lifecycle[] Kinds =
        {
            new(SafeMigrationSteps.CreateIndexConcurrently, typeof(LifecycleCreateIndexContext), new[]
            {
                new Probe("index valid and ready", "select indisvalid and indisready from pg_index where indexrelid = '\"IX_orders_customer\"'::regclass"),
                new Probe("index on customer_id", "select pg_get_indexdef('\"IX_orders_customer\"'::regclass) like '%(customer_id)'"),
            }),
            new(SafeMigrationSteps.DropIndexConcurrently, typeof(LifecycleDropIndexContext), new[]
            {
                new Probe("index gone", "select to_regclass('\"IX_orders_placed_at\"') is null"),
            }, RollbackRefuses: true),
            new(SafeMigrationSteps.AddForeignKeyNotValid, typeof(LifecycleForeignKeyContext), new[]
            {
                new Probe("foreign key NOT VALID", "select contype = 'f' and not convalidated from pg_constraint where conname = 'FK_orders_customers'"),
                Probe.Rejects("new orphan rejected", "insert into orders values (9001, 9999, 'X', 1, 1, 1, now())", PostgresErrorCodes.ForeignKeyViolation),
            }),
            new(SafeMigrationSteps.AddCheckConstraintNotValid, typeof(LifecycleCheckContext), new[]
            {
                new Probe("check NOT VALID", "select contype = 'c' and not convalidated from pg_constraint where conname = 'CK_orders_total'"),
                Probe.Rejects("new negative total rejected", "insert into orders values (9001, 1, 'X', -1, 1, 1, now())", PostgresErrorCodes.CheckViolation),
            }),
            new(SafeMigrationSteps.ValidateConstraint, typeof(LifecycleValidateContext), new[]
            {
                new Probe("check NOT VALID until contract", "select not convalidated from pg_constraint where conname = 'CK_orders_quantity'"),
            }, AfterContract: new[]
            {
                new Probe("check validated", "select convalidated from pg_constraint where conname = 'CK_orders_quantity'"),
            }),
            new(SafeMigrationSteps.AddUniqueConstraintUsingIndex, typeof(LifecycleUniqueContext), new[]
            {
                new Probe("unique constraint owns the valid index", "select c.contype = 'u' and i.indisvalid and i.indisunique from pg_constraint c join pg_index i on i.indexrelid = c.conindid where c.conname = 'AK_orders_code' and c.conindid = '\"AK_orders_code\"'::regclass"),
                Probe.Rejects("duplicate code rejected", "insert into orders values (9001, 1, 'C1', 1, 1, 1, now())", PostgresErrorCodes.UniqueViolation),
            }),
            new(SafeMigrationSteps.AddPrimaryKeyUsingIndex, typeof(LifecyclePrimaryKeyContext), new[]
            {
                new Probe("primary key owns the valid index", "select c.contype = 'p' and i.indisvalid and i.indisprimary from pg_constraint c join pg_index i on i.indexrelid = c.conindid where c.conname = 'PK_tags' and c.conrelid = 'tags'::regclass"),
            }),
            new(SafeMigrationSteps.SetNotNullThroughCheck, typeof(LifecycleNotNullContext), new[]
            {
                new Probe("email NOT NULL", "select attnotnull from pg_attribute where attrelid = 'customers'::regclass and attname = 'email'"),
                new Probe("helper check gone", "select not exists (select 1 from pg_constraint where conrelid = 'customers'::regclass and contype = 'c')"),
            }),
            new(SafeMigrationSteps.Backfill, typeof(LifecycleBackfillContext), new[]
            {
                new Probe("every row filled, recomputed by the server", "select count(*) = 300 and count(*) filter (where email_lower is distinct from lower(email)) = 0 from customers"),
            }),
            new(SafeMigrationSteps.DeleteInBatches, typeof(LifecycleDeleteContext), new[]
            {
                new Probe("old rows gone, the others kept", "select count(*) filter (where placed_at < timestamptz '2016-06-01 00:00Z') = 0 and count(*) = (select count(*) from generate_series(1, 600) g where timestamptz '2026-06-01 00:00Z' - make_interval(days => g * 10) >= timestamptz '2016-06-01 00:00Z') from orders"),
            }, RollbackRefuses: true),
            new(SafeMigrationSteps.CreateSyncTrigger, typeof(LifecycleSyncTriggerContext), new[]
            {
                new Probe("trigger installed", "select exists (select 1 from pg_trigger where tgrelid = 'customers'::regclass and tgname = 'sync_name_to_full_name')"),
                new Probe("rows backfilled", "select count(*) filter (where full_name is distinct from name) = 0 from customers"),
                new Probe("old app INSERT fills the new column", "insert into customers (id, email, name) values (9001, 'a@b', 'Old App')", "select full_name = 'Old App' from customers where id = 9001"),
                new Probe("new app UPDATE fills the old column", "update customers set full_name = 'New App' where id = 1", "select name = 'New App' from customers where id = 1"),
            }),
            new(SafeMigrationSteps.DropSyncTrigger, typeof(LifecycleDropSyncTriggerContext), new[]
            {
                new Probe("old app UPDATE syncs until contract", "update customers set email = 'MiXed@X.org' where id = 2", "select email_lower = 'mixed@x.org' from customers where id = 2"),
            }, AfterContract: new[]
            {
                new Probe("trigger and function gone", "select not exists (select 1 from pg_trigger where tgrelid = 'customers'::regclass and not tgisinternal) and not exists (select 1 from pg_proc where pronamespace = 'public'::regnamespace)"),
                new Probe("column kept and filled", "select count(*) filter (where email_lower is distinct from lower(email)) = 0 from customers"),
            }),
            new(SafeMigrationSteps.SwapColumns, typeof(LifecycleSwapContext), SwapAfterExpand, AfterContract: SwapAfterContract),
            new(SafeMigrationSteps.SwapColumns, typeof(LifecycleSwapAloneContext), SwapAfterExpand, RollbackRefuses: true, AfterContract: SwapAfterContract, Form: "without its sync trigger in the migration"),
            new(SafeMigrationSteps.CreateCompatibilityView, typeof(LifecycleViewContext), new[]
            {
                new Probe("table renamed, view under the old name", "select (select relkind from pg_class where oid = 'bills'::regclass) = 'r' and (select relkind from pg_class where oid = 'invoices'::regclass) = 'v'"),
                new Probe("old app INSERT through the view lands in the table", "insert into invoices values (9001, 7)", "select exists (select 1 from bills where id = 9001 and amount = 7)"),
            }, Form: "after its rename"),
            new(SafeMigrationSteps.CreateCompatibilityView, typeof(LifecycleViewAloneContext), new[]
            {
                new Probe("view over the table", "select (select relkind from pg_class where oid = 'invoice_list'::regclass) = 'v' and (select count(*) from invoice_list) = 50"),
            }, RollbackRefuses: true, Form: "alone"),
            new(SafeMigrationSteps.DropCompatibilityView, typeof(LifecycleDropViewContext), new[]
            {
                new Probe("view kept until contract", "select to_regclass('receipts') is not null"),
            }, ContractOnly: true, AfterContract: new[]
            {
                new Probe("view gone, table kept", "select to_regclass('receipts') is null and (select count(*) from invoices) = 50"),
            }),
        };

        public static IEnumerable<object[]> EveryKind() => Kinds.Select(k => new object[] { k.Name });

        [Fact]
        public void Every_safe_step_kind_has_a_row()
            => Assert.Equal(SafeStepPlans.Registered.Select(p => p.Step).OrderBy(s => s, StringComparer.Ordinal), Kinds.Select(k => k.Kind).Distinct().OrderBy(s => s, StringComparer.Ordinal));

        [Theory]
        [MemberData(nameof(EveryKind))]
        public async Task Expand_rollback_reapply_and_contract(string kind)
        {
            Lifecycle row = Kinds.Single(k => k.Name == kind);
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            await database.ExecuteAsync(Setup);
            string before = await CatalogState.ReadAsync(database);

            // afterExpand
            IReadOnlyList<StepRecord> firstExpand = await RunAsync(database, row, PhaseSelection.Expand, e => e.ApplyAsync());
            AssertRan(firstExpand, row);
            await AssertProbesAsync(database, row.AfterExpand, "after expand");
            string expanded = await CatalogState.ReadAsync(database);
            if (row.ContractOnly)
                Assert.Equal(before, expanded);
            else
                Assert.NotEqual(before, expanded);
            Assert.Equal(1L, await HistoryRowsAsync(database));

            // afterRollback
            if (row.RollbackRefuses)
            {
                var refused = await Assert.ThrowsAsync<EngineException>(() => RunAsync(database, row, PhaseSelection.Expand, e => e.RollbackAsync()));
                Assert.Equal(EngineCodes.RollbackNotPossible, refused.Code);
                Assert.Contains("nothing was rolled back", refused.Message);
                Assert.Equal(expanded, await CatalogState.ReadAsync(database));
                Assert.Equal(1L, await HistoryRowsAsync(database));
            }
            else
            {
                await RunAsync(database, row, PhaseSelection.Expand, e => e.RollbackAsync());
                Assert.Equal(before, await CatalogState.ReadAsync(database));
                Assert.Equal(0L, await HistoryRowsAsync(database));
                Assert.Equal(0L, await database.ScalarAsync<long>("select count(*) from safemigrations.state"));

                // afterReapply: the same state as the first expand.
                AssertRan(await RunAsync(database, row, PhaseSelection.Expand, e => e.ApplyAsync()), row);
                await AssertProbesAsync(database, row.AfterExpand, "after re-apply");
                Assert.Equal(expanded, await CatalogState.ReadAsync(database));
            }

            // A further apply has nothing left to do: no step runs, so no step's state row is touched.
            string recorded = await StateRowsAsync(database);
            AssertNothingRan(await RunAsync(database, row, PhaseSelection.Expand, e => e.ApplyAsync()));
            Assert.Equal(recorded, await StateRowsAsync(database));
            Assert.Equal(expanded, await CatalogState.ReadAsync(database));

            // afterRecordLost: the process died after a step's commit and before its record, the step left 'running'. Only
            // steps outside a transaction (concurrent builds, batches) have that gap: a step in its own transaction
            // records its completion in that transaction. A rerun gets to the same state, the step found in place or run again.
            foreach (int index in firstExpand.Where(r => r.Step.Transaction != StepTransaction.Own).Select(r => r.Step.Index))
            {
                await using TestDatabase crashed = await _server.CreateDatabaseAsync();
                await crashed.ExecuteAsync(Setup);
                await Assert.ThrowsAsync<EngineException>(() => RunAsync(crashed, row, PhaseSelection.Expand, e => e.ApplyAsync(), new DiesAfterStep(index)));
                await crashed.ExecuteAsync($"update safemigrations.state set status = 'running', finished_at = null, error = null where step_index = {index}");
                IReadOnlyList<StepRecord> resumed = await RunAsync(crashed, row, PhaseSelection.Expand, e => e.ApplyAsync());
                Assert.All(resumed.Where(r => r.Step.Index < index), r => Assert.Equal(StepOutcome.AlreadyCompleted, r.Outcome));
                Assert.Contains(Assert.Single(resumed, r => r.Step.Index == index).Outcome, new[] { StepOutcome.AlreadyInPlace, StepOutcome.Completed });
                Assert.All(resumed.Where(r => r.Step.Index > index), r => Assert.Equal(StepOutcome.Completed, r.Outcome));
                Assert.Equal(expanded, await CatalogState.ReadAsync(crashed));
                Assert.Equal(1L, await HistoryRowsAsync(crashed));
            }

            if (row.AfterContract is null)
                return;

            // afterContract, then the contract again (nothing runs) and a rollback (refused: the point of no return).
            IReadOnlyList<StepRecord> contract = await RunAsync(database, row, PhaseSelection.Contract, e => e.ApplyAsync());
            Assert.Contains(contract, r => r.Outcome == StepOutcome.Completed);
            await AssertProbesAsync(database, row.AfterContract, "after contract");
            string contracted = await CatalogState.ReadAsync(database);
            recorded = await StateRowsAsync(database);
            AssertNothingRan(await RunAsync(database, row, PhaseSelection.Contract, e => e.ApplyAsync()));
            Assert.Equal(recorded, await StateRowsAsync(database));
            var afterContract = await Assert.ThrowsAsync<EngineException>(() => RunAsync(database, row, PhaseSelection.Expand, e => e.RollbackAsync()));
            Assert.Equal(EngineCodes.RollbackNotPossible, afterContract.Code);
            Assert.Equal(contracted, await CatalogState.ReadAsync(database));
        }

        /// <summary>Every expand step ran (none was skipped as done, none failed).</summary>
        private static void AssertRan(IReadOnlyList<StepRecord> records, Lifecycle row)
        {
            Assert.All(records, r => Assert.Equal(StepOutcome.Completed, r.Outcome));
            Assert.Equal(!row.ContractOnly, records.Count > 0);
        }

        private static void AssertNothingRan(IReadOnlyList<StepRecord> records)
            => Assert.All(records, r => Assert.Equal(StepOutcome.AlreadyCompleted, r.Outcome));

        private async Task<IReadOnlyList<StepRecord>> RunAsync(TestDatabase database, Lifecycle row, PhaseSelection phase, Func<MigrationEngine, Task> command, IStepObserver? observer = null)
        {
            using var catalog = new MigrationCatalog(DbContextLoader.Create(row.Context.Assembly, row.Context.Name, database.ConnectionString));
            var engine = new MigrationEngine(catalog, new EngineOptions
            {
                ConnectionString = database.ConnectionString,
                Phase = phase,
                Log = new EngineApplyTests.TestLog(_output),
                LockTimeout = TimeSpan.FromMilliseconds(500),
                StepObserver = observer,
            });
            await command(engine);
            return engine.Records;
        }

        /// <summary>The engine's step records, with their attempts and times: a step that runs again changes its row.</summary>
        private static async Task<string> StateRowsAsync(TestDatabase database)
            => await database.ScalarAsync<string>("select string_agg(concat_ws(' ', migration_id, step_index, status, attempts, started_at, finished_at), '\n' order by migration_id, step_index) from safemigrations.state") ?? string.Empty;

        private static async Task<long> HistoryRowsAsync(TestDatabase database)
            => await database.ScalarAsync<long>("select count(*) from \"__EFMigrationsHistory\"");

        /// <summary>Runs each probe in a transaction that is rolled back, so probes that write leave no trace.</summary>
        private static async Task AssertProbesAsync(TestDatabase database, IEnumerable<Probe> probes, string when)
        {
            await using NpgsqlConnection connection = await database.OpenAsync();
            foreach (Probe probe in probes)
            {
                await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync();
                object? answer = null;
                PostgresException? error = null;
                try
                {
                    foreach (string statement in probe.Statements)
                    {
                        await using var command = new NpgsqlCommand(statement, connection, transaction);
                        answer = await command.ExecuteScalarAsync();
                    }
                }
                catch (PostgresException rejected)
                {
                    error = rejected;
                }
                await transaction.RollbackAsync();

                if (probe.RejectedWith is not null)
                    Assert.True(error?.SqlState == probe.RejectedWith, $"{when}: {probe.Name}: got {(error is null ? "the write accepted" : error.SqlState + ": " + error.MessageText)}");
                else
                    Assert.True(error is null && answer is true, $"{when}: {probe.Name}: got {(error is null ? answer?.ToString() ?? "no row" : error.SqlState + ": " + error.MessageText)}");
            }
        }
    
        /// <summary>Stops the run right after step <c>index</c> committed, before the engine records it done.</summary>
        private sealed class DiesAfterStep : IStepObserver
        {
            private readonly int _index;

            public DiesAfterStep(int index) => _index = index;

            public Task BeforeStepAsync(PlanStep step, NpgsqlConnection connection, CancellationToken cancellationToken) => Task.CompletedTask;

            public Task BeforeCommitAsync(PlanStep step, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken) => Task.CompletedTask;

            public Task AfterStepAsync(PlanStep step, NpgsqlConnection connection, Exception? failure, CancellationToken cancellationToken)
                => failure is null && step.Index == _index ? throw new InvalidOperationException("the process died after step " + _index + " committed") : Task.CompletedTask;
        }
    }
}
