using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Sql;

namespace SafeMigrations.Engine.Execution
{
    /// <summary>
    /// Names the sessions that hold locks on the tables a step needs, for the message of a step that gave up waiting
    /// (SM1003). Read once, after the last attempt, on the step's own connection: the waiting backend is no longer
    /// waiting then, so <c>pg_blocking_pids</c> would be empty; the holders of locks on the step's tables still hold them.
    /// </summary>
    internal static class LockHolders
    {
        private const string Sql = @"SELECT a.pid, coalesce(a.application_name, ''), coalesce(a.state, ''), a.xact_start, a.query_start,
       string_agg(DISTINCT l.mode || ' on ' || l.relation::regclass::text, ', ')
FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
WHERE l.granted AND l.locktype = 'relation' AND l.pid <> pg_backend_pid()
  AND l.relation IN (SELECT to_regclass(n) FROM unnest($1::text[]) AS n)
GROUP BY a.pid, a.application_name, a.state, a.xact_start, a.query_start
ORDER BY a.xact_start NULLS LAST
LIMIT 5";

        /// <summary>The tables <paramref name="sql"/> names (the statements' tables and referenced tables), quoted and qualified.</summary>
        public static List<string> TablesOf(string sql)
        {
            var tables = new List<string>();
            foreach (SqlStatement statement in StatementScanner.Scan(sql))
            {
                Add(statement.Table);
                foreach (AlterTableAction action in statement.Actions)
                    Add(action.ReferencedTable);
            }
            return tables;

            void Add(QualifiedName? name)
            {
                if (name is not null)
                {
                    string qualified = SqlIdentifier.Qualify(name.Schema, name.Name);
                    if (!tables.Contains(qualified))
                        tables.Add(qualified);
                }
            }
        }

        /// <summary>
        /// One sentence naming up to five sessions holding locks on <paramref name="tables"/> (pid, application_name,
        /// state, since when), or null when there are none or they cannot be read.
        /// </summary>
        public static async Task<string?> DescribeAsync(NpgsqlConnection connection, IReadOnlyList<string> tables, CancellationToken cancellationToken)
        {
            if (tables.Count == 0)
                return null;
            var holders = new List<string>();
            try
            {
                await using var command = new NpgsqlCommand(Sql, connection) { CommandTimeout = 10 };
                command.Parameters.Add(new NpgsqlParameter { Value = tables.ToArray(), NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text });
                await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    string application = reader.GetString(1);
                    string state = reader.GetString(2);
                    DateTime? transactionStart = reader.IsDBNull(3) ? null : reader.GetDateTime(3);
                    DateTime? queryStart = reader.IsDBNull(4) ? null : reader.GetDateTime(4);
                    var parts = new List<string> { "pid " + reader.GetInt32(0).ToString(CultureInfo.InvariantCulture) };
                    if (application.Length > 0)
                        parts.Add($"application_name '{application}'");
                    if (state.Length > 0)
                        parts.Add(state);
                    if (transactionStart is DateTime started)
                        parts.Add("transaction since " + Utc(started));
                    if (queryStart is DateTime query)
                        parts.Add("last query started " + Utc(query));
                    parts.Add("holds " + reader.GetString(5));
                    holders.Add(string.Join(", ", parts));
                }
            }
            catch (Exception exception) when (exception is NpgsqlException || exception is InvalidOperationException)
            {
                // Only a better message was lost; the step's own error still stands.
                return null;
            }
            return holders.Count == 0
                ? null
                : "Sessions holding locks on its tables now: " + string.Join("; ", holders.Select(h => "(" + h + ")")) + ".";
        }

        private static string Utc(DateTime time)
            => time.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
    }
}
