using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace SafeMigrations.Engine.Tests
{
    /// <summary>Runs a query in a loop on its own connection and records how long each took (the app's view of a lock queue).</summary>
    internal sealed class ConcurrentReaders : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task<List<double>> _loop;

        private ConcurrentReaders(NpgsqlConnection connection, string sql)
        {
            _loop = Task.Run(() => LoopAsync(connection, sql, _stop.Token));
        }

        public static async Task<ConcurrentReaders> StartAsync(string connectionString, string sql)
        {
            var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            return new ConcurrentReaders(connection, sql);
        }

        private static async Task<List<double>> LoopAsync(NpgsqlConnection connection, string sql, CancellationToken stop)
        {
            var latencies = new List<double>();
            await using (connection)
            {
                while (!stop.IsCancellationRequested)
                {
                    var clock = Stopwatch.StartNew();
                    await using (var command = new NpgsqlCommand(sql, connection))
                        await command.ExecuteScalarAsync(CancellationToken.None);
                    latencies.Add(clock.Elapsed.TotalMilliseconds);
                    try
                    {
                        await Task.Delay(10, stop);
                    }
                    catch (OperationCanceledException)
                    {
                    }
                }
            }
            return latencies;
        }

        public async Task<(int Count, double MaxMs)> StopAsync()
        {
            _stop.Cancel();
            List<double> latencies = await _loop;
            return (latencies.Count, latencies.Count == 0 ? 0 : latencies.Max());
        }

        public async ValueTask DisposeAsync()
        {
            if (!_stop.IsCancellationRequested)
                await StopAsync();
        }
    }
}
