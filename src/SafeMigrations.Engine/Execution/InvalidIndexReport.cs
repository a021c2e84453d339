using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Engine.Planning;
using SafeMigrations.Sql;

namespace SafeMigrations.Engine.Execution
{
    /// <summary>An INVALID index that one of the plan's CREATE INDEX CONCURRENTLY steps left (or is building now).</summary>
    public sealed class InvalidIndex
    {
        internal InvalidIndex(PlanStep step, string indexName, string table, int? buildingPid)
        {
            Step = step;
            IndexName = indexName;
            Table = table;
            BuildingPid = buildingPid;
        }

        /// <summary>The step that builds the index.</summary>
        public PlanStep Step { get; }

        /// <summary>Index name (unquoted).</summary>
        public string IndexName { get; }

        /// <summary>The table, quoted.</summary>
        public string Table { get; }

        /// <summary>The server process building it right now, or null when nothing is building it (a leftover).</summary>
        public int? BuildingPid { get; }

        /// <summary>The status line.</summary>
        public string Message => BuildingPid is int pid
            ? $"{Step.Name}: index \"{IndexName}\" on {Table} is INVALID while CREATE INDEX CONCURRENTLY builds it (server pid {pid})"
            : $"{Step.Name}: index \"{IndexName}\" on {Table} is INVALID, left by an interrupted or failed CREATE INDEX CONCURRENTLY (not used by queries, still updated on every write); a rerun of apply drops and rebuilds it";
    }

    /// <summary>Finds the INVALID indexes of a plan's concurrent index builds, for <c>status</c>.</summary>
    public static class InvalidIndexReport
    {
        /// <summary>Every index a CREATE INDEX CONCURRENTLY statement of <paramref name="steps"/> names that exists and is not valid.</summary>
        public static async Task<IReadOnlyList<InvalidIndex>> FindAsync(NpgsqlConnection connection, IEnumerable<PlanStep> steps, CancellationToken cancellationToken = default)
        {
            const string sql = @"
select p.pid from pg_index i
join pg_class c on c.oid = i.indexrelid
left join pg_stat_progress_create_index p on p.index_relid = i.indexrelid
where i.indrelid = to_regclass(@table) and c.relname = @name and not (i.indisvalid and i.indisready)";
            var found = new List<InvalidIndex>();
            foreach (PlanStep step in steps)
            {
                foreach (SqlStatement statement in StatementScanner.Scan(step.Sql))
                {
                    if (statement.Kind != StatementKind.CreateIndex || !statement.Concurrently || statement.Index is null || statement.Table is null)
                        continue;
                    string table = SqlIdentifier.Qualify(statement.Table.Schema, statement.Table.Name);
                    await using var command = new NpgsqlCommand(sql, connection);
                    command.Parameters.AddWithValue("table", table);
                    command.Parameters.AddWithValue("name", statement.Index.Name);
                    await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                        found.Add(new InvalidIndex(step, statement.Index.Name, table, reader.IsDBNull(0) ? null : reader.GetInt32(0)));
                }
            }
            return found;
        }
    }
}
