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
    /// The contract of a column swap drops the sync trigger and the old NOT NULL column in one transaction: with a
    /// commit between them, an app insert that leaves the old column out fails (nothing fills it any more).
    /// </summary>
    [Collection(PostgresCollection.Name)]
    public sealed class TriggerAndColumnDropTests
    {
        private readonly PostgresServerFixture _server;
        private readonly ITestOutputHelper _output;

        public TriggerAndColumnDropTests(PostgresServerFixture server, ITestOutputHelper output)
        {
            _server = server;
            _output = output;
        }

        [Fact]
        public void Contract_drop_of_the_sync_trigger_and_of_the_column_it_fed_is_one_step()
        {
            using var catalog = new MigrationCatalog(DbContextLoader.Create(typeof(GaugesContext).Assembly, nameof(GaugesContext), "Host=localhost"));
            var engine = new MigrationEngine(catalog, new EngineOptions { ConnectionString = "Host=localhost" });
            List<PlanStep> contract = engine.Plan(catalog.Find("GaugesToBigint")).Steps.Where(s => s.Phase == MigrationPhase.Contract).ToList();

            PlanStep step = Assert.Single(contract);
            Assert.Contains("DROP TRIGGER IF EXISTS", step.Sql);
            Assert.Contains("DROP COLUMN reading_old", step.Sql);
            Assert.True(step.Sql.IndexOf("DROP TRIGGER", StringComparison.Ordinal) < step.Sql.IndexOf("DROP COLUMN", StringComparison.Ordinal));
            Assert.Equal(StepTransaction.Own, step.Transaction);
            Assert.Equal("column gone", step.VerificationDescription);
        }

        [Fact]
        public async Task An_insert_of_the_app_after_every_step_of_the_swap_and_its_contract_succeeds()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            using var catalog = new MigrationCatalog(DbContextLoader.Create(typeof(GaugesContext).Assembly, nameof(GaugesContext), database.ConnectionString));
            var inserts = new AppInsertAfterEachStep(database.ConnectionString);
            var options = new EngineOptions
            {
                ConnectionString = database.ConnectionString,
                Phase = PhaseSelection.All,
                StepObserver = inserts,
                Log = new EngineApplyTests.TestLog(_output),
            };

            await new MigrationEngine(catalog, options).ApplyAsync();

            Assert.Empty(inserts.Failures);
            Assert.True(inserts.Count > 5);
            await using var connection = new NpgsqlConnection(database.ConnectionString);
            await connection.OpenAsync();
            await using var check = new NpgsqlCommand(
                "SELECT format_type(atttypid, atttypmod) || ' ' || (SELECT count(*) FROM gauges WHERE reading IS NULL) || ' ' || (SELECT count(*) FROM pg_attribute WHERE attrelid = 'gauges'::regclass AND attname = 'reading_old' AND NOT attisdropped) FROM pg_attribute WHERE attrelid = 'gauges'::regclass AND attname = 'reading'",
                connection);
            Assert.Equal("bigint 0 0", (string?)await check.ExecuteScalarAsync());
        }

        /// <summary>The app between steps: inserts a gauge naming only "reading", on its own connection.</summary>
        private sealed class AppInsertAfterEachStep : IStepObserver
        {
            private readonly string _connectionString;

            public AppInsertAfterEachStep(string connectionString) => _connectionString = connectionString;

            public List<string> Failures { get; } = new();

            public int Count { get; private set; }

            public Task BeforeStepAsync(PlanStep step, NpgsqlConnection connection, CancellationToken cancellationToken) => Task.CompletedTask;

            public Task BeforeCommitAsync(PlanStep step, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken) => Task.CompletedTask;

            public async Task AfterStepAsync(PlanStep step, NpgsqlConnection connection, Exception? failure, CancellationToken cancellationToken)
            {
                await using var app = new NpgsqlConnection(_connectionString);
                await app.OpenAsync(cancellationToken);
                await using var insert = new NpgsqlCommand("INSERT INTO gauges (reading) VALUES (7)", app);
                try
                {
                    await insert.ExecuteNonQueryAsync(cancellationToken);
                    Count++;
                }
                catch (PostgresException exception)
                {
                    Failures.Add($"after {step.Name}: {exception.SqlState} {exception.MessageText}");
                }
            }
        }
    }
}
