using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using SafeMigrations.Engine.Reporting;
using SafeMigrations.Engine.Verifying;
using Xunit.Abstractions;

namespace SafeMigrations.Engine.Tests.Verifying
{
    /// <summary>Verify on the fixture's server (throwaway databases): the safe sample passes, each unsafe scenario fails on its step.</summary>
    [Collection(PostgresCollection.Name)]
    public sealed class VerifyTests
    {
        private readonly PostgresServerFixture _server;
        private readonly ITestOutputHelper _output;

        public VerifyTests(PostgresServerFixture server, ITestOutputHelper output)
        {
            _server = server;
            _output = output;
        }

        internal sealed class CollectingLog : IEngineLog
        {
            private readonly ITestOutputHelper? _output;
            public CollectingLog(ITestOutputHelper? output) => _output = output;
            public List<string> Lines { get; } = new List<string>();
            public Action<string>? OnLine { get; set; }

            public void Write(EngineMessageLevel level, string? code, string message)
            {
                string line = level.ToString().ToLowerInvariant() + ": " + (code is null ? string.Empty : code + ": ") + message;
                lock (Lines)
                    Lines.Add(line);
                try
                {
                    _output?.WriteLine(line);
                }
                catch (InvalidOperationException)
                {
                    // The test already ended (a late line from a cancelled run).
                }
                OnLine?.Invoke(line);
            }
        }

        /// <summary>
        /// Lock budget for tests that assert the safe sample passes. Held times are measured by the client; on the
        /// loaded 2-core CI machine a brief ADD COLUMN has measured 105-250 ms against the 100 ms default. The unsafe
        /// scenarios fail on scans and rewrites, which do not depend on timing.
        /// </summary>
        internal static readonly TimeSpan SafeSampleLockBudget = TimeSpan.FromMilliseconds(1000);

        [Fact]
        public async Task Safe_shop_history_passes_with_traced_locks_and_the_same_schema_as_plain_EF()
        {
            string report = Path.Combine(Path.GetTempPath(), "sm-verify-" + Guid.NewGuid().ToString("N") + ".md");
            var log = new CollectingLog(_output);
            VerifyResult result = await MigrationVerifier.RunAsync(new VerifyOptions
            {
                Assembly = typeof(Shop.ShopContext).Assembly,
                ServerConnectionString = _server.AdminConnectionString,
                ReportPath = report,
                Log = log,
                LockBudget = SafeSampleLockBudget,
            });

            Assert.True(result.Passed, string.Join(Environment.NewLine, result.Findings));
            Assert.Equal(7, result.Migrations.Count);
            Assert.NotNull(result.SchemaDifferences);
            Assert.Empty(result.SchemaDifferences!);
            // Expand, contract and the re-applied last expand were all traced.
            Assert.Contains(result.Steps, s => s.Round == VerifyRound.Contract && s.Step.Description.Contains("drop column \"Name\""));
            Assert.Contains(result.Steps, s => s.Round == VerifyRound.Reapply && s.Step.MigrationId == "20250212090000_RequireProductSku");
            // Brief ACCESS EXCLUSIVE locks on pre-existing tables are seen, timed, and within budget.
            StepTrace swap = Assert.Single(result.Steps, s => s.Step.Description == "swap-columns");
            HeldLock exclusive = Assert.Single(swap.Locks, l => l.Mode == "ACCESS EXCLUSIVE");
            Assert.True(exclusive.PreExisting && exclusive.Relation == "\"public\".\"OrderLines\"" && exclusive.HeldMilliseconds < SafeSampleLockBudget.TotalMilliseconds);
            // Seeding put rows in before the later migrations; the backfill found them.
            Assert.Contains(result.Seeding, s => s.Key == "20250122090000_RenameCustomerName" && s.Value.Any(l => l.StartsWith("\"public\".\"Customers\": 60 row(s) added")));
            Assert.Contains(log.Lines, l => l == "info: verify passed: 7 migration(s), " + result.Steps.Count + " step(s) traced, no blocking lock over " + SafeSampleLockBudget.TotalMilliseconds + " ms, no rewrite, no step changed 50% of a table's rows in one transaction, schema as plain EF Core builds it");

            string markdown = File.ReadAllText(report);
            File.Delete(report);
            Assert.Contains("result: **passed**", markdown);
            Assert.Contains("| 8 swap-columns | expand | \"public\".\"OrderLines\" ", markdown);
            Assert.Contains("Identical: tables, columns", markdown);
        }

