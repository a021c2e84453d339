using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Engine.Applying;
using SafeMigrations.Engine.Planning;

namespace SafeMigrations.Engine.Verifying
{
    /// <summary>
    /// Traces each step the engine runs: samples <c>pg_locks</c> of the executor's backend from a second connection
    /// every few milliseconds, reads the locks and the scans of the step's own transaction just before it commits,
    /// and compares <c>relfilenode</c> and <c>seq_scan</c> of the pre-existing tables before and after the step.
    /// </summary>
    internal sealed class StepTracer : IStepObserver, IAsyncDisposable
    {
        private const string LocksOfBackend = @"SELECT l.relation::bigint, l.mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
WHERE l.pid = $1 AND l.locktype = 'relation' AND l.granted AND c.relkind IN ('r', 'p')
  AND c.relnamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace) AND c.relnamespace::regnamespace::text <> 'safemigrations'";

        private readonly string _connectionString;
        private readonly TimeSpan _sampleInterval;
        private NpgsqlConnection? _monitor;
        private NpgsqlCommand? _sample;
        private bool _canForceStatsFlush;

        private Current? _current;

        public StepTracer(string connectionString, TimeSpan sampleInterval)
        {
            _connectionString = connectionString;
            _sampleInterval = sampleInterval;
        }

        /// <summary>Tables (oid → qualified name) that existed before the current migration started.</summary>
        public IReadOnlyDictionary<long, string> PreExisting { get; set; } = new Dictionary<long, string>();

        /// <summary>The pass that the next steps belong to.</summary>
        public VerifyRound Round { get; set; }

        /// <summary>Every traced step, in order.</summary>
        public List<StepTrace> Traces { get; } = new List<StepTrace>();

        public async Task BeforeStepAsync(PlanStep step, NpgsqlConnection connection, CancellationToken cancellationToken)
        {
            NpgsqlConnection monitor = await MonitorAsync(cancellationToken).ConfigureAwait(false);
            await FlushStatsAsync(connection, cancellationToken).ConfigureAwait(false);
            var current = new Current(new StepTrace(step, Round))
            {
                FileNodesBefore = await FileNodesAsync(monitor, cancellationToken).ConfigureAwait(false),
                CountersBefore = await CountersAsync(monitor, cancellationToken).ConfigureAwait(false),
            };
            NpgsqlCommand sample = await SamplerAsync(cancellationToken).ConfigureAwait(false);
            sample.Parameters[0].Value = connection.ProcessID;
            current.Clock.Start();
            current.Sampler = Task.Run(() => SampleAsync(sample, current), CancellationToken.None);
            _current = current;
            Traces.Add(current.Trace);
        }

