using System;
using System.Collections.Generic;
using System.Data;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Engine.Connections;

namespace SafeMigrations.Engine.State
{
    /// <summary>
    /// One executor per database at a time: a session-level advisory lock held on the session that does the work, so
    /// the lock and the work end together. If the process dies or the session is terminated, the server releases the
    /// lock, and the work stops with it: every later statement of that executor fails, and
    /// <see cref="EnsureHeldAsync"/> (called before every step and every batch) stops it with a clear error first.
    /// </summary>
    public sealed class ExecutorLock : IAsyncDisposable
    {
        /// <summary>The advisory lock key: the ASCII bytes of "SAFEMIGR".</summary>
        public const long Key = 0x5341_4645_4D49_4752;

        /// <summary>Prefix of the application_name of every executor session, so that other sessions can see who holds it.</summary>
        public const string ApplicationName = ExecutorIdentity.ApplicationNamePrefix;

        /// <summary>
        /// Starts every statement an executor runs before it holds the lock (session setup, taking the lock, looking
        /// at other executors): a session running one of these is another executor starting, not an earlier one's work.
        /// </summary>
        internal const string StartingMarker = "/* SafeMigrations executor starting */ ";

        private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);
        private static readonly TimeSpan ReportInterval = TimeSpan.FromSeconds(5);

        private readonly NpgsqlConnection _session;
        private readonly bool _ownsSession;

        private ExecutorLock(NpgsqlConnection session, int backendPid, bool ownsSession)
        {
            _session = session;
            BackendPid = backendPid;
            _ownsSession = ownsSession;
        }

        /// <summary>Backend pid of the session holding the lock.</summary>
        public int BackendPid { get; }

