using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Operations;
using SafeMigrations.Engine.Applying;
using SafeMigrations.Engine.Backfill;
using SafeMigrations.Engine.Loading;
using SafeMigrations.Engine.Planning;
using SafeMigrations.Engine.Reporting;
using SafeMigrations.Engine.Tests.TestApp;
using SafeMigrations.Engine.Verifying;
using SafeMigrations.Sql;
using SafeMigrations.Sql.Rules;
using SafeMigrations.Testing.RuntimeSql;
using Xunit.Abstractions;

namespace SafeMigrations.Engine.Tests
{
    /// <summary>
    /// SQL only the engine sees (an embedded resource, a file, a helper, interpolation) gets the analyzers' rules at plan
    /// time, the safe rewrites where the end state is provably the same, and SM1015 from verify where it is not.
    /// The analyzer side of the same SQL: Analyzers.Tests RuntimeSqlParityTests.
    /// </summary>
    [Collection(PostgresCollection.Name)]
    public sealed class RuntimeSqlTests
    {
        /// <summary>Rows every data test starts from: some statuses NULL, some test accounts, some regions NULL.</summary>
        private const string Seed = @"INSERT INTO accounts (email, status, score, region)
SELECT g || CASE WHEN g % 10 = 0 THEN '@example.test' ELSE '@shop.test' END,
       CASE WHEN g % 3 = 0 THEN NULL ELSE 'trial' END, g % 100, CASE WHEN g % 4 = 0 THEN NULL ELSE 'us' END
FROM generate_series(1, {0}) g";

        private readonly PostgresServerFixture _server;
        private readonly ITestOutputHelper _output;

        public RuntimeSqlTests(PostgresServerFixture server, ITestOutputHelper output)
        {
            _server = server;
            _output = output;
        }

        private (MigrationEngine Engine, MigrationCatalog Catalog, EngineApplyTests.TestLog Log) Engine(string connectionString, string? target = null, Action<EngineOptions>? configure = null)
        {
            var log = new EngineApplyTests.TestLog(_output);
            var catalog = new MigrationCatalog(DbContextLoader.Create(typeof(RuntimeSqlContext).Assembly, nameof(RuntimeSqlContext), connectionString));
            var options = new EngineOptions { ConnectionString = connectionString, Target = target, Log = log, LockTimeout = TimeSpan.FromMilliseconds(500), InitialBackoff = TimeSpan.FromMilliseconds(50) };
            configure?.Invoke(options);
            return (new MigrationEngine(catalog, options), catalog, log);
        }

