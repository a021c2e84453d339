using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace SafeMigrations.Engine.Tests.Faults
{
    /// <summary>
    /// The old app version during expand: it knows only the old columns "amount" and "label" and keeps inserting rows
    /// and updating existing ones through them, a fair share of the values NULL. Every write the server acknowledged is
    /// recorded in <see cref="PaymentsDatabase.Expect"/>, so the final check knows each row's old values exactly.
    /// </summary>
    internal sealed class OldAppWriter : IAsyncDisposable
    {
        private readonly PaymentsDatabase _payments;
        private readonly CancellationTokenSource _stop = new();
        private readonly ConcurrentQueue<string> _errors = new();
        private readonly ConcurrentQueue<DateTime> _acknowledged = new();
        private readonly Task _loop;
        private long _inserts;
        private long _updates;

        private OldAppWriter(PaymentsDatabase payments, int seed)
        {
            _payments = payments;
            _loop = Task.Run(() => LoopAsync(new Random(seed)));
        }

        public static OldAppWriter Start(PaymentsDatabase payments, int seed) => new(payments, seed);

        public long Inserts => Interlocked.Read(ref _inserts);

        public long Updates => Interlocked.Read(ref _updates);

        /// <summary>When each acknowledged write finished (UTC).</summary>
        public DateTime[] Acknowledged => _acknowledged.ToArray();

        private async Task LoopAsync(Random random)
        {
            long[] ids = _payments.KnownIds();
            await using var connection = new NpgsqlConnection(_payments.TestConnectionString);
            await connection.OpenAsync();
            while (!_stop.IsCancellationRequested)
            {
                int? amount = random.Next(5) == 0 ? null : random.Next(100_000);
                string? label = random.Next(4) == 0 ? null : "Old-App-" + random.Next(1_000_000);
                try
                {
                    if (random.Next(2) == 0)
                    {
                        await using var insert = new NpgsqlCommand("insert into payments (amount, label) values ($1, $2) returning id", connection)
                        {
                            Parameters = { Parameter(amount), Parameter(label) },
                        };
                        long id = (long)(await insert.ExecuteScalarAsync())!;
                        _payments.Expect(id, amount, label);
                        Interlocked.Increment(ref _inserts);
                    }
                    else
                    {
                        long id = ids[random.Next(ids.Length)];
                        await using var update = new NpgsqlCommand("update payments set amount = $2, label = $3 where id = $1", connection)
                        {
                            Parameters = { new NpgsqlParameter { Value = id }, Parameter(amount), Parameter(label) },
                        };
                        if (await update.ExecuteNonQueryAsync() == 1)
                            _payments.Expect(id, amount, label);
                        Interlocked.Increment(ref _updates);
                    }
                    _acknowledged.Enqueue(DateTime.UtcNow);
                }
                catch (NpgsqlException exception)
                {
                    _errors.Enqueue(exception.Message);
                }
                await Task.Delay(3);
            }
        }

        private static NpgsqlParameter Parameter(int? value)
            => new NpgsqlParameter { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer, Value = value is int v ? v : DBNull.Value };

        private static NpgsqlParameter Parameter(string? value)
            => new NpgsqlParameter { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text, Value = value is null ? DBNull.Value : value };

        /// <summary>Stops writing; the errors the old app version saw (it must see none: expand is backward compatible).</summary>
        public async Task<IReadOnlyCollection<string>> StopAsync()
        {
            _stop.Cancel();
            await _loop;
            return _errors.ToArray();
        }

        public async ValueTask DisposeAsync()
        {
            if (!_stop.IsCancellationRequested)
                await StopAsync();
        }
    }
}
