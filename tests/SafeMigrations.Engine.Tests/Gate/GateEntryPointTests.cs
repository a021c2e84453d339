using System;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using SafeMigrations.Engine.Reporting;
using SafeMigrations.Engine.Tests.Runtime;
using Xunit;
using Xunit.Abstractions;

namespace SafeMigrations.Engine.Tests.Gate
{
    /// <summary>The gate's switches reach the engine from the runner's command line and from the in-app options.</summary>
    [Collection(PostgresCollection.Name)]
    public sealed class GateEntryPointTests
    {
        private const string Orders = GateContext.Orders;
        private const string DropStatus = GateContext.DropStatus;

        private readonly PostgresServerFixture _server;
        private readonly ITestOutputHelper _output;

        public GateEntryPointTests(PostgresServerFixture server, ITestOutputHelper output)
        {
            _server = server;
            _output = output;
        }

        [Fact]
        public async Task The_runner_refuses_a_bad_gate_option_and_skips_the_gate_loudly_with_contract_gate_skip()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            var (badExit, badLines) = RunnerLaunch.Run(_output, typeof(GateContext), "apply", "--connection", database.ConnectionString, "--contract-gate", "maybe");
            Assert.Equal(1, badExit);
            Assert.Contains("error: SM1001: --contract-gate must be check or skip, not 'maybe'.", badLines);

            await using NpgsqlConnection old = await ContractGateTests.OpenAsAsync(database, new NpgsqlConnectionStringBuilder(database.ConnectionString).WithSchemaVersion("shop", Orders).ApplicationName!);
            var (exit, lines) = RunnerLaunch.Run(_output, typeof(GateContext), "apply", "--connection", database.ConnectionString, "--phase", "All", "--contract-gate", "skip");
            Assert.Equal(0, exit);
            Assert.Contains(lines, l => l.StartsWith($"warn: SM1016: {DropStatus}: CONTRACT GATE SKIPPED by --contract-gate skip", StringComparison.Ordinal));
            Assert.Contains(lines, l => l == $"info: {DropStatus}: contract phase complete");
        }

        [Fact]
        public async Task In_app_the_gate_refuses_with_SM1016_while_an_old_version_is_connected_and_SkipContractGate_overrides_it()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            var log = new CapturedLog(_output);
            await using (GateContext context = Context(database.ConnectionString))
                await context.Database.MigrateSafelyAsync(MigrationPhase.Expand, new SafeMigrationOptions { LoggerFactory = log.Factory });

            // The app's instances name their version the documented way: the newest migration of the context they run.
            await using NpgsqlConnection current = await ContractGateTests.OpenAsAsync(database, new NpgsqlConnectionStringBuilder(database.ConnectionString).WithSchemaVersion<GateContext>("shop").ApplicationName!);
            await using NpgsqlConnection old = await ContractGateTests.OpenAsAsync(database, new NpgsqlConnectionStringBuilder(database.ConnectionString).WithSchemaVersion("shop", Orders).ApplicationName!);
            Assert.Equal($"shop sm={DropStatus}", new NpgsqlConnectionStringBuilder(current.ConnectionString).ApplicationName);

            await using (GateContext context = Context(database.ConnectionString))
            {
                var refused = await Assert.ThrowsAsync<SafeMigrationsException>(() => context.Database.MigrateSafelyAsync(MigrationPhase.Contract, new SafeMigrationOptions { LoggerFactory = log.Factory }));
                Assert.Equal(EngineCodes.ContractGate, refused.Code);
                Assert.Contains($"pid {old.ProcessID} \"shop sm={Orders}\"", refused.Message);

                var badWindow = await Assert.ThrowsAsync<SafeMigrationsException>(() => context.Database.MigrateSafelyAsync(MigrationPhase.Contract, new SafeMigrationOptions { ContractGateWindow = TimeSpan.Zero }));
                Assert.Equal(EngineCodes.Configuration, badWindow.Code);
                Assert.Contains("SafeMigrationOptions.ContractGateWindow must be positive", badWindow.Message);

                SafeMigrationResult skipped = await context.Database.MigrateSafelyAsync(MigrationPhase.Contract, new SafeMigrationOptions { SkipContractGate = true, LoggerFactory = log.Factory });
                Assert.Equal(new[] { DropStatus }, skipped.ContractedMigrations);
                Assert.Contains(skipped.Findings, f => f.Code == EngineCodes.ContractGate && f.Message.Contains("CONTRACT GATE SKIPPED by --contract-gate skip (MSBuild SafeMigrationsContractGate=skip, in-app SafeMigrationOptions.SkipContractGate)"));
            }
        }

        private static GateContext Context(string connectionString)
            => new GateContext(new DbContextOptionsBuilder<GateContext>().UseNpgsql(connectionString).Options);
    }
}
