using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Engine.Connections;
using SafeMigrations.Engine.Reporting;
using SafeMigrations.Sql.Statistics;

namespace SafeMigrations.Engine.Statistics
{
    /// <summary>
    /// Takes a <see cref="StatisticsSnapshot"/> of a database through a read-only session: two samples of
    /// pg_stat_user_tables <see cref="Interval"/> apart for the write rates, pg_class and the size functions for rows and
    /// sizes. Reads catalogs and statistics views only, never table data; the size functions take ACCESS SHARE on each
    /// table and index, bounded by a short lock_timeout so the snapshot never queues behind (or in front of) a migration.
    /// </summary>
    public sealed class StatisticsSampler
    {
        /// <summary>The default time between the two samples.</summary>
        public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(10);

        private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(2);

        private const string CountersSql =
            "select s.schemaname, s.relname, s.n_tup_ins, s.n_tup_upd, s.n_tup_del, clock_timestamp() from pg_catalog.pg_stat_user_tables s";

        private const string TablesSql =
            "select s.schemaname, s.relname, s.n_tup_ins, s.n_tup_upd, s.n_tup_del, clock_timestamp(), " +
            "case when c.reltuples < 0 then s.n_live_tup else c.reltuples::bigint end, " +
            "pg_catalog.pg_relation_size(c.oid), pg_catalog.pg_indexes_size(c.oid) " +
            "from pg_catalog.pg_stat_user_tables s join pg_catalog.pg_class c on c.oid = s.relid";

        private readonly string _connectionString;

        /// <summary>Creates the sampler for <paramref name="connectionString"/> (SM1001 at once for one that must not be connected with).</summary>
        /// <exception cref="EngineException">SM1001.</exception>
        public StatisticsSampler(string? connectionString)
        {
            Target = ConnectionTarget.Parse(connectionString);
            _connectionString = connectionString!;
        }

        /// <summary>The allow-listed description of the database, for messages (never part of the snapshot).</summary>
        public ConnectionTarget Target { get; }

        /// <summary>Time between the two samples; zero takes one sample and no write rates.</summary>
        public TimeSpan Interval { get; set; } = DefaultInterval;

        /// <summary>How long the client waits for the answer to each query.</summary>
        public TimeSpan StatementTimeout { get; set; } = TimeSpan.FromMinutes(1);

        /// <summary>Where progress goes.</summary>
        public IEngineLog Log { get; set; } = NullEngineLog.Instance;

        /// <summary>Takes the snapshot.</summary>
        /// <exception cref="EngineException">SM1001 (cannot connect, no privilege), SM1002 (a query failed or timed out).</exception>
        public async Task<StatisticsSnapshot> TakeAsync(CancellationToken cancellationToken = default)
        {
            await using NpgsqlConnection session = await OpenReadOnlyAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                Dictionary<(string, string), long[]>? first = null;
                DateTime firstAt = default;
                if (Interval > TimeSpan.Zero)
                {
                    first = new Dictionary<(string, string), long[]>();
                    await using (var command = new NpgsqlCommand(CountersSql, session))
                    await using (NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
                    {
                        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                        {
                            first[(reader.GetString(0), reader.GetString(1))] = new[] { reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4) };
                            firstAt = reader.GetDateTime(5);
                        }
                    }
                    Log.Info($"statistics: first sample of {first.Count} table(s); second in {Interval.TotalSeconds:0.###} s");
                    await Task.Delay(Interval, cancellationToken).ConfigureAwait(false);
                }

                // Each query is its own read-only transaction: the statistics views give one cached view per transaction.
                var tables = new List<TableEstimate>();
                await using (var command = new NpgsqlCommand(TablesSql, session))
                await using (NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        string schema = reader.GetString(0);
                        string name = reader.GetString(1);
                        double? inserts = null, updates = null, deletes = null;
                        double seconds = (reader.GetDateTime(5) - firstAt).TotalSeconds;
                        if (first is not null && seconds > 0 && first.TryGetValue((schema, name), out long[]? before))
                        {
                            inserts = Rate(before[0], reader.GetInt64(2), seconds);
                            updates = Rate(before[1], reader.GetInt64(3), seconds);
                            deletes = Rate(before[2], reader.GetInt64(4), seconds);
                        }
                        tables.Add(new TableEstimate(schema, name, reader.IsDBNull(6) ? 0 : reader.GetInt64(6), reader.GetInt64(7), reader.GetInt64(8), inserts, updates, deletes));
                    }
                }
                int serverVersion;
                await using (var version = new NpgsqlCommand("select current_setting('server_version_num')::int", session))
                    serverVersion = (int)(await version.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
                Log.Info($"statistics: {tables.Count} table(s) on server version {serverVersion}");
                return new StatisticsSnapshot(DateTimeOffset.UtcNow, serverVersion, (int)Math.Round(Interval.TotalSeconds), tables);
            }
            catch (Exception exception) when (exception is NpgsqlException || exception is TimeoutException)
            {
                throw Explain(exception);
            }
        }

