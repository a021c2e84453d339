using System;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.EntityFrameworkCore;
using SafeMigrations.Engine.Reporting;
using SafeMigrations.Engine.Tests.Runtime;
using SafeMigrations.Engine.Tests.TestApp;
using Xunit.Abstractions;

namespace SafeMigrations.Engine.Tests.Pacing
{
    /// <summary>The in-app API's pacing options reach the engine, and a bad one is SM1001 naming it.</summary>
    [Collection(PostgresCollection.Name)]
    public sealed class InAppPacingOptionsTests
    {
        private readonly PostgresServerFixture _server;
        private readonly ITestOutputHelper _output;

        public InAppPacingOptionsTests(PostgresServerFixture server, ITestOutputHelper output)
        {
            _server = server;
            _output = output;
        }

        [Fact]
        public async Task The_latency_probe_is_timed_before_the_backfill_and_a_bad_factor_is_SM1001()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            var log = new CapturedLog(_output);
            await using (ShopContext context = InAppApiTests.Context(database.ConnectionString))
                await context.Database.MigrateSafelyAsync(MigrationPhase.Expand, new SafeMigrationOptions { TargetMigration = "Initial", LoggerFactory = log.Factory });
            await database.ExecuteAsync("insert into customers (name, email) select 'c' || g, case when g % 2 = 0 then null else 'x' end from generate_series(1, 100) g");

            await using (ShopContext context = InAppApiTests.Context(database.ConnectionString))
            {
                var bad = await Assert.ThrowsAsync<SafeMigrationsException>(() => context.Database.MigrateSafelyAsync(MigrationPhase.Expand, new SafeMigrationOptions { LatencyFactor = 0.5, LoggerFactory = log.Factory }));
                Assert.Equal(EngineCodes.Configuration, bad.Code);
                Assert.Contains("SafeMigrationOptions.LatencyFactor must be a number of at least 1", bad.Message);

                await context.Database.MigrateSafelyAsync(MigrationPhase.Expand, new SafeMigrationOptions
                {
                    TargetMigration = "Hardening",
                    LatencyProbe = "select count(*) from customers where id = 1",
                    MaxReplicaLagBytes = null,
                    MaxPacingPause = TimeSpan.FromSeconds(30),
                    LoggerFactory = log.Factory,
                });
            }
            Assert.Contains(log.Entries, e => e.Message.Contains("20240102000000_Hardening step ") && e.Message.Contains(": pacing: latency probe baseline "));
            Assert.Equal(0L, await database.ScalarAsync<long>("select count(*) from customers where email is null"));
        }
    }
}