        [Fact]
        public async Task Plan_judges_run_time_SQL_with_the_analyzer_rules_and_names_the_rule_of_each_rewritten_or_reported_step()
        {
            var (engine, catalog, log) = Engine("Host=localhost", configure: o => o.ConnectionString = string.Empty);
            using (catalog)
            {
                foreach (RuntimeSqlCases.Case @case in RuntimeSqlCases.All)
                {
                    // The app built this text at run time; it is the text the analyzer test writes as a constant.
                    var operation = Assert.IsType<SqlOperation>(Assert.Single(catalog.Create(catalog.Find(@case.Migration)).UpOperations));
                    Assert.Equal(@case.Sql, operation.Sql.Trim());

                    IReadOnlyList<PlanStep> steps = engine.Plan(catalog.Find(@case.Migration)).Steps;
                    _output.WriteLine($"{@case.Migration} ({@case.Source}): " + string.Join(" | ", steps.Select(s => $"{s.Kind} {s.Transaction}: {s.RuleNote}")));
                    Assert.All(steps, s => Assert.Equal(@case.Rules.Distinct(), RuleIds(s.RuleNote!)));
                    Assert.All(steps, s => Assert.Contains(@case.Rewritten ? "→ " : "→ reported", s.RuleNote));
                    if (@case.Rewritten)
                        Assert.All(steps, s => Assert.Null(s.Warning));
                }

                PlanStep activate = engine.Plan(catalog.Find(RuntimeSqlCases.ActivateAccounts.Migration)).Steps.Single();
                Assert.Equal(("backfill", StepTransaction.Batched), (activate.Kind, activate.Transaction));
                Assert.Equal("SM0015 at run time: one UPDATE of every matching row of \"accounts\" → keyset batches", activate.RuleNote);
                Assert.Equal("status = 'active'", activate.Backfill!.Set);
                Assert.Equal("status IS NULL", activate.Backfill.Where);
                Assert.Equal("SELECT NOT EXISTS (SELECT 1 FROM \"accounts\" WHERE (status IS NULL) AND (\"status\") IS DISTINCT FROM ('active'))", activate.VerificationSql);

                PlanStep index = engine.Plan(catalog.Find(RuntimeSqlCases.IndexAccountRegion.Migration)).Steps.Single();
                Assert.Equal(("create-index-concurrently", StepTransaction.None), (index.Kind, index.Transaction));
                Assert.Equal("CREATE INDEX CONCURRENTLY ix_accounts_region ON accounts (region);", index.Sql);
                Assert.Equal("index valid", index.VerificationDescription);

                IReadOnlyList<PlanStep> check = engine.Plan(catalog.Find(RuntimeSqlCases.CheckAccountScore.Migration)).Steps;
                Assert.Equal(new[] { "add-constraint-not-valid", "validate-constraint" }, check.Select(s => s.Kind));
                Assert.Equal("ALTER TABLE accounts ADD CONSTRAINT ck_accounts_score CHECK (score >= 0) NOT VALID;", check[0].Sql);
                Assert.Equal("ALTER TABLE \"accounts\" VALIDATE CONSTRAINT \"ck_accounts_score\";", check[1].Sql);
                Assert.All(check, s => Assert.Equal(StepTransaction.Own, s.Transaction));

                PlanStep purge = engine.Plan(catalog.Find(RuntimeSqlCases.PurgeTestAccounts.Migration)).Steps.Single();
                Assert.Equal(("delete-in-batches", KeysetStatementKind.Delete), (purge.Kind, purge.Backfill!.StatementKind));
                Assert.Equal("email LIKE '%@example.test'", purge.Backfill.Where);

                // Two statements, the second after the first: not rewritten; the warning carries the analyzers' own messages.
                PlanStep rescore = engine.Plan(catalog.Find(RuntimeSqlCases.RescoreAccounts.Migration)).Steps.Single();
                Assert.Equal(StepTransaction.Own, rescore.Transaction);
                foreach (StatementFinding finding in StatementScanner.Scan(RuntimeSqlCases.RescoreAccounts.Sql).SelectMany(s => StatementRules.Judge(s)))
                    Assert.Contains("SM0015 at run time: " + finding.Message, rescore.Warning);
                Assert.Contains("not rewritten: a script of 2 statements", rescore.Warning);

                await engine.PlanAsync();
            }
            Assert.Contains(log.Lines, l => l.StartsWith("info: ") && l.Contains("SM0015 at run time: one UPDATE of every matching row of \"accounts\" → keyset batches"));
            Assert.Contains(log.Lines, l => l.StartsWith("warn: SM1006: " + RuntimeSqlCases.RescoreAccounts.Migration + " step 1") && l.Contains("SM0015 at run time: UPDATE on 'accounts'"));
        }

