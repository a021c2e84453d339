using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace SafeMigrations.Engine.Gate
{
    /// <summary>One statement of <c>pg_stat_statements</c> in the current database (summed over its rows).</summary>
    internal sealed class StatementCount
    {
        public StatementCount(long calls, string query)
        {
            Calls = calls;
            Query = query;
        }

        /// <summary>Times it ran since its entry was created (or the statistics were reset).</summary>
        public long Calls { get; }

        /// <summary>The normalized text (constants as <c>$n</c>).</summary>
        public string Query { get; }
    }

    /// <summary>The calls of every statement of the current database at one moment.</summary>
    internal sealed class StatementSample
    {
        public StatementSample(DateTime takenAt, Dictionary<(long UserId, long QueryId), StatementCount> statements, Dictionary<long, UnreadableStatements> unreadable)
        {
            TakenAt = takenAt;
            Statements = statements;
            Unreadable = unreadable;
        }

        /// <summary>When it was taken (UTC, client clock).</summary>
        public DateTime TakenAt { get; }

        /// <summary>Calls and text by role and query id.</summary>
        public Dictionary<(long UserId, long QueryId), StatementCount> Statements { get; }

        /// <summary>
        /// By role: the statements of other roles whose text and query id this role may not read
        /// (<c>&lt;insufficient privilege&gt;</c> without <c>pg_read_all_stats</c>). Only their calls can be compared.
        /// </summary>
        public Dictionary<long, UnreadableStatements> Unreadable { get; }
    }

    /// <summary>One other role's statements this role may not read: how many and their calls in total.</summary>
    internal sealed class UnreadableStatements
    {
        public UnreadableStatements(string role, int statements, long calls)
        {
            Role = role;
            Statements = statements;
            Calls = calls;
        }

        /// <summary>The role's name as SQL names it (quoted where needed).</summary>
        public string Role { get; }

        public int Statements { get; }

        public long Calls { get; }
    }

    /// <summary>
    /// Reads <c>pg_stat_statements</c>: whether it can be read here (installed in this database, loaded through
    /// <c>shared_preload_libraries</c>, tracking on) and a sample of its calls. PostgreSQL keeps no per-statement time
    /// of the last call, so use is measured as calls that grew between two samples.
    /// </summary>
    internal static class StatementStatistics
    {
        private const string InsufficientPrivilege = "<insufficient privilege>";

        /// <summary>The view's qualified name, or null with why it cannot be read.</summary>
        public static async Task<(string? View, string? Unavailable)> LocateAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
        {
            string? schema;
            await using (var command = new NpgsqlCommand("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_stat_statements'", connection))
                schema = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
            if (schema is null)
                return (null, "not installed in this database (CREATE EXTENSION pg_stat_statements; the server needs shared_preload_libraries = 'pg_stat_statements')");
            await using (var command = new NpgsqlCommand("SELECT current_setting('pg_stat_statements.track', true)", connection))
            {
                if (await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is string track && track == "none")
                    return (null, "installed, but pg_stat_statements.track = none (set it to top)");
            }
            string view = SqlIdentifier.Qualify(schema, "pg_stat_statements");
            try
            {
                await using var probe = new NpgsqlCommand($"SELECT 1 FROM {view} LIMIT 1", connection);
                await probe.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
                return (view, null);
            }
            catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.ObjectNotInPrerequisiteState)
            {
                return (null, "installed, but not loaded (add pg_stat_statements to shared_preload_libraries and restart the server)");
            }
            catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.InsufficientPrivilege)
            {
                return (null, $"installed, but this role may not read it (GRANT SELECT ON {view} TO the migration role; GRANT pg_read_all_stats to read other roles' statements too)");
            }
        }

        /// <summary>The role the gate runs as, quoted for a GRANT.</summary>
        public static async Task<string> CurrentRoleAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
        {
            await using var command = new NpgsqlCommand("SELECT current_user", connection);
            return SqlIdentifier.Quote((string)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!);
        }

        /// <summary>
        /// Those of <paramref name="roles"/> that may read or write one of <paramref name="tables"/> (qualified names) by
        /// any privilege, own or inherited; a table that cannot be found counts as usable by every role.
        /// </summary>
        public static async Task<HashSet<long>> RolesThatMayUseAsync(NpgsqlConnection connection, IEnumerable<long> roles, IEnumerable<string> tables, CancellationToken cancellationToken)
        {
            const string sql = @"SELECT r.id FROM unnest(@roles) AS r(id)
WHERE EXISTS (
    SELECT 1 FROM unnest(@tables) AS t(name), LATERAL (SELECT to_regclass(t.name) AS rel) AS c
    WHERE c.rel IS NULL
       OR has_any_column_privilege(r.id::oid, c.rel, 'SELECT, INSERT, UPDATE, REFERENCES')
       OR has_table_privilege(r.id::oid, c.rel, 'DELETE, TRUNCATE'))";
            var mayUse = new HashSet<long>();
            await using var command = new NpgsqlCommand(sql, connection);
            command.Parameters.AddWithValue("roles", roles.ToArray());
            command.Parameters.AddWithValue("tables", tables.ToArray());
            await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                mayUse.Add(reader.GetInt64(0));
            return mayUse;
        }

        /// <summary>Every statement of the current database with its calls.</summary>
        public static async Task<StatementSample> SampleAsync(NpgsqlConnection connection, string view, CancellationToken cancellationToken)
        {
            // Without pg_read_all_stats another role's rows carry '<insufficient privilege>' and a NULL queryid: they
            // fold into one group per role, whose calls still show whether that role ran anything.
            string sql = $@"SELECT s.userid::bigint, coalesce(s.queryid, 0), sum(s.calls)::bigint, min(s.query), count(*)::int, pg_get_userbyid(s.userid)::text
FROM {view} AS s
WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
GROUP BY 1, 2, 6";
            var statements = new Dictionary<(long, long), StatementCount>();
            var unreadable = new Dictionary<long, UnreadableStatements>();
            await using var command = new NpgsqlCommand(sql, connection);
            await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                string query = reader.IsDBNull(3) ? string.Empty : reader.GetString(3);
                long userId = reader.GetInt64(0);
                if (query == InsufficientPrivilege)
                {
                    unreadable[userId] = new UnreadableStatements(SqlIdentifier.Quote(reader.GetString(5)), reader.GetInt32(4), reader.GetInt64(2));
                    continue;
                }
                statements[(userId, reader.GetInt64(1))] = new StatementCount(reader.GetInt64(2), query);
            }
            return new StatementSample(DateTime.UtcNow, statements, unreadable);
        }
    }
}
