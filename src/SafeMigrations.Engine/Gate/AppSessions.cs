using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Engine.Connections;

namespace SafeMigrations.Engine.Gate
{
    /// <summary>A connected session whose application_name names its schema version (<see cref="SchemaVersionApplicationName"/>).</summary>
    internal sealed class AppSession
    {
        public AppSession(int pid, string applicationName, string migrationId, string role, string? clientAddress, DateTime? backendStart, string viewer)
        {
            Pid = pid;
            ApplicationName = applicationName;
            MigrationId = migrationId;
            Role = role;
            ClientAddress = clientAddress;
            BackendStart = backendStart;
            Viewer = viewer;
        }

        public int Pid { get; }
        public string ApplicationName { get; }
        public string MigrationId { get; }

        /// <summary>The session's role (visible to every role, like the application name).</summary>
        public string Role { get; }

        /// <summary>Null for a Unix socket, or when this role may not see other roles' sessions.</summary>
        public string? ClientAddress { get; }

        /// <summary>Null when this role may not see the session's details (another role's, without pg_read_all_stats).</summary>
        public DateTime? BackendStart { get; }

        /// <summary>The role reading it (quoted), named in the GRANT that shows hidden details.</summary>
        public string Viewer { get; }

        /// <summary>An application_name PostgreSQL may have cut at 63 bytes: its id is compared on its length only.</summary>
        public bool Truncated => Encoding.UTF8.GetByteCount(ApplicationName) >= SchemaVersionApplicationName.MaxBytes;

        /// <summary>pid, name, address and start; never the session's query (it may hold literals).</summary>
        public string Describe() => $"pid {Pid.ToString(CultureInfo.InvariantCulture)} \"{ApplicationName}\" "
            + (BackendStart is DateTime start
                ? $"from {ClientAddress ?? "a local socket"}, connected since {start.ToUniversalTime():yyyy-MM-dd HH:mm:ss} UTC"
                : $"of role {SqlIdentifier.Quote(Role)} (its address and connection start are hidden from this role: GRANT pg_read_all_stats TO {Viewer} to see them)");
    }

    /// <summary>Reads the versioned app sessions of the current database from <c>pg_stat_activity</c>.</summary>
    internal static class AppSessions
    {
        /// <summary>Every other session of this database whose application_name ends in <c>sm=&lt;id&gt;</c>; executor sessions excluded.</summary>
        public static async Task<IReadOnlyList<AppSession>> ReadAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
        {
            // Only what names the session: application_name and role are visible to every role; another role's address and
            // start need pg_read_all_stats (NULL without it, where backend_start is never NULL for a visible client).
            const string sql = @"SELECT pid, application_name, host(client_addr), backend_start, coalesce(usename, ''), current_user
FROM pg_stat_activity
WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name LIKE '%sm=%'
ORDER BY backend_start NULLS LAST, pid";
            var sessions = new List<AppSession>();
            await using var command = new NpgsqlCommand(sql, connection);
            await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                string name = reader.GetString(1);
                if (ExecutorIdentity.Parse(name) is not null || SchemaVersionApplicationName.Parse(name) is not string id)
                    continue;
                sessions.Add(new AppSession(
                    reader.GetInt32(0),
                    name,
                    id,
                    reader.GetString(4),
                    reader.IsDBNull(2) ? null : reader.GetString(2),
                    reader.IsDBNull(3) ? null : reader.GetDateTime(3),
                    SqlIdentifier.Quote(reader.GetString(5))));
            }
            return sessions;
        }
    }
}
