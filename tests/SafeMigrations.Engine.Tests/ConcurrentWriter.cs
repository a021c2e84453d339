using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace SafeMigrations.Engine.Tests
{
    /// <summary>
    /// The application during a migration: runs single-row statements in a loop on its own connection, recording how
    /// many succeeded, the errors, and the slowest statement (how long a lock made the app wait).
    /// </summary>
    internal sealed class ConcurrentWriter : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly ConcurrentQueue<string> _errors = new();
        private readonly Task<(long Operations, double MaxMs)> _loop;

        private ConcurrentWriter(string connectionString, int seed, Func<NpgsqlConnection, Random, long, NpgsqlCommand> nextCommand) =>
            _loop = Task.Run(() => LoopAsync(connectionString, new Random(seed), nextCommand));

        /// <param name="connectionString">The database the app writes to.</param>
        /// <param name="seed">Seeds the <see cref="Random"/> passed to <paramref name="nextCommand"/>: the workload repeats run to run.</param>
        /// <param name="nextCommand">The next statement, given the connection, the random source and the count of statements done so far.</param>
        public static ConcurrentWriter Start(string connectionString, int seed, Func<NpgsqlConnection, Random, long, NpgsqlCommand> nextCommand) =>
            new(connectionString, seed, nextCommand);

        private async Task<(long, double)> LoopAsync(string connectionString, Random random, Func<NpgsqlConnection, Random, long, NpgsqlCommand> nextCommand)
        {
            long operations = 0;
            double max = 0;
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            while (!_stop.IsCancellationRequested)
            {
                var clock = Stopwatch.StartNew();
                try
                {
                    await using NpgsqlCommand command = nextCommand(connection, random, operations);
                    await command.ExecuteNonQueryAsync();
                    operations++;
                }
                catch (NpgsqlException exception)
                {
                    _errors.Enqueue(exception.Message);
                }
                max = Math.Max(max, clock.Elapsed.TotalMilliseconds);
                await Task.Delay(2);
            }
            return (operations, max);
        }

        /// <summary>Stops the loop: the statements that succeeded, the errors, and the slowest statement in milliseconds.</summary>
        public async Task<(long Operations, IReadOnlyCollection<string> Errors, double MaxStallMs)> TakeAsync()
        {
            _stop.Cancel();
            var (operations, max) = await _loop;
            return (operations, _errors.ToArray(), max);
        }

        public async ValueTask DisposeAsync()
        {
            if (!_stop.IsCancellationRequested)
                await TakeAsync();
        }
    }
}
