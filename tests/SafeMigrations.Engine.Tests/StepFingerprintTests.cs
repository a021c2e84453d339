using System;
using System.Linq;
using System.Threading.Tasks;
using SafeMigrations.Engine.Applying;
using SafeMigrations.Engine.Loading;
using SafeMigrations.Engine.Reporting;
using SafeMigrations.Engine.State;
using SafeMigrations.Engine.Tests.TestApp;
using Xunit.Abstractions;

namespace SafeMigrations.Engine.Tests
{
    /// <summary>A migration edited after it partly ran: its recorded progress no longer matches its plan (issue 8, item 7).</summary>
    [Collection(PostgresCollection.Name)]
    public sealed class StepFingerprintTests
    {
        private const string WidgetCodes = "20240402000000_WidgetCodes";
        private const string StateRows = "select string_agg(step_index || ':' || step_kind || ':' || status || ':' || attempts || ':' || coalesce(fingerprint, '-'), ',' order by step_index) from safemigrations.state where migration_id = '20240402000000_WidgetCodes' and step_index > 0";

        private readonly PostgresServerFixture _server;
        private readonly ITestOutputHelper _output;

        public StepFingerprintTests(PostgresServerFixture server, ITestOutputHelper output)
        {
            _server = server;
            _output = output;
        }

        private (MigrationEngine Engine, MigrationCatalog Catalog, EngineApplyTests.TestLog Log) Engine(string connectionString, string context, string? target = null)
        {
            var log = new EngineApplyTests.TestLog(_output);
            var options = new EngineOptions { ConnectionString = connectionString, Target = target, Log = log, LockTimeout = TimeSpan.FromMilliseconds(500), InitialBackoff = TimeSpan.FromMilliseconds(50) };
            var catalog = new MigrationCatalog(DbContextLoader.Create(typeof(WidgetsContext).Assembly, context, connectionString));
            return (new MigrationEngine(catalog, options), catalog, log);
        }

        private async Task<EngineException> ApplyFailsAsync(string connectionString, string context)
        {
            var (engine, catalog, _) = Engine(connectionString, context);
            using (catalog)
                return await Assert.ThrowsAsync<EngineException>(() => engine.ApplyAsync());
        }

        private async Task ApplyAsync(string connectionString, string context, string? target = null)
        {
            var (engine, catalog, _) = Engine(connectionString, context, target);
            using (catalog)
                await engine.ApplyAsync();
        }

        private async Task<string> StatusAsync(string connectionString, string context)
        {
            var (engine, catalog, log) = Engine(connectionString, context);
            using (catalog)
                await engine.StatusAsync();
            return string.Join("\n", log.Lines);
        }

        /// <summary>The original migration ran steps 1-3 and failed at step 4 (a widget with an empty name fails the check).</summary>
        private async Task<TestDatabase> PartlyAppliedAsync()
        {
            TestDatabase database = await _server.CreateDatabaseAsync();
            await ApplyAsync(database.ConnectionString, nameof(WidgetsContext), target: "Widgets");
            await database.ExecuteAsync("insert into widgets (name) values ('bolt'), (''), ('nut')");
            EngineException failed = await ApplyFailsAsync(database.ConnectionString, nameof(WidgetsContext));
            Assert.Equal(EngineCodes.StepFailed, failed.Code);
            Assert.Contains("step 4 (validate", failed.Message);
            return database;
        }

        [Fact]
        public void Fingerprint_ignores_layout_but_not_kind_or_sql()
        {
            string fingerprint = StepFingerprint.Of("sql", "UPDATE t SET a = 1;");
            Assert.Matches("^[0-9a-f]{16}$", fingerprint);
            Assert.Equal(fingerprint, StepFingerprint.Of("sql", "  UPDATE t\n   SET a = 1 "));
            Assert.NotEqual(fingerprint, StepFingerprint.Of("sql", "UPDATE t SET a = 2;"));
            Assert.NotEqual(fingerprint, StepFingerprint.Of("backfill", "UPDATE t SET a = 1;"));
        }

