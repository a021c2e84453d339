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
    /// <summary>Migrations written with the runtime library's safe steps run as their annotations say.</summary>
    [Collection(PostgresCollection.Name)]
    public sealed class SafeStepTests
    {
        private readonly PostgresServerFixture _server;
        private readonly ITestOutputHelper _output;

        public SafeStepTests(PostgresServerFixture server, ITestOutputHelper output)
        {
            _server = server;
            _output = output;
        }

        private (MigrationEngine Engine, MigrationCatalog Catalog) Engine(string connectionString, PhaseSelection phase = PhaseSelection.Expand, string? target = null)
        {
            var catalog = new MigrationCatalog(DbContextLoader.Create(typeof(AccountsContext).Assembly, nameof(AccountsContext), connectionString));
            var options = new EngineOptions { ConnectionString = connectionString, Phase = phase, Target = target, Log = new EngineApplyTests.TestLog(_output), LockTimeout = TimeSpan.FromMilliseconds(500) };
            return (new MigrationEngine(catalog, options), catalog);
        }

        [Fact]
        public void Several_contexts_need_a_name()
        {
            var failure = Assert.Throws<EngineException>(() => DbContextLoader.FindContextType(typeof(AccountsContext).Assembly, null));
            Assert.Equal(EngineCodes.NotFound, failure.Code);
            Assert.Contains(typeof(AccountsContext).FullName!, failure.Message);
            Assert.Contains(typeof(ShopContext).FullName!, failure.Message);
        }

        [Fact]
        public void Annotated_steps_are_planned_as_their_annotations_say()
        {
            var (engine, catalog) = Engine("Host=localhost");
            using (catalog)
            {
                MigrationPlan plan = engine.Plan(catalog.Find("EmailLower"));
                foreach (PlanStep step in plan.Steps)
                    _output.WriteLine($"{step.Index} {step.Phase} {step.Kind} {step.Transaction} {step.SafeStep} undo={step.UndoSql ?? (step.NoUndoNeeded ? "(none needed)" : "NONE")}");
                Assert.Equal(StepTransaction.Batched, plan.Steps.Single(s => s.SafeStep == SafeMigrationSteps.Backfill).Transaction);
                Assert.Equal(StepTransaction.None, plan.Steps.Single(s => s.SafeStep == SafeMigrationSteps.CreateIndexConcurrently).Transaction);
                Assert.All(plan.Steps.Where(s => s.Kind == "validate-constraint"), s => Assert.Equal(StepTransaction.Own, s.Transaction));
                Assert.Equal(MigrationPhase.Contract, plan.Steps.Last().Phase);
                Assert.All(plan.ExpandSteps, s => Assert.True(s.UndoSql is not null || s.NoUndoNeeded, s.Name + " has no undo"));
            }
        }

        [Fact]
        public async Task Annotated_steps_apply_with_a_writer_and_roll_back()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            var (initial, c0) = Engine(database.ConnectionString, target: "Accounts");
            using (c0)
                await initial.ApplyAsync();
            await database.ExecuteAsync("insert into accounts (email, balance) select 'User' || g || '@X.org', g % 100 from generate_series(1, 20000) g; analyze accounts;");

            await using NpgsqlConnection writer = await database.OpenAsync();
            var stop = new System.Threading.CancellationTokenSource();
            int errors = 0;
            Task writing = Task.Run(async () =>
            {
                var random = new Random(5);
                while (!stop.IsCancellationRequested)
                {
                    try
                    {
                        await using var command = new NpgsqlCommand("update accounts set email = 'New' || $1 || '@X.org' where id = $1", writer) { Parameters = { new() { Value = (long)random.Next(1, 20000) } } };
                        await command.ExecuteNonQueryAsync();
                        await using var insert = new NpgsqlCommand("insert into accounts (email, balance) values ('Fresh@X.org', 1)", writer);
                        await insert.ExecuteNonQueryAsync();
                    }
                    catch (NpgsqlException exception)
                    {
                        errors++;
                        _output.WriteLine("writer: " + exception.Message);
                    }
                    await Task.Delay(2);
                }
            });

            var (engine, catalog) = Engine(database.ConnectionString);
            using (catalog)
                await engine.ApplyAsync();
            stop.Cancel();
            await writing;

            Assert.Equal(0, errors);
            Assert.Equal(0L, await database.ScalarAsync<long>("select count(*) from accounts where email_lower is distinct from lower(email)"));
            Assert.True(await database.ScalarAsync<bool>("select attnotnull from pg_attribute where attrelid = 'accounts'::regclass and attname = 'email_lower'"));
            Assert.True(await database.ScalarAsync<bool>("select indisvalid from pg_index where indexrelid = '\"IX_accounts_email_lower\"'::regclass"));
            Assert.True(await database.ScalarAsync<bool>("select convalidated from pg_constraint where conname = 'CK_accounts_balance'"));
            Assert.True(await database.ScalarAsync<bool>("select exists (select 1 from pg_trigger where tgrelid = 'accounts'::regclass and not tgisinternal)"), "the sync trigger waits for the contract phase");

            var (rollback, c2) = Engine(database.ConnectionString);
            using (c2)
                await rollback.RollbackAsync();
            Assert.False(await database.ScalarAsync<bool>("select exists (select 1 from pg_attribute where attrelid = 'accounts'::regclass and attname = 'email_lower' and not attisdropped)"));
            Assert.False(await database.ScalarAsync<bool>("select exists (select 1 from pg_trigger where tgrelid = 'accounts'::regclass and not tgisinternal)"));
            Assert.Equal(0L, await database.ScalarAsync<long>("select count(*) from pg_constraint where conname = 'CK_accounts_balance'"));
            Assert.Equal(1L, await database.ScalarAsync<long>("select count(*) from \"__EFMigrationsHistory\""));

            var (all, c3) = Engine(database.ConnectionString, PhaseSelection.All);
            using (c3)
                await all.ApplyAsync();
            Assert.False(await database.ScalarAsync<bool>("select exists (select 1 from pg_trigger where tgrelid = 'accounts'::regclass and not tgisinternal)"), "contract dropped the sync trigger");
            Assert.Equal(0L, await database.ScalarAsync<long>("select count(*) from accounts where email_lower is distinct from lower(email)"));
        }
    }
}
