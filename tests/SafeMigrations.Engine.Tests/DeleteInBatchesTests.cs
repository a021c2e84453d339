using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using SafeMigrations.Engine.Applying;
using SafeMigrations.Engine.Backfill;
using SafeMigrations.Engine.Loading;
using SafeMigrations.Engine.Planning;
using SafeMigrations.Engine.Reporting;
using SafeMigrations.Engine.Tests.TestApp;
using Xunit.Abstractions;

namespace SafeMigrations.Engine.Tests
{
    /// <summary>The runtime step <c>DeleteInBatches</c> runs as keyset batches under the engine, not as one DELETE.</summary>
    [Collection(PostgresCollection.Name)]
    public sealed class DeleteInBatchesTests
    {
        private const string Purge = "20240302000000_PurgeDebugEvents";

        private readonly PostgresServerFixture _server;
        private readonly ITestOutputHelper _output;

        public DeleteInBatchesTests(PostgresServerFixture server, ITestOutputHelper output)
        {
            _server = server;
            _output = output;
        }

        private (MigrationEngine Engine, MigrationCatalog Catalog, EngineApplyTests.TestLog Log) Engine(string connectionString, string? target = null, Action<EngineOptions>? configure = null)
        {
            var log = new EngineApplyTests.TestLog(_output);
            var catalog = new MigrationCatalog(DbContextLoader.Create(typeof(EventsContext).Assembly, nameof(EventsContext), connectionString));
            var options = new EngineOptions { ConnectionString = connectionString, Target = target, Log = log, LockTimeout = TimeSpan.FromMilliseconds(500), InitialBackoff = TimeSpan.FromMilliseconds(50) };
            configure?.Invoke(options);
            return (new MigrationEngine(catalog, options), catalog, log);
        }

        [Fact]
        public async Task Plan_runs_it_in_keyset_batches_with_a_verification_and_says_it_has_no_undo()
        {
            var (engine, catalog, log) = Engine("Host=localhost", configure: o => o.ConnectionString = string.Empty);
            using (catalog)
            {
                PlanStep step = engine.Plan(catalog.Find(Purge)).Steps.Single();
                Assert.Equal("delete-in-batches", step.Kind);
                Assert.Equal(SafeMigrationSteps.DeleteInBatches, step.SafeStep);
                Assert.Equal(StepTransaction.Batched, step.Transaction);
                Assert.Equal(KeysetStatementKind.Delete, step.Backfill!.StatementKind);
                Assert.Equal("kind = 'debug'", step.Backfill.Where);
                Assert.Equal(1000, step.Backfill.BatchSize);
                Assert.Equal("SELECT NOT EXISTS (SELECT 1 FROM \"events\" WHERE kind = 'debug')", step.VerificationSql);
                Assert.Null(step.UndoSql);
                Assert.False(step.NoUndoNeeded);
                Assert.Contains("SM1008", step.NoUndoReason);
                Assert.Null(step.Warning);

                await engine.PlanAsync();
            }
            Assert.Contains(log.Lines, l => l.Contains("delete from \"events\" in batches") && l.Contains("keyset batches, one transaction each"));
            Assert.Contains(log.Lines, l => l.Contains("undo: none (deleted rows cannot be restored"));
        }

        [Fact]
        public async Task Deletes_in_batches_with_a_writer_resumes_after_cancellation_and_refuses_rollback()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            var (initial, c0, _) = Engine(database.ConnectionString, target: "Events");
            using (c0)
                await initial.ApplyAsync();
            await database.ExecuteAsync("insert into events (kind, payload) select case when g % 3 = 0 then 'debug' else 'info' end, g from generate_series(1, 60000) g; analyze events;");
            long debug = await database.ScalarAsync<long>("select count(*) from events where kind = 'debug'");
            long kept = await database.ScalarAsync<long>("select count(*) from events where kind <> 'debug'");

            await using var writer = EventWriter.Start(database.ConnectionString);

            // First run: cancelled after five committed batches of 1,000 keys.
            using var cancel = new CancellationTokenSource();
            int batches = 0;
            var (first, c1, _) = Engine(database.ConnectionString, configure: options => options.ConfigureBackfill = backfill =>
            {
                backfill.InitialBatchSize = backfill.MinBatchSize = backfill.MaxBatchSize = 1000;
                Action<BackfillProgress>? inner = backfill.Progress;
                backfill.Progress = progress =>
                {
                    inner?.Invoke(progress);
                    if (++batches == 5)
                        cancel.Cancel();
                };
            });
            using (c1)
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first.ApplyAsync(cancel.Token));
            long leftAfterCancel = await database.ScalarAsync<long>("select count(*) from events where kind = 'debug'");
            _output.WriteLine($"{debug - leftAfterCancel} of {debug} debug rows deleted before the cancellation");
            Assert.True(leftAfterCancel > 0 && leftAfterCancel < debug, $"{leftAfterCancel} of {debug} left");
            Assert.Equal(0L, await database.ScalarAsync<long>($"select count(*) from \"__EFMigrationsHistory\" where \"MigrationId\" = '{Purge}'"));