        [Fact]
        public async Task Rewritten_run_time_SQL_ends_in_the_same_schema_and_data_as_plain_EF()
        {
            await using TestDatabase engineDatabase = await _server.CreateDatabaseAsync();
            await using TestDatabase efDatabase = await _server.CreateDatabaseAsync();
            const int rows = 3000;
            var (initial, c0, _) = Engine(engineDatabase.ConnectionString, target: RuntimeSqlCases.Accounts);
            using (c0)
                await initial.ApplyAsync();
            await engineDatabase.ExecuteAsync(string.Format(Seed, rows));
            var (engine, c1, _) = Engine(engineDatabase.ConnectionString, target: RuntimeSqlCases.PurgeTestAccounts.Migration,
                configure: o => o.ConfigureBackfill = b => b.InitialBatchSize = b.MinBatchSize = b.MaxBatchSize = 400);
            using (c1)
            {
                await engine.ApplyAsync();
                Assert.All(engine.Records.Where(r => r.Step.Transaction == StepTransaction.Batched), r => Assert.True(r.Verified));
                Assert.Equal(2, engine.Records.Count(r => r.Step.Transaction == StepTransaction.Batched));
            }

            await using (DbContext context = DbContextLoader.Create(typeof(RuntimeSqlContext).Assembly, nameof(RuntimeSqlContext), efDatabase.ConnectionString))
            {
                IMigrator migrator = context.GetService<IMigrator>();
                await migrator.MigrateAsync(RuntimeSqlCases.Accounts);
                await efDatabase.ExecuteAsync(string.Format(Seed, rows));
                await migrator.MigrateAsync(RuntimeSqlCases.PurgeTestAccounts.Migration);
            }

            List<string> differences = SchemaSnapshot.Differences(
                await SchemaSnapshot.ReadAsync(efDatabase.ConnectionString, CancellationToken.None),
                await SchemaSnapshot.ReadAsync(engineDatabase.ConnectionString, CancellationToken.None));
            Assert.DoesNotContain(differences, d => !d.Contains("safemigrations", StringComparison.Ordinal));
            const string all = "SELECT id, email, status, score, region FROM accounts ORDER BY id";
            IReadOnlyList<object?[]> expected = await efDatabase.RowsAsync(all);
            Assert.Equal(expected, await engineDatabase.RowsAsync(all));

            // Recomputed from the seed, not from either database.
            int[] kept = Enumerable.Range(1, rows).Where(g => g % 10 != 0).ToArray();
            Assert.Equal(kept.Length, expected.Count);
            Assert.Equal(kept.Count(g => g % 3 == 0), await engineDatabase.ScalarAsync<long>("SELECT count(*) FROM accounts WHERE status = 'active'"));
            Assert.Equal(kept.Count(g => g % 3 != 0), await engineDatabase.ScalarAsync<long>("SELECT count(*) FROM accounts WHERE status = 'trial'"));
            Assert.True(await engineDatabase.ScalarAsync<bool>("SELECT convalidated FROM pg_constraint WHERE conname = 'ck_accounts_score'"));
            Assert.True(await engineDatabase.ScalarAsync<bool>("SELECT indisvalid FROM pg_index WHERE indexrelid = 'ix_accounts_region'::regclass"));
        }

        [Fact]
        public async Task A_rewritten_update_resumes_after_a_crash_between_a_batch_commit_and_its_record_and_loses_no_row()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            const int rows = 20000;
            var (initial, c0, _) = Engine(database.ConnectionString, target: RuntimeSqlCases.Accounts);
            using (c0)
                await initial.ApplyAsync();
            await database.ExecuteAsync(string.Format(Seed, rows));
            int nulls = Enumerable.Range(1, rows).Count(g => g % 3 == 0);

            // First run dies right after the third batch committed, before its position was saved.
            int batches = 0;
            var (first, c1, _) = Engine(database.ConnectionString, target: RuntimeSqlCases.ActivateAccounts.Migration, configure: options => options.ConfigureBackfill = backfill =>
            {
                backfill.InitialBatchSize = backfill.MinBatchSize = backfill.MaxBatchSize = 1000;
                Action<BackfillProgress>? record = backfill.Progress;
                backfill.Progress = progress =>
                {
                    if (++batches == 3)
                        throw new InvalidOperationException("simulated crash after the batch's commit");
                    record?.Invoke(progress);
                };
            });
            using (c1)
                Assert.Equal(EngineCodes.StepFailed, (await Assert.ThrowsAsync<EngineException>(() => first.ApplyAsync())).Code);
            long active = await database.ScalarAsync<long>("SELECT count(*) FROM accounts WHERE status = 'active'");
            Assert.True(active > 0 && active < nulls, $"{active} of {nulls} activated before the crash");