        public async Task BeforeCommitAsync(PlanStep step, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
        {
            Current? current = _current;
            if (current is null)
                return;
            // A retried attempt starts over: only the attempt that commits counts.
            current.HeldAtCommit.Clear();
            current.ScannedInTransaction.Clear();
            current.ChangedInTransaction.Clear();
            await using (var command = new NpgsqlCommand(LocksOfBackend.Replace("$1", "pg_backend_pid()"), connection, transaction))
            await using (NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    current.HeldAtCommit.Add((reader.GetInt64(0), LockModes.ToSql(reader.GetString(1))));
            }
            // Row counts of this transaction, from the server (SM1015); the engine's own state table aside.
            await using (var command = new NpgsqlCommand("SELECT relid::bigint, seq_scan, n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_xact_user_tables WHERE (seq_scan > 0 OR n_tup_ins + n_tup_upd + n_tup_del > 0) AND schemaname <> 'safemigrations'", connection, transaction))
            await using (NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    if (reader.GetInt64(1) > 0)
                        current.ScannedInTransaction[reader.GetInt64(0)] = reader.GetInt64(1);
                    if (reader.GetInt64(2) + reader.GetInt64(3) + reader.GetInt64(4) > 0)
                        current.ChangedInTransaction[reader.GetInt64(0)] = new RowChanges(reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4));
                }
            }
        }

        public async Task AfterStepAsync(PlanStep step, NpgsqlConnection connection, Exception? failure, CancellationToken cancellationToken)
        {
            Current? current = _current;
            _current = null;
            if (current is null)
                return;
            double end = current.Clock.Elapsed.TotalMilliseconds;
            current.Stop.Cancel();
            await current.Sampler!.ConfigureAwait(false);
            StepTrace trace = current.Trace;
            trace.Duration = current.Clock.Elapsed;
            if (failure is not null)
                trace.Error = failure.Message;

            // Locks: held until commit when seen just before it; else from first to last sample (plus one interval).
            var keys = current.Sampled.Keys.Concat(current.HeldAtCommit).Distinct();
            foreach ((long oid, string mode) in keys)
            {
                bool atCommit = current.HeldAtCommit.Contains((oid, mode));
                double first = current.Sampled.TryGetValue((oid, mode), out var seen) ? Math.Max(0, seen.First - _sampleInterval.TotalMilliseconds) : 0;
                double last = atCommit ? end : seen.Last;
                bool preExisting = PreExisting.TryGetValue(oid, out string? name);
                name ??= await NameAsync(oid, cancellationToken).ConfigureAwait(false);
                trace.Locks.Add(new HeldLock(name, mode, Math.Max(last - first, 0), preExisting));
                if (preExisting && LockModes.Blocks(mode) && current.ScannedInTransaction.TryGetValue(oid, out long scans) && scans > 0 && !trace.ScannedUnderBlockingLock.Contains(name))
                    trace.ScannedUnderBlockingLock.Add(name);
            }

            if (failure is null && step.Transaction == StepTransaction.Own)
            {
                foreach (KeyValuePair<long, RowChanges> changed in current.ChangedInTransaction)
                    trace.RowChanges[PreExisting.TryGetValue(changed.Key, out string? table) ? table : await NameAsync(changed.Key, cancellationToken).ConfigureAwait(false)] = changed.Value;
                trace.ScannedTables.AddRange(current.ScannedInTransaction.Keys.Where(PreExisting.ContainsKey).Select(oid => PreExisting[oid]));
            }

            try
            {
                NpgsqlConnection monitor = await MonitorAsync(CancellationToken.None).ConfigureAwait(false);
                if (failure is null)
                    await FlushStatsAsync(connection, CancellationToken.None).ConfigureAwait(false);
                Dictionary<long, long> fileNodes = await FileNodesAsync(monitor, CancellationToken.None).ConfigureAwait(false);
                foreach (KeyValuePair<long, long> before in current.FileNodesBefore)
                {
                    if (fileNodes.TryGetValue(before.Key, out long after) && after != before.Value)
                        trace.Rewrites.Add(PreExisting[before.Key]);
                }
                Dictionary<long, TableCounters> countersAfter = await CountersAsync(monitor, CancellationToken.None).ConfigureAwait(false);
                foreach (KeyValuePair<long, TableCounters> before in current.CountersBefore)
                {
                    if (countersAfter.TryGetValue(before.Key, out TableCounters? after) && after.Scans > before.Value.Scans)
                        trace.Scans[PreExisting[before.Key]] = after.Scans - before.Value.Scans;
                }
                if (failure is null && step.Transaction == StepTransaction.None)
                {
                    foreach (KeyValuePair<long, TableCounters> before in current.CountersBefore)
                    {
                        if (countersAfter.TryGetValue(before.Key, out TableCounters? after) && (after.Inserted, after.Updated, after.Deleted) != (before.Value.Inserted, before.Value.Updated, before.Value.Deleted))
                            trace.RowChanges[PreExisting[before.Key]] = new RowChanges(after.Inserted - before.Value.Inserted, after.Updated - before.Value.Updated, after.Deleted - before.Value.Deleted);
                    }
                    trace.ScannedTables.AddRange(trace.Scans.Keys);
                }
                // Outside a transaction only the samples can tie a scan to a blocking lock.
                if (step.Transaction != StepTransaction.Own)
                {
                    foreach (HeldLock held in trace.Locks.Where(l => l.PreExisting && l.Blocking && trace.Scans.ContainsKey(l.Relation)))
                    {
                        if (!trace.ScannedUnderBlockingLock.Contains(held.Relation))
                            trace.ScannedUnderBlockingLock.Add(held.Relation);
                    }
                }
            }
            catch (NpgsqlException) when (failure is not null)
            {
                // The step broke the server connection; its failure is what gets reported.
            }
        }

        private async Task SampleAsync(NpgsqlCommand command, Current current)
        {
            try
            {
                while (!current.Stop.IsCancellationRequested)
                {
                    double now = current.Clock.Elapsed.TotalMilliseconds;
                    await using (NpgsqlDataReader reader = await command.ExecuteReaderAsync(CancellationToken.None).ConfigureAwait(false))
                    {
                        while (await reader.ReadAsync(CancellationToken.None).ConfigureAwait(false))
                        {
                            var key = (reader.GetInt64(0), LockModes.ToSql(reader.GetString(1)));
                            current.Sampled[key] = current.Sampled.TryGetValue(key, out var seen) ? (seen.First, now) : (now, now);
                        }
                    }
                    await Task.Delay(_sampleInterval, current.Stop.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
                // The step ended.
            }
            catch (NpgsqlException)
            {
                // The sampler lost its connection (server gone): the commit-time read and the step's outcome remain.
            }
        }

        /// <summary>One connection and prepared query for all samples: opening one per step would miss a step's first milliseconds.</summary>
        private async Task<NpgsqlCommand> SamplerAsync(CancellationToken cancellationToken)
        {
            if (_sample is not null && _sample.Connection?.State == System.Data.ConnectionState.Open)
                return _sample;
            var builder = new NpgsqlConnectionStringBuilder(_connectionString) { Pooling = false, ApplicationName = "safemigrations-verify-sampler" };
            var connection = new NpgsqlConnection(builder.ConnectionString);
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            var command = new NpgsqlCommand(LocksOfBackend, connection);
            command.Parameters.Add(new NpgsqlParameter { Value = 0 });
            await command.PrepareAsync(cancellationToken).ConfigureAwait(false);
            _sample = command;
            return command;
        }

        private async Task<NpgsqlConnection> MonitorAsync(CancellationToken cancellationToken)
        {
            if (_monitor is not null)
                return _monitor;
            var builder = new NpgsqlConnectionStringBuilder(_connectionString) { Pooling = false, ApplicationName = "safemigrations-verify-monitor" };
            var monitor = new NpgsqlConnection(builder.ConnectionString);
            await monitor.OpenAsync(cancellationToken).ConfigureAwait(false);
            _canForceStatsFlush = monitor.PostgreSqlVersion.Major >= 15;
            _monitor = monitor;
            return monitor;
        }

        /// <summary>
        /// PostgreSQL 15+ backends flush their table statistics at most once a second; forcing the next flush (done as
        /// the backend goes idle, before it answers) makes the executor's scans visible to the monitor at once.
        /// </summary>
        private async Task FlushStatsAsync(NpgsqlConnection executor, CancellationToken cancellationToken)
        {
            if (!_canForceStatsFlush)
                return;
            await using var command = new NpgsqlCommand("SELECT pg_stat_force_next_flush()", executor);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        private async Task<Dictionary<long, long>> FileNodesAsync(NpgsqlConnection monitor, CancellationToken cancellationToken)
        {
            var result = new Dictionary<long, long>();
            await using var command = new NpgsqlCommand("SELECT oid::bigint, relfilenode::bigint FROM pg_class WHERE oid = ANY($1)", monitor);
            command.Parameters.Add(new NpgsqlParameter { Value = PreExisting.Keys.Select(k => (uint)k).ToArray(), NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Oid });
            await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                result[reader.GetInt64(0)] = reader.GetInt64(1);
            return result;
        }

        /// <summary>Sequential scans and rows inserted, updated and deleted of each pre-existing table, as flushed to the statistics.</summary>
        private async Task<Dictionary<long, TableCounters>> CountersAsync(NpgsqlConnection monitor, CancellationToken cancellationToken)
        {
            var result = new Dictionary<long, TableCounters>();
            // Each statement is its own transaction, so the stats snapshot is fresh every time.
            await using var command = new NpgsqlCommand("SELECT relid::bigint, coalesce(seq_scan, 0), n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_user_tables WHERE relid = ANY($1)", monitor);
            command.Parameters.Add(new NpgsqlParameter { Value = PreExisting.Keys.Select(k => (uint)k).ToArray(), NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Oid });
            await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                result[reader.GetInt64(0)] = new TableCounters(reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4));
            return result;
        }

        private async Task<string> NameAsync(long oid, CancellationToken cancellationToken)
        {
            NpgsqlConnection monitor = await MonitorAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand("SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = $1", monitor);
            command.Parameters.Add(new NpgsqlParameter { Value = (uint)oid, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Oid });
            await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            // Spelled like the pre-existing tables' names, so the report reads the same either way.
            return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? SqlIdentifier.Qualify(reader.GetString(0), reader.GetString(1)) : "relation " + oid;
        }

        public async ValueTask DisposeAsync()
        {
            if (_sample?.Connection is NpgsqlConnection sampler)
            {
                await _sample.DisposeAsync().ConfigureAwait(false);
                await sampler.DisposeAsync().ConfigureAwait(false);
            }
            _sample = null;
            if (_monitor is not null)
                await _monitor.DisposeAsync().ConfigureAwait(false);
            _monitor = null;
        }

        private sealed record TableCounters(long Scans, long Inserted, long Updated, long Deleted);

        private sealed class Current
        {
            public Current(StepTrace trace)
            {
                Trace = trace;
            }

            public StepTrace Trace { get; }
            public Stopwatch Clock { get; } = new Stopwatch();
            public CancellationTokenSource Stop { get; } = new CancellationTokenSource();
            public Task? Sampler { get; set; }
            public Dictionary<long, long> FileNodesBefore { get; set; } = new Dictionary<long, long>();
            public Dictionary<long, TableCounters> CountersBefore { get; set; } = new Dictionary<long, TableCounters>();
            public System.Collections.Concurrent.ConcurrentDictionary<(long Oid, string Mode), (double First, double Last)> Sampled { get; } = new System.Collections.Concurrent.ConcurrentDictionary<(long, string), (double, double)>();
            public HashSet<(long Oid, string Mode)> HeldAtCommit { get; } = new HashSet<(long, string)>();
            public Dictionary<long, long> ScannedInTransaction { get; } = new Dictionary<long, long>();
            public Dictionary<long, RowChanges> ChangedInTransaction { get; } = new Dictionary<long, RowChanges>();
        }
    }
}
