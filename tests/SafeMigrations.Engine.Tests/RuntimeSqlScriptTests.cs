using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using SafeMigrations.Engine.Applying;
using SafeMigrations.Engine.Loading;
using SafeMigrations.Engine.Planning;
using SafeMigrations.Engine.Tests.TestApp;
using SafeMigrations.Testing.RuntimeSql;
using Xunit.Abstractions;

namespace SafeMigrations.Engine.Tests
{
    /// <summary>
    /// Migrations of several Sql(...) calls whose text the app builds at run time (RuntimeSqlCases.Scripts): the engine's
    /// plan reports the same rules as the analyzers on the same text written as constants (Analyzers.Tests
    /// RuntimeSqlParityTests), with the analyzers' exemptions across calls — the contract phase, tables and columns
    /// created earlier, a compatibility view after a rename, a NOT NULL proven and TimeZone set to UTC in an earlier call,
    /// and a SET LOCAL lost where plain EF commits before a suppressed call.
    /// </summary>
    [Collection(PostgresCollection.Name)]
    public sealed class RuntimeSqlScriptTests
    {
        private readonly PostgresServerFixture _server;
        private readonly ITestOutputHelper _output;

        public RuntimeSqlScriptTests(PostgresServerFixture server, ITestOutputHelper output)
        {
            _server = server;
            _output = output;
        }

        public static TheoryData<string> Scripts() => new(RuntimeSqlCases.Scripts.Select(s => s.Migration));

        [Theory]
        [MemberData(nameof(Scripts))]
        public void Plan_reports_what_the_analyzers_report_on_the_same_calls(string migration)
        {
            RuntimeSqlCases.Script script = RuntimeSqlCases.Scripts.Single(s => s.Migration == migration);
            using var catalog = new MigrationCatalog(DbContextLoader.Create(typeof(RuntimeSqlScriptsContext).Assembly, nameof(RuntimeSqlScriptsContext), "Host=localhost"));
            IReadOnlyList<PlanStep> steps = new MigrationPlanner(catalog).Plan(catalog.Find(migration)).Steps;
            foreach (PlanStep step in steps)
                _output.WriteLine($"{step.Index} {step.Phase} {step.Kind} {step.Transaction}: {step.RuleNote} | {step.Warning}");

            // One note per reported or rewritten statement (a rewrite's steps share theirs).
            IEnumerable<string> rules = steps.Select(s => s.RuleNote).Where(n => n is not null).Distinct()
                .SelectMany(n => n!.Split("; ")).Select(part => part.Substring(0, 6));
            Assert.Equal(script.Rules, rules);
            foreach (string message in script.Messages())
                Assert.Contains(steps, s => s.Warning?.Contains(" at run time: " + message) ?? s.RuleNote is not null);
            if (script.Rules.Length == 0)
                Assert.All(steps, s => Assert.Null(s.Warning));
        }

        [Fact]
        public void A_check_added_with_the_builder_proves_a_later_run_time_SET_NOT_NULL_as_the_analyzer_counts_it()
        {
            using var catalog = new MigrationCatalog(DbContextLoader.Create(typeof(RuntimeSqlScriptsContext).Assembly, nameof(RuntimeSqlScriptsContext), "Host=localhost"));
            IReadOnlyList<PlanStep> steps = new MigrationPlanner(catalog).Plan(catalog.Find("20240916000000_ProveOrderCodeWithBuilderCheck")).Steps;

            // The builder's check is added NOT VALID and validated; the SET NOT NULL then runs as written, unreported.
            Assert.Equal(new[] { "add-constraint-not-valid", "validate-constraint", "sql" }, steps.Select(s => s.Kind));
            Assert.Equal(("ALTER TABLE orders ALTER COLUMN code SET NOT NULL;", null, null), (steps[2].Sql, steps[2].RuleNote, steps[2].Warning));
        }

        [Fact]
        public async Task A_rename_built_at_run_time_in_expand_is_reported_by_plan_before_anything_runs_then_applied_with_the_warning()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            var log = new EngineApplyTests.TestLog(_output);
            RuntimeSqlCases.Script rename = RuntimeSqlCases.RenameOrderNote;
            using var catalog = new MigrationCatalog(DbContextLoader.Create(typeof(RuntimeSqlScriptsContext).Assembly, nameof(RuntimeSqlScriptsContext), database.ConnectionString));
            await new MigrationEngine(catalog, new EngineOptions { ConnectionString = database.ConnectionString, Target = RuntimeSqlCases.ScriptOrders, Log = log }).ApplyAsync();

            var engine = new MigrationEngine(catalog, new EngineOptions { ConnectionString = database.ConnectionString, Target = rename.Migration, Log = log });
            await engine.PlanAsync();
            string warning = $"warn: SM1006: {rename.Migration} step 1 (sql: ALTER TABLE orders RENAME COLUMN note TO remark;): SM0011 at run time: {rename.Messages().Single()}";
            Assert.Contains(log.Lines, l => l.StartsWith(warning));
            Assert.Contains(log.Lines, l => l.StartsWith("info: ") && l.Contains("SM0011 at run time: RENAME COLUMN 'note' of 'orders' to 'remark' → reported (no rewrite of the statement keeps the running app version working"));
            Assert.Equal(1L, await database.ScalarAsync<long>("SELECT count(*) FROM information_schema.columns WHERE table_name = 'orders' AND column_name = 'note'"));

            // Warned, not refused, like the same rename written with the builder: the expand phase runs it.
            int before = log.Lines.Count;
            await engine.ApplyAsync();
            Assert.Contains(log.Lines.Skip(before), l => l.StartsWith(warning));
            Assert.Equal(
                new[] { "remark" },
                (await database.RowsAsync("SELECT column_name::text FROM information_schema.columns WHERE table_name = 'orders' AND column_name IN ('note', 'remark')")).Select(r => (string)r[0]!));
        }
    }
}