            var (second, c2, log) = Engine(database.ConnectionString, target: RuntimeSqlCases.ActivateAccounts.Migration,
                configure: o => o.ConfigureBackfill = b => b.InitialBatchSize = b.MinBatchSize = b.MaxBatchSize = 1000);
            using (c2)
                await second.ApplyAsync();
            Assert.Contains(log.Lines, l => l.Contains("resuming after key"));
            Assert.True(second.Records.Single(r => r.Step.Kind == "backfill").Verified);

            // Every row: NULL became 'active' exactly where the seed put NULL, nothing else changed, none lost.
            Assert.Equal(rows, await database.ScalarAsync<long>("SELECT count(*) FROM accounts"));
            Assert.Equal(nulls, await database.ScalarAsync<long>("SELECT count(*) FROM accounts WHERE status = 'active' AND id % 3 = 0"));
            Assert.Equal(rows - nulls, await database.ScalarAsync<long>("SELECT count(*) FROM accounts WHERE status = 'trial' AND id % 3 <> 0"));
        }

        [Fact]
        public async Task Verify_passes_the_rewritten_steps_and_fails_the_unbatched_script_with_SM1015_and_SM0015s_advice()
        {
            var log = new Verifying.VerifyTests.CollectingLog(_output);
            VerifyResult result = await MigrationVerifier.RunAsync(new VerifyOptions
            {
                Assembly = typeof(RuntimeSqlContext).Assembly,
                ContextName = nameof(RuntimeSqlContext),
                ServerConnectionString = _server.AdminConnectionString,
                Log = log,
            });

            Assert.False(result.Passed);
            VerifyFinding finding = Assert.Single(result.Findings);
            Assert.Equal(EngineCodes.UnbatchedDataChange, finding.Code);
            Assert.Equal(RuntimeSqlCases.RescoreAccounts.Migration, finding.MigrationId);
            Assert.StartsWith(RuntimeSqlCases.RescoreAccounts.Migration + " step 1 (sql: UPDATE accounts SET score = score * 2;", finding.Message);
            // 200 seeded rows, every score doubled, then a quarter of the regions filled: 250 row updates, counted by the server.
            Assert.Contains(": 250 row updates among the 200 seeded rows of \"public\".\"accounts\" (125% of its rows) in one transaction", finding.Message);
            Assert.Contains("SM0015 at run time: " + StatementRules.UnbatchedDataChange.Description, finding.Message);
            // The rewritten UPDATE and DELETE ran in batches over the same seeded rows and were not judged as one transaction.
            Assert.Contains(result.Steps, t => t.Step.MigrationId == RuntimeSqlCases.ActivateAccounts.Migration && t.Step.Transaction == StepTransaction.Batched && t.Findings.Count == 0);
        }