        [Fact]
        public async Task A_fix_step_inserted_after_a_partial_run_is_refused_not_skipped_and_runs_after_a_rollback()
        {
            await using TestDatabase database = await PartlyAppliedAsync();
            string? recorded = await database.ScalarAsync<string>(StateRows);
            _output.WriteLine(recorded);
            Assert.Matches(@"^1:add-column:completed:1:[0-9a-f]{16},2:create-index-concurrently:completed:1:[0-9a-f]{16},3:add-constraint-not-valid:completed:1:[0-9a-f]{16},4:validate-constraint:failed:1:[0-9a-f]{16}$", recorded);

            // The issue's scenario: the fix inserted at position 2 used to inherit the index's "completed" and never ran.
            EngineException refused = await ApplyFailsAsync(database.ConnectionString, nameof(WidgetsInsertedContext));
            Assert.Equal(EngineCodes.PlanChanged, refused.Code);
            Assert.Contains(WidgetCodes, refused.Message);
            Assert.Contains("step 2: recorded create-index-concurrently (completed), planned backfill", refused.Message);
            Assert.Contains("step 3: recorded add-constraint-not-valid (completed), planned create-index-concurrently", refused.Message);
            Assert.Contains("step 4: recorded validate-constraint (failed), planned add-constraint-not-valid", refused.Message);
            Assert.Contains("revert the edit", refused.Message);
            // Nothing ran: the empty name is still there and the recorded progress is untouched.
            Assert.Equal(1L, await database.ScalarAsync<long>("select count(*) from widgets where name = ''"));
            Assert.Equal(recorded, await database.ScalarAsync<string>(StateRows));
            Assert.Contains("warn: SM1013: " + WidgetCodes, await StatusAsync(database.ConnectionString, nameof(WidgetsInsertedContext)));
            var (plan, planCatalog, planLog) = Engine(database.ConnectionString, nameof(WidgetsInsertedContext));
            using (planCatalog)
                await plan.PlanAsync();
            Assert.Contains(planLog.Lines, l => l.StartsWith("warn: SM1013: " + WidgetCodes, StringComparison.Ordinal));

            // The way on that the message gives: with the edit reverted, roll back; then the edited migration runs whole.
            var (rollback, catalog, _) = Engine(database.ConnectionString, nameof(WidgetsContext));
            using (catalog)
                await rollback.RollbackAsync();
            Assert.Null(await database.ScalarAsync<string>(StateRows));
            await ApplyAsync(database.ConnectionString, nameof(WidgetsInsertedContext));
            Assert.Equal(0L, await database.ScalarAsync<long>("select count(*) from widgets where name = ''"));
            Assert.True(await database.ScalarAsync<bool>("select convalidated from pg_constraint where conname = 'CK_widgets_name'"));
            Assert.True(await database.ScalarAsync<bool>("select indisvalid from pg_index where indexrelid = '\"IX_widgets_name\"'::regclass"));
            Assert.Matches(@"^1:add-column:completed:1:\w+,2:backfill:completed:1:\w+,3:create-index-concurrently:completed:1:\w+,4:add-constraint-not-valid:completed:1:\w+,5:validate-constraint:completed:1:\w+$", await database.ScalarAsync<string>(StateRows));
        }

        [Fact]
        public async Task An_edited_or_removed_completed_step_stops_apply_and_rollback_and_shows_in_status()
        {
            await using TestDatabase database = await PartlyAppliedAsync();
            string? recorded = await database.ScalarAsync<string>(StateRows);

            EngineException edited = await ApplyFailsAsync(database.ConnectionString, nameof(WidgetsEditedContext));
            _output.WriteLine(edited.Message);
            Assert.Equal(EngineCodes.PlanChanged, edited.Code);
            Assert.Contains("step 2: recorded create-index-concurrently (completed), planned create-index-concurrently: the step at this position runs other SQL", edited.Message);
            Assert.DoesNotContain("step 1", edited.Message);
            Assert.DoesNotContain("step 3", edited.Message);
            string status = await StatusAsync(database.ConnectionString, nameof(WidgetsEditedContext));
            Assert.Contains("warn: SM1013: " + WidgetCodes, status);

            // A rollback would undo the planned step at each recorded position: refused as well, nothing undone.
            var (rollback, catalog, _) = Engine(database.ConnectionString, nameof(WidgetsEditedContext));
            using (catalog)
                Assert.Equal(EngineCodes.PlanChanged, (await Assert.ThrowsAsync<EngineException>(() => rollback.RollbackAsync())).Code);
            Assert.True(await database.ScalarAsync<bool>("select exists (select 1 from pg_attribute where attrelid = 'widgets'::regclass and attname = 'code')"));

            EngineException removed = await ApplyFailsAsync(database.ConnectionString, nameof(WidgetsRemovedContext));
            _output.WriteLine(removed.Message);
            Assert.Equal(EngineCodes.PlanChanged, removed.Code);
            Assert.Contains("step 2: recorded create-index-concurrently (completed), planned add-constraint-not-valid", removed.Message);
            Assert.Contains("step 4: recorded validate-constraint (failed), planned nothing: the plan has no step at this position any more", removed.Message);
            Assert.Equal(recorded, await database.ScalarAsync<string>(StateRows));

            // The original migration still matches: fix the data and it finishes.
            await database.ExecuteAsync("update widgets set name = 'washer' where name = ''");
            await ApplyAsync(database.ConnectionString, nameof(WidgetsContext));
            Assert.True(await database.ScalarAsync<bool>("select convalidated from pg_constraint where conname = 'CK_widgets_name'"));

            // Once every step ran, an edit changes nothing in the database: apply runs nothing and status says so.
            await ApplyAsync(database.ConnectionString, nameof(WidgetsEditedContext));
            Assert.Contains("edited after it was applied", await StatusAsync(database.ConnectionString, nameof(WidgetsEditedContext)));

            // A step appended once the expand phase is complete would never run: refused too.
            EngineException appended = await ApplyFailsAsync(database.ConnectionString, nameof(WidgetsAppendedContext));
            Assert.Equal(EngineCodes.PlanChanged, appended.Code);
            Assert.Contains("step 5: recorded nothing, planned backfill: added after the expand phase completed, so it would never run", appended.Message);
            Assert.Equal(3L, await database.ScalarAsync<long>("select count(*) from widgets where code is null"));
        }

