using System;
using System.Linq;
using System.Threading.Tasks;
using SafeMigrations.Engine.Planning;
using SafeMigrations.Engine.Reporting;
using SafeMigrations.Engine.Tests.TestApp;

namespace SafeMigrations.Engine.Tests
{
    /// <summary>
    /// A raw <c>Sql("ALTER TABLE ... ALTER COLUMN ... TYPE timestamptz")</c> under TimeZone UTC: its old type is unknown
    /// when planning, so apply reads it from the catalog and runs the same concurrent index recipe as the AlterColumn form
    /// when the column has the other timestamp type (the theories of TimestampTzIndexTests.cs run it under writers and
    /// killed between the drops), the statement as written otherwise.
    /// </summary>
    public sealed partial class TimestampTzIndexTests
    {
        private const string RawMigration = "20240703000000_RawReadingsToTimestamptz";
        private const string AtType = "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'readings'::regclass AND attname = 'at'";

        [Fact]
        public void Plan_runs_a_lone_raw_change_through_the_recipe_and_says_the_old_type_is_read_at_apply_time()
        {
            var (_, catalog, _) = Engine("Host=localhost;Database=none", nameof(RawReadingsContext));
            using (catalog)
            {
                PlanStep step = new MigrationPlanner(catalog).Plan(catalog.Find(RawMigration)).Steps.Single(s => s.Sql.Contains("ALTER TABLE", StringComparison.Ordinal));
                Assert.Equal(StepTransaction.None, step.Transaction);
                Assert.True(step.TimeZoneIndexes!.OldTypeReadAtRunTime);
                Assert.Equal(("public", "readings", "at", true), (step.TimeZoneIndexes.Schema, step.TimeZoneIndexes.Table, step.TimeZoneIndexes.Column, step.TimeZoneIndexes.ToTimestampTz));
                Assert.Null(step.Warning);
                Assert.Null(step.RuleNote);
                Assert.StartsWith("the old type of \"at\" is read from the catalog at apply time (the statement does not say it): if it is timestamp without time zone, SHARE UPDATE EXCLUSIVE", step.Lock);
                Assert.EndsWith("otherwise ACCESS EXCLUSIVE on \"public\".\"readings\", the statement as written in its own transaction", step.Lock);
                Assert.Contains("rerun apply to finish it first", step.NoUndoReason);
            }

            var (_, shapes, _) = Engine("Host=localhost;Database=none", nameof(RawReadingsShapesContext));
            using (shapes)
            {
                var steps = new MigrationPlanner(shapes).Plan(shapes.Find("20240703000000_RawReadingsShapes")).Steps;
                Assert.All(steps, s => Assert.Null(s.TimeZoneIndexes));
                // Before the SET: a rewrite under another zone, reported as before.
                Assert.Contains("TimeZone is not set to UTC", steps[0].Warning);
                // Two columns in one statement, and a change inside a script: run as written, saying why.
                Assert.Contains("ALTER COLUMN ... TYPE timestamp[tz] runs as written (if the column has the other timestamp type, PostgreSQL rebuilds its indexes under ACCESS EXCLUSIVE): one statement changes 2 columns", steps[2].Lock);
                Assert.Equal(StepTransaction.Own, steps[2].Transaction);
                Assert.Contains("a script of 2 statements", steps[3].Lock);
            }
        }

        [Fact]
        public async Task A_connected_plan_says_what_the_column_is_now()
        {
            await using TestDatabase database = await SeededAsync(nameof(RawReadingsContext));
            var (planner, catalog, log) = Engine(database.ConnectionString, nameof(RawReadingsContext));
            using (catalog)
                await planner.PlanAsync();
            Assert.Contains(log.Lines, l => l.Contains(RawMigration + " step 1", StringComparison.Ordinal)
                && l.Contains("old type: as the database is now, column \"at\" has the other timestamp type: apply drops its plain indexes concurrently", StringComparison.Ordinal));

            await database.ExecuteAsync("SET TimeZone = 'UTC'; ALTER TABLE readings ALTER COLUMN at TYPE timestamptz");
            var (again, againCatalog, againLog) = Engine(database.ConnectionString, nameof(RawReadingsContext));
            using (againCatalog)
                await again.PlanAsync();
            Assert.Contains(againLog.Lines, l => l.Contains("old type: as the database is now, apply runs the statement as written: column \"at\" of \"public\".\"readings\" is timestamp with time zone", StringComparison.Ordinal));
        }

        [Fact]
        public async Task A_column_that_already_has_the_new_type_gets_the_statement_as_written_and_keeps_its_indexes()
        {
            await using TestDatabase database = await SeededAsync(nameof(RawReadingsContext));
            await database.ExecuteAsync("SET TimeZone = 'UTC'; ALTER TABLE readings ALTER COLUMN at TYPE timestamptz");
            var before = await IndexesAsync(database);

            var (engine, catalog, log) = Engine(database.ConnectionString, nameof(RawReadingsContext));
            using (catalog)
                await engine.ApplyAsync();

            Assert.Contains(log.Lines, l => l.Contains("runs as written: column \"at\" of \"public\".\"readings\" is timestamp with time zone, so this is no timestamp ↔ timestamptz change", StringComparison.Ordinal));
            Assert.DoesNotContain(log.Lines, l => l.Contains("dropping index", StringComparison.Ordinal));
            var after = await IndexesAsync(database);
            // Only the partial index is built again: PostgreSQL 15 rebuilds an index with a predicate on any ALTER ... TYPE, even to the same type.
            Assert.All(before.Where(b => b.Key != "IX_readings_at_high"), b => Assert.Equal(b.Value.FileNode, after[b.Key].FileNode));
            Assert.Null(await database.ScalarAsync<string>($"SELECT position FROM safemigrations.state WHERE migration_id = '{RawMigration}' AND step_index = 1"));
            Assert.Equal("completed", await database.ScalarAsync<string>($"SELECT status FROM safemigrations.state WHERE migration_id = '{RawMigration}' AND step_index = 1"));
        }

        [Fact]
        public async Task A_table_with_inheritance_children_gets_the_statement_as_written_with_an_SM1006_warning()
        {
            await using TestDatabase database = await SeededAsync(nameof(RawReadingsContext));
            // The ALTER recurses to the child, whose own index the recipe would not rebuild.
            await database.ExecuteAsync("CREATE TABLE readings_archive () INHERITS (readings); CREATE INDEX ix_archive_at ON readings_archive (at)");

            var (engine, catalog, log) = Engine(database.ConnectionString, nameof(RawReadingsContext));
            using (catalog)
                await engine.ApplyAsync();

            Assert.Contains(log.Lines, l => l.Contains(EngineCodes.CannotBeMadeSafe, StringComparison.Ordinal) && l.Contains("runs as written, rebuilding the indexes on the column under ACCESS EXCLUSIVE", StringComparison.Ordinal)
                && l.Contains("has inheritance children", StringComparison.Ordinal));
            Assert.DoesNotContain(log.Lines, l => l.Contains("dropping index", StringComparison.Ordinal));
            Assert.Equal("timestamp with time zone", await database.ScalarAsync<string>(AtType));
            Assert.Equal("timestamp with time zone", await database.ScalarAsync<string>("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'readings_archive'::regclass AND attname = 'at'"));
            Assert.Equal("completed", await database.ScalarAsync<string>($"SELECT status FROM safemigrations.state WHERE migration_id = '{RawMigration}' AND step_index = 1"));
        }
    }
}
