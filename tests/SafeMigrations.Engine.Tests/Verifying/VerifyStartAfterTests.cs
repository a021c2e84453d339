using System;
using System.Linq;
using System.Threading.Tasks;
using SafeMigrations.Engine.Reporting;
using SafeMigrations.Engine.Verifying;
using Xunit.Abstractions;

namespace SafeMigrations.Engine.Tests.Verifying
{
    /// <summary>
    /// Verify with a start: the migrations deployed before SafeMigrations was adopted (the analyzers'
    /// safe_migrations.start_after) are applied as the schema's starting point, never traced or judged.
    /// </summary>
    [Collection(PostgresCollection.Name)]
    public sealed class VerifyStartAfterTests
    {
        private readonly PostgresServerFixture _server;
        private readonly ITestOutputHelper _output;

        public VerifyStartAfterTests(PostgresServerFixture server, ITestOutputHelper output)
        {
            _server = server;
            _output = output;
        }

        private Task<VerifyResult> VerifyUnsafeIndexAsync(string startAfter, VerifyTests.CollectingLog log) =>
            MigrationVerifier.RunAsync(new VerifyOptions
            {
                Assembly = typeof(Shop.Unsafe.ScenarioContext).Assembly,
                ContextName = nameof(Shop.Unsafe.IndexWithoutConcurrentlyContext),
                ServerConnectionString = _server.AdminConnectionString,
                StartAfter = startAfter,
                Log = log,
            });

        [Fact]
        public async Task An_unsafe_migration_deployed_before_the_start_is_applied_but_not_judged()
        {
            var log = new VerifyTests.CollectingLog(_output);
            VerifyResult result = await VerifyUnsafeIndexAsync("20250302090000_IndexProductName", log);

            Assert.True(result.Passed, string.Join(Environment.NewLine, result.Findings));
            Assert.Empty(result.Migrations);
            Assert.Empty(result.Steps);
            Assert.Contains(result.Notes, n => n.StartsWith("2 migration(s) up to 20250302090000_IndexProductName applied without being judged", StringComparison.Ordinal));
            // They did run: the end schema is the one plain EF builds.
            Assert.NotNull(result.SchemaDifferences);
            Assert.Empty(result.SchemaDifferences!);
        }

        [Fact]
        public async Task A_timestamp_start_before_the_unsafe_migration_still_fails_it()
        {
            var log = new VerifyTests.CollectingLog(_output);
            VerifyResult result = await VerifyUnsafeIndexAsync("20250301090000", log);

            Assert.False(result.Passed);
            Assert.Equal(new[] { "20250302090000_IndexProductName" }, result.Migrations);
            Assert.Contains(result.Findings, f => f.Code == EngineCodes.LockOverBudget && f.MigrationId == "20250302090000_IndexProductName");
            Assert.DoesNotContain(result.Steps, s => s.Step.MigrationId == "20250301090000_CreateProducts");
        }

        [Fact]
        public async Task A_start_that_names_no_migration_stops_with_the_ids_before_anything_is_applied()
        {
            var log = new VerifyTests.CollectingLog(_output);
            EngineException error = await Assert.ThrowsAsync<EngineException>(() => VerifyUnsafeIndexAsync("20250302090000_IndexProductNames", log));

            Assert.Equal(EngineCodes.NotFound, error.Code);
            Assert.Contains("20250301090000_CreateProducts, 20250302090000_IndexProductName", error.Message);
            Assert.DoesNotContain(log.Lines, l => l.Contains("applying", StringComparison.Ordinal));
        }

        [Fact]
        public async Task The_safe_history_verifies_only_the_migrations_after_the_start()
        {
            var log = new VerifyTests.CollectingLog(_output);
            VerifyResult result = await MigrationVerifier.RunAsync(new VerifyOptions
            {
                Assembly = typeof(Shop.ShopContext).Assembly,
                ServerConnectionString = _server.AdminConnectionString,
                StartAfter = "IndexCustomerEmail",
                Log = log,
                LockBudget = VerifyTests.SafeSampleLockBudget,
            });

            Assert.True(result.Passed, string.Join(Environment.NewLine, result.Findings));
            Assert.Equal(
                new[] { "20250122090000_RenameCustomerName", "20250129090000_WidenOrderLineQuantity", "20250205090000_DropCustomerPhone", "20250212090000_RequireProductSku" },
                result.Migrations);
            Assert.NotEmpty(result.Steps);
            Assert.All(result.Steps, s => Assert.True(string.CompareOrdinal(s.Step.MigrationId, "20250115090000_IndexCustomerEmail") > 0, s.Step.Name));
            Assert.NotNull(result.SchemaDifferences);
            Assert.Empty(result.SchemaDifferences!);
        }

        [Fact]
        public void The_runner_takes_start_after_for_verify()
        {
            var (exit, lines) = RunnerLaunch.Run(_output, typeof(Shop.Unsafe.IndexWithoutConcurrentlyContext), "verify", "--connection", _server.AdminConnectionString, "--start-after", "20250302090000_IndexProductName");

            Assert.True(exit == 0, string.Join(Environment.NewLine, lines));
            Assert.Contains(lines, l => l.Contains("applying 2 migration(s) up to 20250302090000_IndexProductName without judging them", StringComparison.Ordinal));
        }
    }
}
