using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace SafeMigrations.Engine.Backfill
{
    /// <summary>How far one streaming replica is behind the primary, as <c>pg_stat_replication</c> on the primary shows it.</summary>
    public sealed class ReplicaLag
    {
        // Physical replicas only: a logical subscriber or CDC client confirms at its own pace, not the replay of our WAL.
        // state is NULL when the role may not see the WAL senders' details (pg_monitor / pg_read_all_stats): counted as unreadable.
        private const string Sql = @"
select r.application_name::text, r.client_addr::text, r.state::text,
       case when pg_is_in_recovery() then null else pg_wal_lsn_diff(pg_current_wal_lsn(), r.replay_lsn)::bigint end,
       extract(epoch from r.replay_lag)::float8,
       current_user::text
from pg_stat_replication r
where r.state is distinct from 'backup'
  and not exists (select 1 from pg_replication_slots s where s.active_pid = r.pid and s.slot_type = 'logical')";

        internal ReplicaLag(string name, long? bytes, TimeSpan? time)
        {
            Name = name;
            Bytes = bytes;
            Time = time;
        }

        /// <summary>The replica's <c>application_name</c> (its <c>cluster_name</c>, or <c>walreceiver</c>), else its address.</summary>
        public string Name { get; }

        /// <summary>
        /// WAL written on the primary but not yet replayed there, in bytes; null before the replica's first report. Grows
        /// while replay is paused or slow; near zero when the replica keeps up or both sides are idle.
        /// </summary>
        public long? Bytes { get; }

        /// <summary>
        /// <c>replay_lag</c>: how long recent commits took to be replayed. Null once an idle replica has caught up; while
        /// replay is stuck the server extrapolates it upwards at each report of the replica (every few seconds).
        /// </summary>
        public TimeSpan? Time { get; }

        /// <summary>Reads every physical streaming replica's lag; a role without pg_monitor gets only the count of WAL senders it cannot see into.</summary>
        public static async Task<(IReadOnlyList<ReplicaLag> Replicas, int Unreadable, string User)> ReadAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
        {
            var replicas = new List<ReplicaLag>();
            int unreadable = 0;
            string user = string.Empty;
            await using var command = new NpgsqlCommand(Sql, connection);
            await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                user = reader.GetString(5);
                if (reader.IsDBNull(2))
                {
                    unreadable++;
                    continue;
                }
                string name = !reader.IsDBNull(0) && reader.GetString(0).Length > 0 ? reader.GetString(0) : reader.IsDBNull(1) ? "local" : reader.GetString(1);
                long? bytes = reader.IsDBNull(3) ? null : Math.Max(0, reader.GetInt64(3));
                TimeSpan? time = reader.IsDBNull(4) ? null : TimeSpan.FromSeconds(reader.GetDouble(4));
                replicas.Add(new ReplicaLag(name, bytes, time));
            }
            return (replicas, unreadable, user);
        }

        /// <summary>Bytes for messages: KB below a megabyte, MB above.</summary>
        internal static string FormatBytes(long bytes)
            => bytes < PacingOptions.Megabyte
                ? (bytes / 1024.0).ToString("0.#", CultureInfo.InvariantCulture) + " KB"
                : (bytes / (double)PacingOptions.Megabyte).ToString("0.#", CultureInfo.InvariantCulture) + " MB";
    }
}