        /// <summary>
        /// The session the snapshot reads through: the engine's connection settings, plus
        /// <c>default_transaction_read_only</c> and a short lock_timeout; checked to refuse writes before it is used.
        /// </summary>
        /// <exception cref="EngineException">SM1001 when the server cannot be reached or refuses the session.</exception>
        public async Task<NpgsqlConnection> OpenReadOnlyAsync(CancellationToken cancellationToken = default)
        {
            var factory = new EngineConnectionFactory(_connectionString, StatementTimeout, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(15));
            NpgsqlConnection session;
            try
            {
                session = await factory.OpenAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is NpgsqlException || exception is TimeoutException)
            {
                throw Explain(exception);
            }
            try
            {
                await using (var settings = new NpgsqlCommand($"SET default_transaction_read_only = on; SET lock_timeout = {(int)LockTimeout.TotalMilliseconds}", session))
                    await settings.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                await using var check = new NpgsqlCommand("select current_setting('transaction_read_only')", session);
                if ((string?)await check.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) != "on")
                    throw new EngineException(EngineCodes.Configuration, $"the statistics session on {Target} did not become read-only; nothing was read.");
                return session;
            }
            catch (Exception exception)
            {
                await session.DisposeAsync().ConfigureAwait(false);
                if (exception is NpgsqlException || exception is TimeoutException)
                    throw Explain(exception);
                throw;
            }
        }

        // Counters that went down were reset between the samples (pg_stat_reset, a crash): no rate to tell.
        private static double? Rate(long before, long after, double seconds)
            => after >= before ? (after - before) / seconds : null;

        private EngineException Explain(Exception exception)
        {
            if (exception is PostgresException postgres)
            {
                if (postgres.SqlState == PostgresErrorCodes.InsufficientPrivilege)
                    return new EngineException(EngineCodes.Configuration, $"statistics snapshot: the database user lacks a privilege on {Target} ({postgres.SqlState}: {MigrationEngineText(postgres)}); it needs only CONNECT on the database: GRANT CONNECT ON DATABASE {SqlIdentifier.Quote(Target.Database)} TO {(string.IsNullOrEmpty(Target.Username) ? "<user>" : SqlIdentifier.Quote(Target.Username!))}; (the snapshot reads pg_class and pg_stat_user_tables, which every user may read).", exception);
                if (postgres.SqlState == PostgresErrorCodes.LockNotAvailable)
                    return new EngineException(EngineCodes.StepFailed, $"statistics snapshot: a table or index of {Target} was locked exclusively by another session (a migration?) for longer than {LockTimeout.TotalSeconds:0} s, so its size could not be read; nothing was written. Run the snapshot again when that session is done.", exception);
                if (postgres.SqlState.StartsWith("28", StringComparison.Ordinal) || postgres.SqlState == PostgresErrorCodes.InvalidCatalogName)
                    return new EngineException(EngineCodes.Configuration, $"statistics snapshot: the server refused the session on {Target} ({postgres.SqlState}: {MigrationEngineText(postgres)}); check the user, password and database of SAFEMIGRATIONS_CONNECTION.", exception);
                return new EngineException(EngineCodes.StepFailed, $"statistics snapshot on {Target} failed ({postgres.SqlState}: {MigrationEngineText(postgres)}); nothing was written.", exception);
            }
            if (exception is TimeoutException || exception.InnerException is TimeoutException)
                return new EngineException(EngineCodes.StepFailed, $"statistics snapshot: no answer from {Target} within {StatementTimeout.TotalSeconds:0} s; nothing was written. Rerun when the server is reachable.", exception);
            Exception cause = exception;
            while (cause.InnerException is not null)
                cause = cause.InnerException;
            string because = cause == exception ? string.Empty : $": {cause.GetType().Name}: {Applying.MigrationEngine.OneLine(cause.Message)}";
            return new EngineException(EngineCodes.Configuration, $"statistics snapshot: cannot connect to {Target} ({exception.GetType().Name}: {Applying.MigrationEngine.OneLine(exception.Message)}{because}); check the server is reachable and SAFEMIGRATIONS_CONNECTION.", exception);
        }

        private static string MigrationEngineText(PostgresException exception) => Applying.MigrationEngine.OneLine(exception.MessageText);
    }
}