        [Fact]
        public void Raw_schema_changes_get_the_analyzer_rule_at_plan_time_rewritten_where_the_end_state_is_the_same()
        {
            using var catalog = new MigrationCatalog(DbContextLoader.Create(typeof(RuntimeSqlContext).Assembly, nameof(RuntimeSqlRulesContext), "Host=localhost"));
            var planner = new MigrationPlanner(catalog);
            var steps = new Dictionary<string, IReadOnlyList<PlanStep>>();
            foreach (RuntimeSqlCases.Case @case in RuntimeSqlCases.SchemaChanges)
            {
                steps[@case.Migration] = planner.Plan(catalog.Find(@case.Migration)).Steps;
                foreach (PlanStep step in steps[@case.Migration])
                {
                    _output.WriteLine($"{@case.Migration}: {step.Kind} {step.Transaction}: {step.RuleNote} | {step.Warning}");
                    Assert.Equal(@case.Rules.Distinct(), RuleIds(step.RuleNote!));
                    Assert.Contains(@case.Rewritten ? "→ " : "→ reported", step.RuleNote);
                    if (@case.Rewritten)
                        Assert.Null(step.Warning);
                    else
                        foreach (StatementFinding finding in StatementScanner.Scan(@case.Sql).SelectMany(s => StatementRules.Judge(s)))
                            Assert.Contains(finding.Rule.Id + " at run time: " + finding.Message, step.Warning);
                }
            }

            PlanStep drop = steps[RuntimeSqlCases.DropOrdersIndex.Migration].Single();
            Assert.Equal(("drop-index-concurrently", StepTransaction.None, "DROP INDEX CONCURRENTLY ix_orders_placed;"), (drop.Kind, drop.Transaction, drop.Sql));
            Assert.Equal("SM0002 at run time: DROP INDEX \"ix_orders_placed\" → CONCURRENTLY, outside a transaction", drop.RuleNote);
            Assert.Equal("index gone", drop.VerificationDescription);

            IReadOnlyList<PlanStep> notNull = steps[RuntimeSqlCases.RequireOrderCode.Migration];
            Assert.Equal(new[] { "add-constraint-not-valid", "validate-constraint", "set-not-null", "drop-constraint" }, notNull.Select(s => s.Kind));
            Assert.Equal("SM0006 at run time: SET NOT NULL of \"code\" on \"orders\" → CHECK NOT VALID, VALIDATE CONSTRAINT, SET NOT NULL, drop the check", notNull[0].RuleNote);
            Assert.Equal("ALTER TABLE \"orders\" ALTER COLUMN \"code\" SET NOT NULL;", notNull[2].Sql);

            PlanStep token = steps[RuntimeSqlCases.AddOrderToken.Migration].Single();
            Assert.Equal(StepTransaction.Own, token.Transaction);
            Assert.Equal("SM0004 at run time: ADD COLUMN 'token' → reported (no automatic rewrite has the same end state)", token.RuleNote);
            Assert.Equal("SM0007 at run time: ALTER COLUMN ... TYPE → reported (no automatic rewrite has the same end state)", steps[RuntimeSqlCases.WidenOrderTotal.Migration].Single().RuleNote);

            IReadOnlyList<PlanStep> unique = steps[RuntimeSqlCases.UniqueOrderCode.Migration];
            Assert.Equal(new[] { ("create-index-concurrently", StepTransaction.None), ("add-constraint-using-index", StepTransaction.Own) }, unique.Select(s => (s.Kind, s.Transaction)));
            Assert.Equal("CREATE UNIQUE INDEX CONCURRENTLY \"uq_orders_code\" ON \"orders\" (\"code\");", unique[0].Sql);

            Assert.Equal("SM0014 at run time: table 'order_notes' → reported (no rewrite of the statement keeps the running app version working: move it to the contract phase, or use expand/contract)", steps[RuntimeSqlCases.DropOrderNotes.Migration].Single().RuleNote);
            // In the contract phase the running app version no longer uses the table: nothing to report.
            Assert.Empty(RuntimeSqlRewriter.Judge(StatementScanner.Scan(RuntimeSqlCases.DropOrderNotes.Sql), _ => false, contractPhase: true).Findings);
        }

        [Fact]
        public async Task Rewritten_raw_schema_changes_end_in_the_same_schema_as_plain_EF()
        {
            await using TestDatabase engineDatabase = await _server.CreateDatabaseAsync();
            await using TestDatabase efDatabase = await _server.CreateDatabaseAsync();
            using (var catalog = new MigrationCatalog(DbContextLoader.Create(typeof(RuntimeSqlContext).Assembly, nameof(RuntimeSqlRulesContext), engineDatabase.ConnectionString)))
                await new MigrationEngine(catalog, new EngineOptions { ConnectionString = engineDatabase.ConnectionString, Log = new EngineApplyTests.TestLog(_output) }).ApplyAsync();
            await using (DbContext context = DbContextLoader.Create(typeof(RuntimeSqlContext).Assembly, nameof(RuntimeSqlRulesContext), efDatabase.ConnectionString))
                await context.GetService<IMigrator>().MigrateAsync();

            List<string> differences = SchemaSnapshot.Differences(
                await SchemaSnapshot.ReadAsync(efDatabase.ConnectionString, CancellationToken.None),
                await SchemaSnapshot.ReadAsync(engineDatabase.ConnectionString, CancellationToken.None));
            Assert.DoesNotContain(differences, d => !d.Contains("safemigrations", StringComparison.Ordinal));
            Assert.Equal(0L, await engineDatabase.ScalarAsync<long>("SELECT count(*) FROM pg_class WHERE relname = 'ix_orders_placed'"));
            Assert.Equal("NO", await engineDatabase.ScalarAsync<string>("SELECT is_nullable FROM information_schema.columns WHERE table_name = 'orders' AND column_name = 'code'"));
            Assert.Equal("u", await engineDatabase.ScalarAsync<string>("SELECT contype::text FROM pg_constraint WHERE conname = 'uq_orders_code'"));
        }

