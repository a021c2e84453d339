using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Engine.Execution;

namespace SafeMigrations.Engine.Backfill
{
    /// <summary>
    /// After the key-ordered batches, fills the rows they skipped because an application transaction held them (and
    /// rows the application left to do behind the cursor): finds every row still to do in one scan, changes those no
    /// one holds now (SKIP LOCKED again), then waits for each row still held, one row at a time under the step's
    /// lock_timeout and retries. Waiting on one row holds no other row, so no writer queues behind the sweep; a row
    /// held past the retries stops the step with a message naming the row.
    /// </summary>
    internal sealed class LockedRowSweep
    {
        /// <summary>Rows read per scan for the rows still to do.</summary>
        internal const int ScanLimit = 10_000;

        /// <summary>Keys per statement of the SKIP LOCKED pass.</summary>
        private const int ChunkSize = 1_000;

        /// <summary>Scans of the table before the sweep gives up on rows that stay to do (the application keeps writing them, or the assignment leaves them matching).</summary>
        private const int MaxScans = 3;

        private readonly KeysetStatements _statements;
        private readonly BlockingStepRunner _runner;
        private readonly string _table;
        private readonly IReadOnlyList<string> _keyNames;

        public LockedRowSweep(KeysetStatements statements, BlockingStepRunner runner, string table, IReadOnlyList<string> keyNames)
        {
            _statements = statements;
            _runner = runner;
            _table = table;
            _keyNames = keyNames;
        }

        /// <summary>Rows changed by the sweep.</summary>
        public long RowsChanged { get; private set; }

        /// <summary>Lock retries of the sweep's transactions.</summary>
        public int Retries { get; private set; }

        /// <summary>Runs the sweep; returns the rows still to do at the last scan (0 when done).</summary>
        /// <exception cref="StepFailedException">A row stayed locked past the lock retries (<see cref="StepFailedException.RetriesExhausted"/>), or a statement failed.</exception>
        public async Task<long> RunAsync(NpgsqlConnection connection, Action<StepAttempt>? onAttempt, CancellationToken cancellationToken)
        {
            List<string[]> previous = new List<string[]>();
            for (int scan = 1; ; scan++)
            {
                List<string[]> keys = await ReadKeysAsync(connection, cancellationToken).ConfigureAwait(false);
                // The same rows again after a full round: the assignment leaves them to do, or the application rewrites them; the verification reports them.
                if (keys.Count == 0 || scan > MaxScans || SameKeys(keys, previous))
                    return keys.Count;
                previous = keys;

                var changed = new HashSet<string>(StringComparer.Ordinal);
                foreach (List<string[]> chunk in Chunks(keys))
                {
                    StepResult<List<string[]>> result = await _runner.RunAsync(connection, async (transaction, token) =>
                    {
                        await using NpgsqlCommand command = _statements.ChangeUnlocked(connection, transaction, chunk);
                        return await ReadAllAsync(command, token).ConfigureAwait(false);
                    }, onAttempt, cancellationToken).ConfigureAwait(false);
                    Retries += result.Retries;
                    RowsChanged += result.Value.Count;
                    foreach (string[] key in result.Value)
                        changed.Add(Joined(key));
                }

                // Rows the pass skipped: held by a transaction right now. Wait for each alone.
                List<string[]> skipped = keys.Where(k => !changed.Contains(Joined(k))).ToList();
                if (skipped.Count > 0)
                {
                    List<string[]> held = await StillRemainingAsync(connection, skipped, cancellationToken).ConfigureAwait(false);
                    foreach (string[] key in held)
                        await ChangeWaitingAsync(connection, key, onAttempt, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        private async Task ChangeWaitingAsync(NpgsqlConnection connection, string[] key, Action<StepAttempt>? onAttempt, CancellationToken cancellationToken)
        {
            try
            {
                StepResult<int> result = await _runner.RunAsync(connection, async (transaction, token) =>
                {
                    await using NpgsqlCommand command = _statements.ChangeOne(connection, transaction, key);
                    return await command.ExecuteNonQueryAsync(token).ConfigureAwait(false);
                }, onAttempt, cancellationToken).ConfigureAwait(false);
                Retries += result.Retries;
                RowsChanged += result.Value;
            }
            catch (StepFailedException failed) when (failed.RetriesExhausted)
            {
                Retries += Math.Max(0, failed.Attempts.Count - 1);
                string row = $"({string.Join(", ", _keyNames.Select(SqlIdentifier.Quote))}) = ({string.Join(", ", key)})";
                throw new StepFailedException(
                    $"Row {row} of {_table} stayed locked by another transaction through every lock_timeout retry ({failed.Attempts.Count} attempts); every other row is done. " +
                    "Find the holder in pg_stat_activity (a long-running or idle-in-transaction session), let it finish or end it, then rerun: the rerun fills only the rows left.",
                    failed.Attempts,
                    retriesExhausted: true,
                    failed.InnerException);
            }
        }

        private async Task<List<string[]>> ReadKeysAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
        {
            await using NpgsqlCommand command = _statements.RemainingKeys(connection, ScanLimit);
            List<string[]> keys = await ReadAllAsync(command, cancellationToken).ConfigureAwait(false);
            // In a fixed order, so two scans that found the same rows compare equal.
            keys.Sort((x, y) => string.CompareOrdinal(Joined(x), Joined(y)));
            return keys;
        }

        private async Task<List<string[]>> StillRemainingAsync(NpgsqlConnection connection, IReadOnlyList<string[]> keys, CancellationToken cancellationToken)
        {
            await using NpgsqlCommand command = _statements.StillRemaining(connection, keys);
            return await ReadAllAsync(command, cancellationToken).ConfigureAwait(false);
        }

        private static async Task<List<string[]>> ReadAllAsync(NpgsqlCommand command, CancellationToken cancellationToken)
        {
            var rows = new List<string[]>();
            await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var key = new string[reader.FieldCount];
                for (int i = 0; i < key.Length; i++)
                    key[i] = reader.GetString(i);
                rows.Add(key);
            }
            return rows;
        }

        private static IEnumerable<List<string[]>> Chunks(List<string[]> keys)
        {
            for (int start = 0; start < keys.Count; start += ChunkSize)
                yield return keys.GetRange(start, Math.Min(ChunkSize, keys.Count - start));
        }

        private static bool SameKeys(List<string[]> keys, List<string[]> previous)
            => keys.Count == previous.Count && keys.Select(Joined).SequenceEqual(previous.Select(Joined));

        // A separator no text key value holds (NUL is not allowed in PostgreSQL text).
        private static string Joined(string[] key) => string.Join("\0", key);
    }
}