        [Fact]
        public async Task Steps_edited_in_place_can_be_accepted_but_inserted_steps_cannot()
        {
            await using TestDatabase database = await PartlyAppliedAsync();
            await database.ExecuteAsync("update widgets set name = 'washer' where name = ''");

            // An insertion cannot be accepted: the positions no longer say which step ran.
            using (var insertedCatalog = new MigrationCatalog(DbContextLoader.Create(typeof(WidgetsContext).Assembly, nameof(WidgetsInsertedContext), database.ConnectionString)))
            {
                var options = new EngineOptions { ConnectionString = database.ConnectionString, AcceptEditedMigration = "WidgetCodes", Log = new EngineApplyTests.TestLog(_output) };
                var refused = await Assert.ThrowsAsync<EngineException>(() => new MigrationEngine(insertedCatalog, options).ApplyAsync());
                Assert.Equal(EngineCodes.PlanChanged, refused.Code);
                Assert.DoesNotContain("--accept-edited", refused.Message);
            }

            // An edit in place names the flag, and with it the new SQL is recorded and the rest runs.
            EngineException edited = await ApplyFailsAsync(database.ConnectionString, nameof(WidgetsEditedContext));
            Assert.Contains($"accept it with --accept-edited {WidgetCodes} (SafeMigrationsAcceptEdited)", edited.Message);
            var log = new EngineApplyTests.TestLog(_output);
            using (var catalog = new MigrationCatalog(DbContextLoader.Create(typeof(WidgetsContext).Assembly, nameof(WidgetsEditedContext), database.ConnectionString)))
                await new MigrationEngine(catalog, new EngineOptions { ConnectionString = database.ConnectionString, AcceptEditedMigration = "WidgetCodes", Log = log }).ApplyAsync();
            Assert.Contains(log.Lines, l => l.StartsWith($"warn: SM1013: {WidgetCodes}: accepted as edited in place (step 2)", StringComparison.Ordinal));
            Assert.True(await database.ScalarAsync<bool>("select convalidated from pg_constraint where conname = 'CK_widgets_name'"));
            Assert.DoesNotContain("SM1013", await StatusAsync(database.ConnectionString, nameof(WidgetsEditedContext)));
        }

        [Fact]
        public async Task A_state_table_from_an_older_version_gets_the_column_and_its_rows_are_matched_by_kind()
        {
            await using TestDatabase database = await PartlyAppliedAsync();
            await database.ExecuteAsync("alter table safemigrations.state drop column fingerprint");

            // status reads the old table as it is; no fingerprints, so kinds decide: the original matches.
            string status = await StatusAsync(database.ConnectionString, nameof(WidgetsContext));
            Assert.DoesNotContain("SM1013", status);
            Assert.Contains("partially expanded", status);

            // A different kind at a recorded position is still found without fingerprints.
            EngineException inserted = await ApplyFailsAsync(database.ConnectionString, nameof(WidgetsInsertedContext));
            Assert.Equal(EngineCodes.PlanChanged, inserted.Code);
            Assert.Contains("step 2: recorded create-index-concurrently (completed), planned backfill", inserted.Message);

            // apply added the column back; the old rows keep no fingerprint, the rerun step gets one.
            await database.ExecuteAsync("update widgets set name = 'washer' where name = ''");
            await ApplyAsync(database.ConnectionString, nameof(WidgetsContext));
            Assert.Matches(@"^1:add-column:completed:1:-,2:create-index-concurrently:completed:1:-,3:add-constraint-not-valid:completed:1:-,4:validate-constraint:completed:2:[0-9a-f]{16}$", await database.ScalarAsync<string>(StateRows));
        }
    }
}
