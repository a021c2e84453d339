using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Engine.Applying;
using SafeMigrations.Engine.Loading;
using SafeMigrations.Engine.Planning;
using SafeMigrations.Engine.Tests.TestApp;
using Xunit.Abstractions;

namespace SafeMigrations.Engine.Tests
{
    /// <summary>
    /// Blocking steps lower deadlock_timeout in their transaction, so a step queued behind an autovacuum of its table
    /// has the autovacuum cancelled after 50 ms instead of 1 s (while every app query waits behind the step); a role
    /// that may not change the setting runs the same steps with the server's value.
    /// </summary>
    [Collection(PostgresCollection.Name)]
    public sealed class AutovacuumYieldTests
    {
        private readonly PostgresServerFixture _server;
        private readonly ITestOutputHelper _output;

        public AutovacuumYieldTests(PostgresServerFixture server, ITestOutputHelper output)
        {
            _server = server;
            _output = output;
        }

        [Fact]
        public async Task Every_blocking_step_commits_with_deadlock_timeout_50ms_when_the_role_may_set_it()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            IReadOnlyList<string> seen = await ApplyGaugesAsync(database.ConnectionString);

            Assert.True(seen.Count >= 5, string.Join(", ", seen));
            Assert.All(seen, value => Assert.EndsWith(": 50ms", value));
        }

        [Fact]
        public async Task A_role_that_may_not_set_deadlock_timeout_runs_the_same_steps_with_the_servers_value()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            string role = "sm_owner_" + Guid.NewGuid().ToString("N").Substring(0, 8);
            await database.ExecuteAsync($"create role \"{role}\" login; alter database \"{database.Name}\" owner to \"{role}\";");
            try
            {
                string connection = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Username = role, Pooling = false }.ConnectionString;
                IReadOnlyList<string> seen = await ApplyGaugesAsync(connection);

                Assert.True(seen.Count >= 5, string.Join(", ", seen));
                Assert.All(seen, value => Assert.EndsWith(": 1s", value));
                await using var check = new NpgsqlConnection(database.ConnectionString);
                await check.OpenAsync();
                await using var type = new NpgsqlCommand("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'gauges'::regclass AND attname = 'reading'", check);
                Assert.Equal("bigint", (string?)await type.ExecuteScalarAsync());
            }
            finally
            {
                await database.DisposeAsync();
                await using var admin = new NpgsqlConnection(_server.AdminConnectionString);
                await admin.OpenAsync();
                await using var drop = new NpgsqlCommand($"drop role if exists \"{role}\"", admin);
                await drop.ExecuteNonQueryAsync();
            }
        }

        /// <summary>Applies the gauges app (phase All) and returns each blocking step's deadlock_timeout at its commit.</summary>
        private async Task<IReadOnlyList<string>> ApplyGaugesAsync(string connectionString)
        {
            using var catalog = new MigrationCatalog(DbContextLoader.Create(typeof(GaugesContext).Assembly, nameof(GaugesContext), connectionString));
            var observer = new DeadlockTimeoutAtCommit();
            var options = new EngineOptions { ConnectionString = connectionString, Phase = PhaseSelection.All, StepObserver = observer, Log = new EngineApplyTests.TestLog(_output) };
            await new MigrationEngine(catalog, options).ApplyAsync();
            return observer.Seen;
        }

        private sealed class DeadlockTimeoutAtCommit : IStepObserver
        {
            public List<string> Seen { get; } = new();

            public Task BeforeStepAsync(PlanStep step, NpgsqlConnection connection, CancellationToken cancellationToken) => Task.CompletedTask;

            public async Task BeforeCommitAsync(PlanStep step, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
            {
                await using var read = new NpgsqlCommand("SELECT current_setting('deadlock_timeout')", connection, transaction);
                Seen.Add(step.Name + ": " + (string?)await read.ExecuteScalarAsync(cancellationToken));
            }

            public Task AfterStepAsync(PlanStep step, NpgsqlConnection connection, Exception? failure, CancellationToken cancellationToken) => Task.CompletedTask;
        }
    }
}
