using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace SafeMigrations.Engine.Execution
{
    /// <summary>A session a concurrent index build waits for (from <c>pg_stat_activity</c>).</summary>
    public sealed class BlockingSession
    {
        internal BlockingSession(int pid, string? state, string? applicationName, TimeSpan? transactionAge, string? userName)
        {
            Pid = pid;
            State = state;
            ApplicationName = applicationName;
            TransactionAge = transactionAge;
            UserName = userName;
        }

        /// <summary>Server process id.</summary>
        public int Pid { get; }

        /// <summary><c>pg_stat_activity.state</c>, e.g. <c>idle in transaction</c>, or <c>ended</c>.</summary>
        public string? State { get; }

        /// <summary>The session's application_name, when set.</summary>
        public string? ApplicationName { get; }

        /// <summary>How long its transaction has been open.</summary>
        public TimeSpan? TransactionAge { get; }

        /// <summary>The role it is logged in as. (Its query text is never printed: it can hold data.)</summary>
        public string? UserName { get; }

        /// <inheritdoc />
        public override string ToString()
        {
            var parts = new List<string> { State ?? "ended" };
            if (!string.IsNullOrEmpty(ApplicationName))
                parts.Add($"application \"{ApplicationName}\"");
            if (TransactionAge is TimeSpan age)
                parts.Add("transaction open for " + IndexBuildMonitor.Seconds(age));
            if (!string.IsNullOrEmpty(UserName))
                parts.Add($"user \"{UserName}\"");
            return $"pid {Pid} ({string.Join(", ", parts)})";
        }
    }

    /// <summary>
    /// Watches a <c>CREATE INDEX CONCURRENTLY</c> from a second session: reports its phase and blocks/tuples done from
    /// <c>pg_stat_progress_create_index</c>, and while it waits for other transactions (which it does even for
    /// transactions on other tables) which sessions those are and for how long. With a wait cap, cancels the build
    /// (<c>pg_cancel_backend</c>) once one wait lasts longer.
    /// </summary>
    internal sealed class IndexBuildMonitor
    {
        private readonly int _builderPid;
        private readonly string _indexName;
        private readonly Action<string>? _progress;
        private readonly TimeSpan? _waitCap;
        private readonly TimeSpan _pollInterval;

        public IndexBuildMonitor(int builderPid, string indexName, Action<string>? progress, TimeSpan? waitCap, TimeSpan pollInterval)
        {
            _builderPid = builderPid;
            _indexName = indexName;
            _progress = progress;
            _waitCap = waitCap;
            _pollInterval = pollInterval;
        }

        /// <summary>Set when the monitor cancelled the build because a wait exceeded the cap: the sessions it waited for.</summary>
        public IReadOnlyList<BlockingSession>? CancelledFor { get; private set; }

        /// <summary>How long the wait had lasted when the build was cancelled.</summary>
        public TimeSpan CancelledAfter { get; private set; }

        /// <summary>The phase the build was in when cancelled.</summary>
        public string? CancelledInPhase { get; private set; }

        /// <summary>Polls until <paramref name="stop"/> is cancelled (the build ended). Never throws: a monitor that cannot read just stops.</summary>
        public async Task RunAsync(NpgsqlConnection monitor, CancellationToken stop)
        {
            Stopwatch? waiting = null;
            TimeSpan waitedBefore = TimeSpan.Zero;
            string? waitingPhase = null;
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    await Task.Delay(_pollInterval, stop).ConfigureAwait(false);
                    Snapshot? snapshot = await ReadAsync(monitor, stop).ConfigureAwait(false);
                    if (snapshot is null)
                        continue;
                    if (!snapshot.Phase.StartsWith("waiting", StringComparison.Ordinal))
                    {
                        waiting = null;
                        waitingPhase = null;
                        _progress?.Invoke($"index \"{_indexName}\" {snapshot.Phase}{Counts(snapshot)}");
                        continue;
                    }

                    if (waiting is null || waitingPhase != snapshot.Phase)
                    {
                        // The wait began before this poll saw it: pg_locks.waitstart (PostgreSQL 14+) says when.
                        waiting = Stopwatch.StartNew();
                        waitedBefore = snapshot.LockWaitAge ?? TimeSpan.Zero;
                        waitingPhase = snapshot.Phase;
                    }
                    TimeSpan waited = waitedBefore + waiting.Elapsed;
                    IReadOnlyList<BlockingSession> sessions = await SessionsAsync(monitor, snapshot.WaitingFor, stop).ConfigureAwait(false);
                    string who = sessions.Count == 0 ? "other transactions" : string.Join("; ", sessions);
                    string lockers = snapshot.LockersTotal > 0 ? $", {snapshot.LockersDone} of {snapshot.LockersTotal} done" : string.Empty;
                    _progress?.Invoke($"index \"{_indexName}\" {snapshot.Phase}{lockers}: waiting {Seconds(waited)} for {who}" + (_waitCap is TimeSpan cap ? $" (gives up after {Seconds(cap)})" : string.Empty));
                    if (_waitCap is TimeSpan limit && waited > limit)
                    {
                        CancelledFor = sessions;
                        CancelledAfter = waited;
                        CancelledInPhase = snapshot.Phase;
                        await using var cancel = new NpgsqlCommand("select pg_cancel_backend(@pid)", monitor);
                        cancel.Parameters.AddWithValue("pid", _builderPid);
                        await cancel.ExecuteScalarAsync(stop).ConfigureAwait(false);
                        return;
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // The build ended.
            }
            catch (Exception exception) when (exception is NpgsqlException || exception is InvalidOperationException || exception is TimeoutException)
            {
                if (!stop.IsCancellationRequested)
                    _progress?.Invoke($"index \"{_indexName}\": progress no longer available ({exception.Message}); the build goes on");
            }
        }

        internal static string Seconds(TimeSpan value) => value.TotalSeconds.ToString("0", CultureInfo.InvariantCulture) + " s";

        private static string Counts(Snapshot snapshot)
        {
            string text = string.Empty;
            if (snapshot.BlocksTotal > 0)
                text += $", blocks {snapshot.BlocksDone}/{snapshot.BlocksTotal} ({100.0 * snapshot.BlocksDone / snapshot.BlocksTotal:0}%)";
            if (snapshot.TuplesTotal > 0)
                text += $", tuples {snapshot.TuplesDone}/{snapshot.TuplesTotal}";
            else if (snapshot.TuplesDone > 0)
                text += $", tuples {snapshot.TuplesDone}";
            return text;
        }

        private async Task<Snapshot?> ReadAsync(NpgsqlConnection monitor, CancellationToken cancellationToken)
        {
            const string sql = @"
select p.phase, p.blocks_done, p.blocks_total, p.tuples_done, p.tuples_total, p.lockers_done, p.lockers_total,
       p.current_locker_pid, pg_blocking_pids(p.pid),
       clock_timestamp() - (select min((to_jsonb(l) ->> 'waitstart')::timestamptz) from pg_locks l where l.pid = p.pid and not l.granted)
from pg_stat_progress_create_index p where p.pid = @pid";
            await using var command = new NpgsqlCommand(sql, monitor) { CommandTimeout = 30 };
            command.Parameters.AddWithValue("pid", _builderPid);
            await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                return null;
            var waitingFor = new List<int>();
            long current = reader.IsDBNull(7) ? 0 : reader.GetInt64(7);
            if (current > 0)
                waitingFor.Add((int)current);
            if (!reader.IsDBNull(8))
                waitingFor.AddRange(reader.GetFieldValue<int[]>(8).Where(pid => !waitingFor.Contains(pid)));
            return new Snapshot(
                reader.GetString(0),
                reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6),
                waitingFor,
                reader.IsDBNull(9) ? null : reader.GetFieldValue<TimeSpan>(9));
        }

        private static async Task<IReadOnlyList<BlockingSession>> SessionsAsync(NpgsqlConnection monitor, IReadOnlyList<int> pids, CancellationToken cancellationToken)
        {
            if (pids.Count == 0)
                return Array.Empty<BlockingSession>();
            const string sql = @"
select p.pid, case when a.pid is null then 'ended' else coalesce(a.state, 'state not visible to this role (needs pg_read_all_stats)') end,
       nullif(a.application_name, ''), now() - a.xact_start, a.usename::text
from unnest(@pids) as p(pid) left join pg_stat_activity a on a.pid = p.pid";
            await using var command = new NpgsqlCommand(sql, monitor) { CommandTimeout = 30 };
            command.Parameters.AddWithValue("pids", pids.ToArray());
            var sessions = new List<BlockingSession>();
            await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                sessions.Add(new BlockingSession(
                    reader.GetInt32(0),
                    reader.IsDBNull(1) ? null : reader.GetString(1),
                    reader.IsDBNull(2) ? null : reader.GetString(2),
                    reader.IsDBNull(3) ? null : reader.GetFieldValue<TimeSpan>(3),
                    reader.IsDBNull(4) ? null : reader.GetString(4)));
            }
            return sessions;
        }

        private sealed class Snapshot
        {
            public Snapshot(string phase, long blocksDone, long blocksTotal, long tuplesDone, long tuplesTotal, long lockersDone, long lockersTotal, IReadOnlyList<int> waitingFor, TimeSpan? lockWaitAge)
            {
                LockWaitAge = lockWaitAge;
                Phase = phase;
                BlocksDone = blocksDone;
                BlocksTotal = blocksTotal;
                TuplesDone = tuplesDone;
                TuplesTotal = tuplesTotal;
                LockersDone = lockersDone;
                LockersTotal = lockersTotal;
                WaitingFor = waitingFor;
            }

            public string Phase { get; }
            public long BlocksDone { get; }
            public long BlocksTotal { get; }
            public long TuplesDone { get; }
            public long TuplesTotal { get; }
            public long LockersDone { get; }
            public long LockersTotal { get; }
            public IReadOnlyList<int> WaitingFor { get; }
            public TimeSpan? LockWaitAge { get; }
        }
    }
}
