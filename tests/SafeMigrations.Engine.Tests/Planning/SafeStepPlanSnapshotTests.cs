using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using SafeMigrations.Engine.Loading;
using SafeMigrations.Engine.Planning;
using Xunit.Abstractions;

namespace SafeMigrations.Engine.Tests.Planning
{
    /// <summary>
    /// The plan of every safe step kind, field by field, against a recorded snapshot
    /// (<c>SafeStepPlans.expected.txt</c>, recorded from the planner before the per-kind plans were split out of it).
    /// A change to how a kind is planned shows here as a diff; a deliberate one rerecords the file.
    /// </summary>
    public sealed class SafeStepPlanSnapshotTests
    {
        private const string SnapshotResource = "Planning.SafeStepPlans.expected.txt";

        private static readonly string[] Migrations = { nameof(EveryStepKind), nameof(StepKindsOnNewTable) };

        private readonly ITestOutputHelper _output;

        public SafeStepPlanSnapshotTests(ITestOutputHelper output)
        {
            _output = output;
        }

        [Fact]
        public void The_test_migrations_call_every_safe_step_kind()
        {
            // Planning needs no server: the catalog only generates SQL.
            using var catalog = new MigrationCatalog(DbContextLoader.Create(typeof(StepKindsContext).Assembly, nameof(StepKindsContext), "Host=localhost"));
            var used = new HashSet<string>(Migrations
                .SelectMany(name => catalog.Create(catalog.Find(name)).UpOperations)
                .Select(operation => operation[SafeMigrationsAnnotations.Step] as string)
                .OfType<string>());
            Assert.Empty(SafeStepNames().Except(used));
        }

        [Fact]
        public void Every_safe_step_kind_is_planned_as_recorded()
        {
            string actual = Snapshot();
            string expected;
            using (Stream stream = typeof(SafeStepPlanSnapshotTests).Assembly.GetManifestResourceStream(SnapshotResource)
                ?? throw new InvalidOperationException($"The embedded resource {SnapshotResource} is missing."))
            using (var reader = new StreamReader(stream))
                expected = reader.ReadToEnd().Replace("\r\n", "\n");

            if (actual != expected)
            {
                string written = Path.Combine(Path.GetTempPath(), "SafeStepPlans.actual.txt");
                File.WriteAllText(written, actual);
                _output.WriteLine($"actual plan written to {written}; diff it against tests/SafeMigrations.Engine.Tests/Planning/SafeStepPlans.expected.txt");
                string[] expectedLines = expected.Split('\n');
                string[] actualLines = actual.Split('\n');
                int line = Enumerable.Range(0, Math.Min(expectedLines.Length, actualLines.Length)).FirstOrDefault(i => expectedLines[i] != actualLines[i], -1);
                Assert.Fail(line < 0
                    ? $"the plan has {actualLines.Length} lines, the snapshot {expectedLines.Length}"
                    : $"line {line + 1} differs:\n  expected: {expectedLines[line]}\n  actual:   {actualLines[line]}");
            }
        }

        /// <summary>The public constants of <see cref="SafeMigrationSteps"/>: every step kind the runtime library writes.</summary>
        internal static IReadOnlyList<string> SafeStepNames()
            => typeof(SafeMigrationSteps).GetFields(BindingFlags.Public | BindingFlags.Static)
                .Where(f => f.IsLiteral && f.FieldType == typeof(string))
                .Select(f => (string)f.GetRawConstantValue()!)
                .ToList();

        /// <summary>Every field of every step of the test migrations' plans, one per line.</summary>
        internal static string Snapshot()
        {
            using var catalog = new MigrationCatalog(DbContextLoader.Create(typeof(StepKindsContext).Assembly, nameof(StepKindsContext), "Host=localhost"));
            var planner = new MigrationPlanner(catalog);
            var text = new StringBuilder();
            foreach (string name in Migrations)
            {
                MigrationPlan plan = planner.Plan(catalog.Find(name));
                text.Append("# ").Append(plan.Migration.Id).Append('\n');
                foreach (PlanStep step in plan.Steps)
                    Describe(step, text);
            }
            return text.ToString();
        }

        private static void Describe(PlanStep step, StringBuilder text)
        {
            void Field(string field, object? value)
            {
                if (value is null)
                    return;
                string shown = value.ToString()!.Replace("\r\n", "\n").Replace("\n", "\n    | ");
                text.Append("  ").Append(field).Append(": ").Append(shown).Append('\n');
            }

            text.Append("## step ").Append(step.Index).Append(": ").Append(step.Description).Append('\n');
            Field("phase", step.Phase);
            Field("kind", step.Kind);
            Field("safe step", step.SafeStep);
            Field("transaction", step.Transaction);
            Field("lock", step.Lock);
            Field("sql", "\n" + step.Sql);
            Field("verification", step.VerificationSql);
            Field("verification proves", step.VerificationDescription);
            Field("skip when verified", step.SkipWhenVerified);
            Field("undo", step.UndoSql);
            Field("no undo needed", step.NoUndoNeeded);
            Field("no undo reason", step.NoUndoReason);
            if (step.UndoGuard is UndoGuard guard)
            {
                Field("undo guard count", guard.CountSql);
                Field("undo guard problem", guard.Problem);
                Field("undo guard remedy", guard.Remedy);
            }
            if (step.Backfill is BackfillSpec batches)
            {
                Field("batches", $"{batches.StatementKind} schema={batches.Schema ?? "(search_path)"} table={batches.Table} set={batches.Set} where={batches.Where} "
                    + $"batch size={batches.BatchSize?.ToString() ?? "(default)"} keys={(batches.KeyColumns is null ? "(primary key)" : string.Join(",", batches.KeyColumns))} "
                    + $"count remaining={batches.CountRemainingSql ?? "-"} remaining where={batches.RemainingWhere ?? "-"} as written without key={batches.AsWrittenWithoutKey}");
            }
            Field("warning", step.Warning);
            Field("rewritten from", step.RewrittenFrom);
            Field("rule note", step.RuleNote);
            if (step.DroppedSync is { } sync)
                Field("dropped sync", $"{sync.Schema ?? "(search_path)"}.{sync.Table} {sync.FromColumn} -> {sync.ToColumn}");
            if (step.TimeZoneIndexes is not null)
                Field("time zone indexes", step.TimeZoneIndexes.Lock);
            foreach (CarriedSetting setting in step.SessionSettings)
                Field("session setting", setting);
        }
    }
}