        /// <summary>Takes the lock without waiting, on a session of its own that lives as long as this object.</summary>
        /// <exception cref="ExecutorLockTakenException">Another executor holds it.</exception>
        public static async Task<ExecutorLock> AcquireAsync(string connectionString, CancellationToken cancellationToken = default)
        {
            var factory = new EngineConnectionFactory(connectionString, TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(15));
            NpgsqlConnection session = await factory.OpenAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return await AcquireAsync(session, TimeSpan.Zero, null, ownsSession: true, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await session.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }

        /// <summary>
        /// Takes the lock on <paramref name="session"/> (the session that will do the work; it stays open after
        /// <see cref="DisposeAsync"/>). Before returning, waits up to <paramref name="earlierExecutorWait"/> for
        /// sessions of an earlier executor whose statements still run on the server (a killed runner's concurrent
        /// index build goes on), reporting them through <paramref name="progress"/>.
        /// </summary>
        /// <exception cref="ExecutorLockTakenException">Another executor holds the lock, or an earlier executor's statements still run after the wait.</exception>
        public static Task<ExecutorLock> AcquireAsync(NpgsqlConnection session, TimeSpan earlierExecutorWait, Action<string>? progress, CancellationToken cancellationToken = default)
            => AcquireAsync(session, earlierExecutorWait, progress, ownsSession: false, cancellationToken);

        private static async Task<ExecutorLock> AcquireAsync(NpgsqlConnection session, TimeSpan earlierExecutorWait, Action<string>? progress, bool ownsSession, CancellationToken cancellationToken)
        {
            var clock = Stopwatch.StartNew();
            TimeSpan lastReport = -ReportInterval;
            bool taken = false;
            int pid = session.ProcessID;
            try
            {
                while (true)
                {
                    if (!taken)
                        taken = await TryLockAsync(session, cancellationToken).ConfigureAwait(false);
                    IReadOnlyList<ExecutorSession> others = await OtherExecutorSessionsAsync(session, cancellationToken).ConfigureAwait(false);
                    List<ExecutorSession> waitingFor;
                    if (taken)
                    {
                        // We hold the lock, so these are no live executor's work: statements that outlived theirs.
                        waitingFor = others.Where(s => s.Busy && !(s.Query ?? string.Empty).StartsWith(StartingMarker, StringComparison.Ordinal)).ToList();
                        if (waitingFor.Count == 0)
                            return new ExecutorLock(session, pid, ownsSession);
                    }
                    else
                    {
                        ExecutorSession? holder = others.FirstOrDefault(s => s.HoldsLock);
                        if (holder is null)
                        {
                            // Released between the two queries: try again at once.
                            if (clock.Elapsed > earlierExecutorWait + PollInterval)
                                throw new ExecutorLockTakenException($"another SafeMigrations executor is running on database {session.Database} (its session could not be found); wait for it to finish.", null);
                            continue;
                        }
                        // A holder whose process is certainly gone but whose statement still runs ends by itself
                        // when the statement does: wait for it like any leftover. Anything else is refused now.
                        if (!(holder.Busy && holder.Identity?.IsCertainlyGone() == true))
                            throw new ExecutorLockTakenException(HeldMessage(session.Database, holder), holder.BackendPid);
                        waitingFor = new List<ExecutorSession> { holder };
                    }

                    if (clock.Elapsed >= earlierExecutorWait)
                        throw new ExecutorLockTakenException(LeftoverMessage(session.Database, waitingFor, clock.Elapsed), waitingFor[0].BackendPid);
                    if (clock.Elapsed - lastReport >= ReportInterval)
                    {
                        lastReport = clock.Elapsed;
                        progress?.Invoke($"waiting for {Describe(waitingFor)} to finish (waited {clock.Elapsed.TotalSeconds:0} s of at most {earlierExecutorWait.TotalSeconds:0} s)");
                    }
                    await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
                }
            }
            catch when (taken)
            {
                await UnlockQuietlyAsync(session).ConfigureAwait(false);
                throw;
            }
        }

        /// <summary>
        /// Checks that this executor still holds the lock (its session is alive and the lock is in pg_locks); called
        /// before every step.
        /// </summary>
        /// <exception cref="ExecutorLockLostException">The session ended (terminated, or the connection broke): another executor may already run.</exception>
        public async Task EnsureHeldAsync(CancellationToken cancellationToken = default)
        {
            if (_session.State != ConnectionState.Open)
                throw new ExecutorLockLostException(BackendPid, "its connection is " + _session.FullState.ToString().ToLowerInvariant(), null);
            long held;
            try
            {
                await using var command = new NpgsqlCommand(HeldByMeSql, _session);
                command.Parameters.AddWithValue("key", Key);
                held = (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            }
            catch (PostgresException exception)
            {
                throw new ExecutorLockLostException(BackendPid, $"{exception.SqlState}: {exception.MessageText}", exception);
            }
            catch (NpgsqlException exception)
            {
                throw new ExecutorLockLostException(BackendPid, exception.Message, exception);
            }
            if (held == 0)
                throw new ExecutorLockLostException(BackendPid, "the session no longer holds it", null);
        }

        /// <summary>
        /// The cheap check before every batch: the session that holds the lock still answers as the same backend. A
        /// session-level advisory lock ends only with its session (or an explicit unlock, which the per-step check
        /// catches), and reading pg_locks briefly takes every lock-manager partition: not something to do many times
        /// a second on a busy server.
        /// </summary>
        /// <exception cref="ExecutorLockLostException">The session ended.</exception>
        public async Task EnsureSessionAliveAsync(CancellationToken cancellationToken = default)
        {
            if (_session.State != ConnectionState.Open)
                throw new ExecutorLockLostException(BackendPid, "its connection is " + _session.FullState.ToString().ToLowerInvariant(), null);
            int pid;
            try
            {
                await using var command = new NpgsqlCommand("select pg_backend_pid()", _session);
                pid = (int)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            }
            catch (PostgresException exception)
            {
                throw new ExecutorLockLostException(BackendPid, $"{exception.SqlState}: {exception.MessageText}", exception);
            }
            catch (NpgsqlException exception)
            {
                throw new ExecutorLockLostException(BackendPid, exception.Message, exception);
            }
            if (pid != BackendPid)
                throw new ExecutorLockLostException(BackendPid, $"the connection now reaches backend {pid}", null);
        }

        /// <summary>Releases the lock (and closes the session when the lock opened it).</summary>
        public async ValueTask DisposeAsync()
        {
            try
            {
                await UnlockQuietlyAsync(_session).ConfigureAwait(false);
            }
            finally
            {
                if (_ownsSession)
                    await _session.DisposeAsync().ConfigureAwait(false);
            }
        }

        // A bigint advisory key shows in pg_locks as classid = high 32 bits, objid = low 32 bits, objsubid = 1.
        internal const string KeyMatch = "l.locktype = 'advisory' and l.granted and l.objsubid = 1 and l.classid::bigint = (@key >> 32) and l.objid::bigint = (@key & 4294967295)";

        private const string HeldByMeSql = "select count(*) from pg_locks l where l.pid = pg_backend_pid() and " + KeyMatch;

        private static async Task<bool> TryLockAsync(NpgsqlConnection session, CancellationToken cancellationToken)
        {
            await using var command = new NpgsqlCommand(StartingMarker + "select pg_try_advisory_lock(@key)", session);
            command.Parameters.AddWithValue("key", Key);
            return (bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }

        private static async Task UnlockQuietlyAsync(NpgsqlConnection session)
        {
            try
            {
                if (session.State == ConnectionState.Open)
                {
                    await using var command = new NpgsqlCommand("select pg_advisory_unlock(@key)", session);
                    command.Parameters.AddWithValue("key", Key);
                    await command.ExecuteScalarAsync().ConfigureAwait(false);
                }
            }
            catch (NpgsqlException)
            {
                // The session is gone, and the lock with it.
            }
        }

        private static async Task<IReadOnlyList<ExecutorSession>> OtherExecutorSessionsAsync(NpgsqlConnection session, CancellationToken cancellationToken)
        {
            // Executor sessions (by application_name) and the lock holder, whatever its name, in this database.
            const string sql = StartingMarker + @"
select a.pid, a.application_name, a.backend_start, a.state, a.state_change, a.query_start, left(regexp_replace(a.query, '\s+', ' ', 'g'), 120),
       exists (select 1 from pg_locks l where l.pid = a.pid and l.database = a.datid and " + KeyMatch + @") as holds_lock,
       now()
from pg_stat_activity a
where a.datname = current_database() and a.pid <> pg_backend_pid() and a.backend_type = 'client backend'
  and (a.application_name like @prefix or exists (select 1 from pg_locks l where l.pid = a.pid and l.database = a.datid and " + KeyMatch + @"))
order by holds_lock desc, a.pid";
            await using var command = new NpgsqlCommand(sql, session);
            command.Parameters.AddWithValue("key", Key);
            command.Parameters.AddWithValue("prefix", ApplicationName + "%");
            var sessions = new List<ExecutorSession>();
            await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                sessions.Add(new ExecutorSession(
                    reader.GetInt32(0),
                    reader.IsDBNull(1) ? string.Empty : reader.GetString(1),
                    reader.IsDBNull(2) ? null : reader.GetDateTime(2),
                    reader.IsDBNull(3) ? null : reader.GetString(3),
                    reader.IsDBNull(4) ? null : reader.GetDateTime(4),
                    reader.IsDBNull(6) ? null : reader.GetString(6),
                    reader.GetBoolean(7),
                    reader.GetDateTime(8)));
            }
            return sessions;
        }

        private static string HeldMessage(string database, ExecutorSession holder)
        {
            ExecutorIdentity? identity = holder.Identity;
            string who = (identity is null ? $"application_name '{holder.ApplicationName}'" : identity.ToString()) + $", backend pid {holder.BackendPid}, " + holder.Details();
            if (identity is not null && identity.IsCertainlyGone())
            {
                return $"another SafeMigrations executor holds the lock on database {database} ({who}), but its process {identity.ProcessId} no longer runs on this host: the session is stale. " +
                       $"End it with SELECT pg_terminate_backend({holder.BackendPid}); then rerun.";
            }
            string stop = identity is null
                ? "find the process that opened that session (pg_stat_activity.client_addr / client_port) and stop it, or wait for it to finish"
                : $"wait for it to finish, or stop process {identity.ProcessId} on {identity.Host} (its session and the lock end with it)";
            return $"another SafeMigrations executor is running on database {database} ({who}); {stop}.";
        }

        private static string LeftoverMessage(string database, IReadOnlyList<ExecutorSession> sessions, TimeSpan waited)
        {
            string cancel = string.Join("; ", sessions.Select(s => $"SELECT pg_cancel_backend({s.BackendPid})"));
            return $"an earlier SafeMigrations executor's statements still run on database {database} after waiting {waited.TotalSeconds:0} s: {Describe(sessions)}. " +
                   $"They outlived the executor that started them and would collide with this run. Wait for them to finish and rerun, or stop them with {cancel}; then rerun.";
        }

        private static string Describe(IReadOnlyList<ExecutorSession> sessions)
            => string.Join("; ", sessions.Select(s => $"backend pid {s.BackendPid} (" + (s.Identity is null ? $"'{s.ApplicationName}'" : s.Identity + (s.Identity.IsCertainlyGone() ? ", which no longer runs" : string.Empty)) + ", " + s.Details() + ")"));

        private sealed class ExecutorSession
        {
            public ExecutorSession(int backendPid, string applicationName, DateTime? since, string? state, DateTime? stateChange, string? query, bool holdsLock, DateTime now)
            {
                BackendPid = backendPid;
                ApplicationName = applicationName;
                Since = since;
                State = state;
                StateChange = stateChange;
                Query = query;
                HoldsLock = holdsLock;
                Now = now;
                Identity = ExecutorIdentity.Parse(applicationName);
            }

            public int BackendPid { get; }

            public string ApplicationName { get; }

            public DateTime? Since { get; }

            public string? State { get; }

            public DateTime? StateChange { get; }

            public string? Query { get; }

            public bool HoldsLock { get; }

            public DateTime Now { get; }

            public ExecutorIdentity? Identity { get; }

            /// <summary>Running a statement or inside a transaction (holding whatever it locked).</summary>
            public bool Busy => State is not null && State != "idle";

            public string Details()
            {
                string text = Since is DateTime since ? $"connected since {since.ToUniversalTime():u}" : "connected";
                if (State is null)
                    return text;
                string forHow = StateChange is DateTime change ? $" for {Math.Max(0, (Now - change).TotalSeconds):0} s" : string.Empty;
                return text + $", {State}{forHow}" + (State != "idle" && !string.IsNullOrEmpty(Query) ? $": {Query}" : string.Empty);
            }
        }
    }

    /// <summary>Another executor holds the executor lock on this database, or an earlier executor's statements still run.</summary>
    public sealed class ExecutorLockTakenException : Exception
    {
        /// <summary>Creates the exception.</summary>
        public ExecutorLockTakenException(string message, int? holderPid)
            : base(message)
        {
            HolderPid = holderPid;
        }

        /// <summary>Backend pid of the session holding the lock (or still running), when it could be found.</summary>
        public int? HolderPid { get; }
    }

    /// <summary>The executor's session ended while it ran: the lock went with it, and another executor may already be running.</summary>
    public sealed class ExecutorLockLostException : Exception
    {
        /// <summary>Creates the exception.</summary>
        public ExecutorLockLostException(int backendPid, string reason, Exception? inner)
            : base($"lost the executor lock: its session (backend pid {backendPid}) ended ({reason}); stopped at once so that no other executor's work overlaps this one's", inner)
        {
            BackendPid = backendPid;
        }

        /// <summary>Backend pid of the lost session.</summary>
        public int BackendPid { get; }
    }
}
