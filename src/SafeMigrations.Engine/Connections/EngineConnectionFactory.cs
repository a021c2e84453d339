using System;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Engine.Applying;

namespace SafeMigrations.Engine.Connections
{
    /// <summary>
    /// Opens every session the engine works on, with what makes a stalled network or a dead peer end in bounded time
    /// instead of a silent hang with locks held: TCP keepalives on both ends, a command timeout on every statement, a
    /// server-side <c>idle_in_transaction_session_timeout</c> (a transaction left open by a stalled client ends and
    /// releases its locks), <c>tcp_user_timeout</c>, and, from PostgreSQL 14, <c>client_connection_check_interval</c>
    /// (a statement whose client died is stopped by the server instead of running on). The session's
    /// <c>application_name</c> names the executor process (<see cref="ExecutorIdentity"/>).
    /// </summary>
    public sealed class EngineConnectionFactory
    {
        private readonly string _connectionString;
        private readonly string _sessionSettings;
        private Func<string, NpgsqlConnection>? _createConnection;

        /// <summary>Creates the factory.</summary>
        /// <param name="connectionString">The user's connection string.</param>
        /// <param name="statementTimeout">How long the client waits for the answer to any one statement (a concurrent index build opts out per command).</param>
        /// <param name="idleInTransactionTimeout">How long the server keeps a transaction of this session open without a statement from the client.</param>
        /// <param name="keepAlive">Idle time before keepalive probes start, on both ends.</param>
        /// <param name="identity">The executor the sessions belong to; this process by default.</param>
        public EngineConnectionFactory(string connectionString, TimeSpan statementTimeout, TimeSpan idleInTransactionTimeout, TimeSpan keepAlive, ExecutorIdentity? identity = null)
        {
            if (statementTimeout <= TimeSpan.Zero || idleInTransactionTimeout <= TimeSpan.Zero || keepAlive <= TimeSpan.Zero)
                throw new ArgumentOutOfRangeException(nameof(statementTimeout), "Timeouts must be positive.");
            Identity = identity ?? ExecutorIdentity.Current;
            StatementTimeout = statementTimeout;
            int keepAliveSeconds = Seconds(keepAlive);
            int probeInterval = Math.Max(1, keepAliveSeconds / 3);
            var builder = new NpgsqlConnectionStringBuilder(connectionString)
            {
                // The executor lock and the session settings belong to one session that lives exactly as long as the
                // run: a pooled connection would carry both back into a pool.
                Pooling = false,
                ApplicationName = Identity.ApplicationName,
                // Application-level ping while idle (between batches, during a pause).
                KeepAlive = keepAliveSeconds,
                // Kernel probes while a statement runs: a vanished server or path is noticed within about
                // keepAlive + probes x interval instead of the OS default of two hours.
                TcpKeepAlive = true,
                TcpKeepAliveTime = keepAliveSeconds,
                TcpKeepAliveInterval = probeInterval,
                CommandTimeout = Seconds(statementTimeout),
            };
            _connectionString = builder.ConnectionString;
            // Dead-peer bound for the server's side: idle + count x interval, and the same for unacknowledged data.
            const int probes = 3;
            int userTimeoutMs = (keepAliveSeconds + probes * probeInterval) * 1000;
            _sessionSettings = string.Join("; ", new[]
            {
                $"{State.ExecutorLock.StartingMarker}SET idle_in_transaction_session_timeout = {Milliseconds(idleInTransactionTimeout)}",
                $"SET tcp_keepalives_idle = {keepAliveSeconds}",
                $"SET tcp_keepalives_interval = {probeInterval}",
                $"SET tcp_keepalives_count = {probes}",
                $"SET tcp_user_timeout = {userTimeoutMs.ToString(CultureInfo.InvariantCulture)}",
            });
            ClientCheckInterval = TimeSpan.FromSeconds(Math.Min(5, keepAliveSeconds));
        }

        /// <summary>The factory for a run with these options.</summary>
        public static EngineConnectionFactory For(EngineOptions options)
            => new EngineConnectionFactory(options.ConnectionString, options.StatementTimeout, options.IdleInTransactionTimeout, options.KeepAlive) { _createConnection = options.CreateConnection };

        /// <summary>The executor the sessions are named after.</summary>
        public ExecutorIdentity Identity { get; }

        /// <summary>The client-side wait for each statement's answer.</summary>
        public TimeSpan StatementTimeout { get; }

        /// <summary>How often the server checks, while a statement runs, that the client is still there (PostgreSQL 14+).</summary>
        public TimeSpan ClientCheckInterval { get; }

        /// <summary>Opens a session and applies the session settings.</summary>
        /// <exception cref="NpgsqlException">The server cannot be reached or refuses the session.</exception>
        public async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken = default)
        {
            NpgsqlConnection connection = _createConnection?.Invoke(_connectionString) ?? new NpgsqlConnection(_connectionString);
            try
            {
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                string settings = _sessionSettings;
                if (connection.PostgreSqlVersion.Major >= 14)
                    settings += $"; SET client_connection_check_interval = {Milliseconds(ClientCheckInterval)}";
                await using var command = new NpgsqlCommand(settings, connection);
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                return connection;
            }
            catch
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }

        private static int Seconds(TimeSpan value) => (int)Math.Max(1, Math.Ceiling(value.TotalSeconds));

        private static string Milliseconds(TimeSpan value) => ((long)Math.Max(1, Math.Ceiling(value.TotalMilliseconds))).ToString(CultureInfo.InvariantCulture);
    }
}