        [Theory]
        [InlineData("ALTER TABLE orders ADD CONSTRAINT ck CHECK (code IS NOT NULL) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT ck;\nALTER TABLE orders ALTER COLUMN code SET NOT NULL;", new string[0])]
        [InlineData("ALTER TABLE orders ADD CONSTRAINT ck CHECK (code IS NOT NULL) NOT VALID;\nALTER TABLE orders ALTER COLUMN code SET NOT NULL;", new[] { "SM0006" })]
        public void A_set_not_null_in_a_script_is_reported_unless_an_earlier_validated_check_proves_it(string script, string[] rules) =>
            Assert.Equal(rules, RuntimeSqlRewriter.Judge(StatementScanner.Scan(script), _ => false).Findings.Select(f => f.Rule.Id));

        [Theory]
        [InlineData("SET LOCAL TimeZone = 'UTC';\nALTER TABLE orders ALTER COLUMN placed_at TYPE timestamp with time zone;", new string[0])]
        [InlineData("ALTER TABLE orders ALTER COLUMN placed_at TYPE timestamp with time zone;", new[] { "SM0007" })]
        public void A_timestamp_type_change_is_reported_unless_the_script_sets_TimeZone_to_UTC_before_it(string script, string[] rules) =>
            Assert.Equal(rules, RuntimeSqlRewriter.Judge(StatementScanner.Scan(script), _ => false).Findings.Select(f => f.Rule.Id));

        [Fact]
        public void What_cannot_be_rewritten_is_reported_with_the_rule_and_tables_the_migration_creates_are_not_judged()
        {
            using var catalog = new MigrationCatalog(DbContextLoader.Create(typeof(RuntimeSqlContext).Assembly, nameof(RuntimeSqlReportedContext), "Host=localhost"));
            var planner = new MigrationPlanner(catalog);

            IReadOnlyList<PlanStep> ledger = planner.Plan(catalog.Find("20240601000000_Ledger")).Steps;
            Assert.All(ledger, s => Assert.Null(s.Warning));
            Assert.All(ledger, s => Assert.Null(s.RuleNote));
            Assert.Contains(ledger, s => s.Sql == "CREATE INDEX ix_ledger_note ON ledger (note);" && s.Transaction == StepTransaction.Own);
            Assert.Contains(ledger, s => s.Sql == "UPDATE ledger_archive SET amount = 0;" && s.Transaction == StepTransaction.Own);

            PlanStep fix = planner.Plan(catalog.Find("20240602000000_FixLedgerNotes")).Steps.Single();
            Assert.Equal(StepTransaction.Own, fix.Transaction);
            Assert.Contains("SM0015 at run time: UPDATE on 'ledger' changes every matching row in one statement", fix.Warning);
            Assert.EndsWith("(not rewritten: inside a DO block nothing can be rewritten)", fix.Warning);
            Assert.Equal("SM0015 at run time: one UPDATE of every row of \"ledger\" → reported (inside a DO block nothing can be rewritten)", fix.RuleNote);

            PlanStep reset = planner.Plan(catalog.Find("20240603000000_ResetLedger")).Steps.Single();
            Assert.StartsWith("SM0016 at run time: TRUNCATE of 'ledger' takes an ACCESS EXCLUSIVE lock on the table until the migration commits", reset.Warning);
            Assert.Contains("→ reported (no automatic rewrite has the same end state)", reset.RuleNote);

            PlanStep doubled = planner.Plan(catalog.Find("20240605000000_DoubleLedger")).Steps.Single();
            Assert.Equal(StepTransaction.Own, doubled.Transaction);
            Assert.StartsWith("SM0015 at run time: UPDATE on 'ledger' changes every matching row in one statement", doubled.Warning);
            Assert.Contains("a value that reads a column it writes (a batch replayed after a crash would apply twice)", doubled.Warning);
        }