            // Rows are gone for good: a rollback of the half-run migration refuses and changes nothing.
            var (early, c2, _) = Engine(database.ConnectionString);
            using (c2)
                Assert.Equal(EngineCodes.RollbackNotPossible, (await Assert.ThrowsAsync<EngineException>(() => early.RollbackAsync())).Code);

            // Second run resumes after the saved key and finishes.
            var (second, c3, log) = Engine(database.ConnectionString);
            using (c3)
                await second.ApplyAsync();
            var (operations, inserted, errors, maxStallMs) = await writer.TakeAsync();
            _output.WriteLine($"writer: {operations} operations ({inserted} inserts), slowest {maxStallMs:0} ms, {errors.Length} errors");

            StepRecord record = second.Records.Single(r => r.Step.Kind == "delete-in-batches");
            Assert.Equal(StepOutcome.Completed, record.Outcome);
            Assert.True(record.Verified);
            Assert.Equal(leftAfterCancel, record.Rows);
            Assert.Contains(log.Lines, l => l.Contains("resuming after key"));
            Assert.Contains(log.Lines, l => l.StartsWith("progress: ") && l.Contains(" deleted, "));

            Assert.Empty(errors);
            Assert.True(operations > 0, "the writer ran during the delete");
            Assert.Equal(0L, await database.ScalarAsync<long>("select count(*) from events where kind = 'debug'"));
            Assert.Equal(kept + inserted, await database.ScalarAsync<long>("select count(*) from events where kind <> 'debug'"));
            Assert.Equal(1L, await database.ScalarAsync<long>($"select count(*) from \"__EFMigrationsHistory\" where \"MigrationId\" = '{Purge}'"));
            await using (var context = (EventsContext)DbContextLoader.Create(typeof(EventsContext).Assembly, nameof(EventsContext), database.ConnectionString))
                Assert.Empty(context.Database.GetPendingMigrations());

            // Completed: still no rollback.
            var (late, c4, _) = Engine(database.ConnectionString);
            using (c4)
            {
                EngineException refused = await Assert.ThrowsAsync<EngineException>(() => late.RollbackAsync());
                Assert.Equal(EngineCodes.RollbackNotPossible, refused.Code);
                Assert.Contains("deleted rows cannot be restored", refused.Message);
            }
            Assert.Equal(1L, await database.ScalarAsync<long>($"select count(*) from \"__EFMigrationsHistory\" where \"MigrationId\" = '{Purge}'"));
        }

        /// <summary>The app: inserts rows the delete keeps and updates random rows (some of them being deleted).</summary>
        private sealed class EventWriter : IAsyncDisposable
        {
            private readonly CancellationTokenSource _stop = new();
            private readonly Task<(long Operations, long Inserted, string[] Errors, double MaxMs)> _loop;

            private EventWriter(string connectionString) => _loop = Task.Run(() => LoopAsync(connectionString));

            public static EventWriter Start(string connectionString) => new(connectionString);

            private async Task<(long, long, string[], double)> LoopAsync(string connectionString)
            {
                var random = new Random(7);
                var errors = new System.Collections.Generic.List<string>();
                long operations = 0, inserted = 0;
                double max = 0;
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync();
                while (!_stop.IsCancellationRequested)
                {
                    var clock = System.Diagnostics.Stopwatch.StartNew();
                    try
                    {
                        bool insert = operations % 2 == 0;
                        await using var command = insert
                            ? new NpgsqlCommand("insert into events (kind, payload) values ('info', $1)", connection) { Parameters = { new() { Value = random.Next(1000) } } }
                            : new NpgsqlCommand("update events set payload = payload + 1 where id = $1", connection) { Parameters = { new() { Value = (long)random.Next(1, 60000) } } };
                        await command.ExecuteNonQueryAsync();
                        operations++;
                        if (insert)
                            inserted++;
                    }
                    catch (NpgsqlException exception)
                    {
                        errors.Add(exception.Message);
                    }
                    max = Math.Max(max, clock.Elapsed.TotalMilliseconds);
                    await Task.Delay(2);
                }
                return (operations, inserted, errors.ToArray(), max);
            }

            public async Task<(long Operations, long Inserted, string[] Errors, double MaxMs)> TakeAsync()
            {
                _stop.Cancel();
                return await _loop;
            }

            public async ValueTask DisposeAsync()
            {
                if (!_stop.IsCancellationRequested)
                    await TakeAsync();
            }
        }
    }
}
