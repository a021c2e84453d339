using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Engine.Applying;
using SafeMigrations.Engine.Loading;
using SafeMigrations.Engine.Reporting;
using SafeMigrations.Engine.Tests.TestApp;
using Xunit.Abstractions;

namespace SafeMigrations.Engine.Tests.Faults
{
    /// <summary>
    /// Contention: a blocker holding a lock longer than every retry (SM1003, the app's traffic flowing between attempts),
    /// and two executors started at once (SM1005 for one, the other finishes).
    /// </summary>
    [Collection(PostgresCollection.Name)]
    public sealed class ContentionTests
    {
        private readonly PostgresServerFixture _server;
        private readonly ITestOutputHelper _output;

        public ContentionTests(PostgresServerFixture server, ITestOutputHelper output)
        {
            _server = server;
            _output = output;
        }

        [Fact]
        public async Task A_blocker_outlasting_the_retries_gives_SM1003_with_app_traffic_flowing_between_attempts_and_the_rerun_completes()
        {
            Random random = FaultSeed.Create(_output, nameof(A_blocker_outlasting_the_retries_gives_SM1003_with_app_traffic_flowing_between_attempts_and_the_rerun_completes));
            await using PaymentsDatabase payments = await PaymentsDatabase.CreateAsync(_server, 5_000, _output);
            string before = await payments.SchemaAsync();
            await using OldAppWriter app = OldAppWriter.Start(payments, random.Next());

            // A report job's long read: ACCESS SHARE until it ends, which ADD COLUMN's ACCESS EXCLUSIVE must wait for.
            await using NpgsqlConnection blocker = await payments.OpenAsync();
            await using NpgsqlTransaction blockerTransaction = await blocker.BeginTransactionAsync();
            await new NpgsqlCommand("select count(*) from payments", blocker, blockerTransaction).ExecuteScalarAsync();

            var attempts = new ConcurrentQueue<DateTime>();
            var log = new TimedLog(new EngineApplyTests.TestLog(_output), attempts);
            EngineException failure;
            using (var catalog = new MigrationCatalog(DbContextLoader.Create(typeof(PaymentsContext).Assembly, PaymentsDatabase.Context, payments.ConnectionString)))
            {
                var engine = new MigrationEngine(catalog, new EngineOptions
                {
                    ConnectionString = payments.ConnectionString,
                    Log = log,
                    LockTimeout = TimeSpan.FromMilliseconds(150),
                    MaxLockAttempts = 4,
                    InitialBackoff = TimeSpan.FromMilliseconds(200),
                });
                failure = await Assert.ThrowsAsync<EngineException>(() => engine.ApplyAsync());
            }
            _output.WriteLine(failure.Code + ": " + failure.Message);
            Assert.Equal(EngineCodes.LockRetriesExhausted, failure.Code);
            Assert.StartsWith(payments.Steps[0].Name + ": Gave up after 4 attempts", failure.Message);

            // Between two timed-out attempts (each waited at most lock_timeout with the app queued behind it) the app's writes went through.
            DateTime[] ends = attempts.ToArray();
            DateTime[] writes = app.Acknowledged;
            Assert.True(ends.Length >= 3, $"{ends.Length} retried attempts logged");
            for (int i = 1; i < ends.Length; i++)
                Assert.True(writes.Any(w => w > ends[i - 1] && w < ends[i]), $"no app write between attempt {i} and attempt {i + 1}");

            Assert.Equal("failed", (await payments.StateAsync())[payments.Steps[0].Index].Status);
            Assert.Equal(before, await payments.SchemaAsync());
            await payments.AssertStateConsistentAsync(_output);

            await blockerTransaction.RollbackAsync();
            PaymentsDatabase.ClearPool(payments.ConnectionString);
            await using (RunnerProcess rerun = RunnerProcess.Start(_output, "apply (rerun)", PaymentsDatabase.Context, "apply", payments.ConnectionString))
                Assert.Equal(0, await rerun.WaitForExitAsync(RunnerKillTests.RunTimeout));
            Assert.Empty(await app.StopAsync());
            await payments.AssertExpandedExactlyAsync();
        }

        [Fact]
        public async Task Two_executors_started_at_once_one_gets_SM1005_and_the_other_finishes()
        {
            await using PaymentsDatabase payments = await PaymentsDatabase.CreateAsync(_server, 20_000, _output);

            // Keep whichever executor wins busy (retrying its first step behind a reader) until the other has given up.
            await using NpgsqlConnection blocker = await payments.OpenAsync();
            await using NpgsqlTransaction blockerTransaction = await blocker.BeginTransactionAsync();
            await new NpgsqlCommand("select count(*) from payments", blocker, blockerTransaction).ExecuteScalarAsync();

            await using RunnerProcess first = RunnerProcess.Start(_output, "apply A", PaymentsDatabase.Context, "apply", payments.ConnectionString, "--lock-timeout", "300");
            await using RunnerProcess second = RunnerProcess.Start(_output, "apply B", PaymentsDatabase.Context, "apply", payments.ConnectionString, "--lock-timeout", "300");
            var clock = Stopwatch.StartNew();
            while (!first.HasExited && !second.HasExited && clock.Elapsed < RunnerKillTests.RunTimeout)
                await Task.Delay(20);
            RunnerProcess loser = first.HasExited ? first : second;
            RunnerProcess winner = ReferenceEquals(loser, first) ? second : first;
            Assert.Equal(1, await loser.WaitForExitAsync(RunnerKillTests.RunTimeout));
            Assert.Contains(loser.Lines, l => l.StartsWith("error: SM1005: another SafeMigrations executor ", StringComparison.Ordinal));
            Assert.False(winner.HasExited, "both executors ended");

            await blockerTransaction.RollbackAsync();
            Assert.Equal(0, await winner.WaitForExitAsync(RunnerKillTests.RunTimeout));
            Assert.DoesNotContain(winner.Lines, l => l.StartsWith("error: ", StringComparison.Ordinal));
            await payments.AssertExpandedExactlyAsync();
        }

        /// <summary>Passes messages on and notes when each retried lock attempt ended.</summary>
        private sealed class TimedLog : IEngineLog
        {
            private readonly IEngineLog _inner;
            private readonly ConcurrentQueue<DateTime> _attempts;

            public TimedLog(IEngineLog inner, ConcurrentQueue<DateTime> attempts)
            {
                _inner = inner;
                _attempts = attempts;
            }

            public void Write(EngineMessageLevel level, string? code, string message)
            {
                if (level == EngineMessageLevel.Progress && message.Contains("timed out waiting for a lock", StringComparison.Ordinal))
                    _attempts.Enqueue(DateTime.UtcNow);
                _inner.Write(level, code, message);
            }
        }
    }
}