        public static IEnumerable<object[]> UnsafeScenarios() => new[]
        {
            // A raw CREATE INDEX in a script with a statement that needs it: not rewritten, holds SHARE (no writes) while it scans the populated table.
            new object[] { nameof(Shop.Unsafe.IndexWithoutConcurrentlyContext), EngineCodes.LockOverBudget, "20250302090000_IndexProductName step 1 (sql: CREATE INDEX" },
            // ALTER COLUMN ... TYPE bigint assembled at run time: invisible to the analyzers, a rewrite here.
            new object[] { nameof(Shop.Unsafe.RuntimeTypeChangeContext), EngineCodes.TableRewrite, "20250302090000_WidenPrice step 1 (sql: ALTER TABLE \"Products\" ALTER COLUMN \"PriceCents\" TYPE big" },
            // A volatile default added inside a function the migration calls.
            new object[] { nameof(Shop.Unsafe.HiddenRewriteContext), EngineCodes.TableRewrite, "20250302090000_AddProductTracking step 2 (sql: SELECT add_tracking_column();)" },
            // NOT NULL over the NULLs the seeder put in: the validation fails.
            new object[] { nameof(Shop.Unsafe.NotNullOverNullsContext), EngineCodes.StepFailed, "20250302090000_RequireDescription step 3 (validate check \"CK_Products_Description_not_null\")" },
            // A one-shot UPDATE of every row that reads the column it writes (not batchable: a batch run twice would multiply twice).
            new object[] { nameof(Shop.Unsafe.UnbatchedUpdateContext), EngineCodes.UnbatchedDataChange, "20250302090000_ConvertPricesToCents step 1 (sql: UPDATE \"Products\" SET \"PriceCents\" = \"PriceCents\" * 100" },
        };

        [Theory]
        [MemberData(nameof(UnsafeScenarios))]
        public async Task Unsafe_migration_fails_with_its_code_on_the_right_step(string context, string code, string step)
        {
            string sarif = Path.Combine(Path.GetTempPath(), "sm-verify-" + Guid.NewGuid().ToString("N") + ".sarif");
            var log = new CollectingLog(_output);
            VerifyResult result = await MigrationVerifier.RunAsync(new VerifyOptions
            {
                Assembly = typeof(Shop.Unsafe.ScenarioContext).Assembly,
                // Where the SARIF locations are looked up: the sample's own build output, next to its sources.
                AssemblyPath = VerifyCleanupTests.SampleAssembly("Shop.Unsafe"),
                ContextName = context,
                ServerConnectionString = _server.AdminConnectionString,
                SarifPath = sarif,
                Log = log,
            });

            Assert.False(result.Passed);
            VerifyFinding finding = Assert.Single(result.Findings, f => f.Code == code && f.Step is not null && !f.Message.Contains("(re-applied after rollback)") && f.Message.StartsWith(step, StringComparison.Ordinal));
            Assert.Contains(log.Lines, l => l.StartsWith("error: " + code + ": " + step, StringComparison.Ordinal));
            // The base migration (tables created in it are new) never fails.
            Assert.DoesNotContain(result.Findings, f => f.MigrationId == "20250301090000_CreateProducts");

            using JsonDocument document = JsonDocument.Parse(File.ReadAllText(sarif));
            File.Delete(sarif);
            JsonElement root = document.RootElement;
            Assert.Equal("2.1.0", root.GetProperty("version").GetString());
            JsonElement run = Assert.Single(root.GetProperty("runs").EnumerateArray());
            Assert.Equal("SafeMigrations verify", run.GetProperty("tool").GetProperty("driver").GetProperty("name").GetString());
            Assert.Contains(run.GetProperty("tool").GetProperty("driver").GetProperty("rules").EnumerateArray(), r => r.GetProperty("id").GetString() == code);
            JsonElement sarifResult = run.GetProperty("results").EnumerateArray().First(r => r.GetProperty("ruleId").GetString() == code);
            Assert.StartsWith(step, sarifResult.GetProperty("message").GetProperty("text").GetString());
            JsonElement location = sarifResult.GetProperty("locations")[0].GetProperty("physicalLocation");
            // The migration's source file, found next to the sample's project, at its [Migration] line.
            Assert.EndsWith("samples/Shop.Unsafe/Migrations.cs", location.GetProperty("artifactLocation").GetProperty("uri").GetString());
            Assert.True(location.GetProperty("region").GetProperty("startLine").GetInt32() > 1);
            Assert.Equal(context == nameof(Shop.Unsafe.NotNullOverNullsContext) ? 3 : context == nameof(Shop.Unsafe.HiddenRewriteContext) ? 2 : 1, finding.Step!.Index);
        }

        [Fact]
        public async Task Schema_snapshot_diff_names_what_plain_EF_would_not_have()
        {
            await using TestDatabase expected = await _server.CreateDatabaseAsync();
            await using TestDatabase actual = await _server.CreateDatabaseAsync();
            const string table = "CREATE TABLE t (id bigint PRIMARY KEY, v integer NOT NULL);";
            await expected.ExecuteAsync(table);
            await actual.ExecuteAsync(table + "ALTER TABLE t ADD CONSTRAINT ck CHECK (v > 0) NOT VALID; CREATE INDEX ix ON t (v); ALTER TABLE t ALTER COLUMN v DROP NOT NULL;");

            List<string> differences = SchemaSnapshot.Differences(
                await SchemaSnapshot.ReadAsync(expected.ConnectionString, CancellationToken.None),
                await SchemaSnapshot.ReadAsync(actual.ConnectionString, CancellationToken.None));

            Assert.Equal(
                new[]
                {
                    "missing: column public.t.v integer NOT NULL",
                    "unexpected: column public.t.v integer NULL",
                    "unexpected: constraint public.t ck CHECK ((v > 0)) NOT VALID (not validated)",
                    "unexpected: index public.t CREATE INDEX ix ON public.t USING btree (v)",
                },
                differences);
        }
    }
}