        [Fact]
        public async Task A_batched_run_time_update_of_a_table_without_a_key_runs_as_written_with_a_warning()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            var log = new EngineApplyTests.TestLog(_output);
            using var catalog = new MigrationCatalog(DbContextLoader.Create(typeof(RuntimeSqlContext).Assembly, nameof(RuntimeSqlReportedContext), database.ConnectionString));
            await new MigrationEngine(catalog, new EngineOptions { ConnectionString = database.ConnectionString, Target = "20240603000000_ResetLedger", Log = log }).ApplyAsync();
            await database.ExecuteAsync("INSERT INTO ledger_events (kind, amount) SELECT CASE WHEN g % 2 = 0 THEN NULL ELSE 'new' END, g FROM generate_series(1, 500) g");

            var engine = new MigrationEngine(catalog, new EngineOptions { ConnectionString = database.ConnectionString, Log = log });
            Assert.Equal(StepTransaction.Batched, engine.Plan(catalog.Find("20240604000000_TagLedgerEvents")).Steps.Single().Transaction);
            await engine.ApplyAsync();

            Assert.Contains(log.Lines, l => l.StartsWith("warn: SM1006: 20240604000000_TagLedgerEvents step 1") && l.Contains("no primary key") && l.Contains("Running the statement as written, in one transaction."));
            StepRecord record = engine.Records.Single(r => r.Step.MigrationId == "20240604000000_TagLedgerEvents");
            Assert.Equal((StepOutcome.Completed, (long?)250, (bool?)true), (record.Outcome, record.Rows, record.Verified));
            Assert.Equal(250L, await database.ScalarAsync<long>("SELECT count(*) FROM ledger_events WHERE kind = 'active'"));
            Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM ledger_events WHERE kind IS NULL"));
        }

        [Fact]
        public async Task Verify_fails_an_INSERT_SELECT_copying_a_pre_existing_table_in_one_transaction_with_SM1015()
        {
            VerifyResult result = await MigrationVerifier.RunAsync(new VerifyOptions
            {
                Assembly = typeof(RuntimeSqlContext).Assembly,
                ContextName = nameof(RuntimeSqlCopyContext),
                ServerConnectionString = _server.AdminConnectionString,
                Log = new Verifying.VerifyTests.CollectingLog(_output),
            });

            VerifyFinding finding = Assert.Single(result.Findings);
            Assert.Equal(EngineCodes.UnbatchedDataChange, finding.Code);
            // 60 rows seeded into "entries" before the migration; the copy inserts every one of them, counted by the server.
            Assert.StartsWith("20240702000000_ArchiveEntries step 2 (sql: INSERT INTO entries_archive SELECT id, amount FROM entries;): inserted 60 rows into \"public\".\"entries_archive\", 100% of the 60 seeded rows of \"public\".\"entries\" it read in one transaction", finding.Message);
        }

        [Fact]
        public async Task A_data_change_share_outside_zero_to_one_is_refused_with_SM1001()
        {
            EngineException refused = await Assert.ThrowsAsync<EngineException>(() => MigrationVerifier.RunAsync(new VerifyOptions { Assembly = typeof(RuntimeSqlContext).Assembly, DataChangeShare = 1.5 }));
            Assert.Equal(EngineCodes.Configuration, refused.Code);
            Assert.Contains("the data-change share must be above 0 and at most 1", refused.Message);
        }

        private static IEnumerable<string> RuleIds(string note) =>
            note.Split("; ").Select(part => part.Substring(0, 6)).Distinct();
    }
}
