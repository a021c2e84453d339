using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Engine.Planning;
using SafeMigrations.Sql.Rules;

namespace SafeMigrations.Engine.Verifying
{
    /// <summary>Rows one step inserted, updated and deleted in a table, as the server counted them.</summary>
    public sealed class RowChanges
    {
        internal RowChanges(long inserted, long updated, long deleted)
        {
            Inserted = inserted;
            Updated = updated;
            Deleted = deleted;
        }

        /// <summary>Rows inserted (n_tup_ins).</summary>
        public long Inserted { get; }

        /// <summary>Rows updated (n_tup_upd).</summary>
        public long Updated { get; }

        /// <summary>Rows deleted (n_tup_del).</summary>
        public long Deleted { get; }
    }

    /// <summary>
    /// SM1015: a step that changed most of a pre-existing table's seeded rows in one transaction — an UPDATE or DELETE
    /// of (nearly) every row, or an INSERT copying a table's worth of rows out of one it scanned — holds every changed
    /// row until commit. Counts come from the server (<c>pg_stat_xact_user_tables</c> of the step's own transaction,
    /// or <c>pg_stat_user_tables</c> deltas for a step outside a transaction), never from reading the SQL. A step the
    /// engine ran in keyset batches is never judged: each batch is its own short transaction.
    /// </summary>
    internal static class DataChangeCheck
    {
        /// <summary>Tables with fewer seeded rows say nothing about a share.</summary>
        private const long MinimumSeededRows = 10;

        /// <summary>Rows in each table, counted once after seeding (the denominator of the share).</summary>
        public static async Task<Dictionary<string, long>> CountRowsAsync(NpgsqlConnection connection, IEnumerable<UserTable> tables, CancellationToken cancellationToken)
        {
            var counts = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (UserTable table in tables)
            {
                await using var command = new NpgsqlCommand($"SELECT count(*) FROM {table.Qualified}", connection);
                counts[table.Qualified] = (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            }
            return counts;
        }

        /// <summary>The SM1015 message for the step, or null when it changed no large share of any seeded table in one transaction.</summary>
        public static string? Judge(StepTrace trace, IReadOnlyDictionary<string, long> seeded, double share, string where)
        {
            PlanStep step = trace.Step;
            if (step.Transaction == StepTransaction.Batched || trace.RowChanges.Count == 0)
                return null;
            var parts = new List<string>();
            foreach (KeyValuePair<string, RowChanges> change in trace.RowChanges)
            {
                if (!seeded.TryGetValue(change.Key, out long rows) || rows < MinimumSeededRows)
                    continue;
                long changed = change.Value.Updated + change.Value.Deleted;
                if (changed >= share * rows)
                    parts.Add($"{changed} row {Verb(change.Value)} among the {rows} seeded rows of {change.Key} ({Percent(changed, rows)} of its rows)");
            }

            // INSERT ... SELECT: as many new rows as a pre-existing table it scanned has.
            foreach (KeyValuePair<string, RowChanges> change in trace.RowChanges.Where(c => c.Value.Inserted > 0))
            {
                foreach (string source in trace.ScannedTables)
                {
                    if (seeded.TryGetValue(source, out long rows) && rows >= MinimumSeededRows && change.Value.Inserted >= share * rows)
                    {
                        parts.Add($"inserted {change.Value.Inserted} rows into {change.Key}, {Percent(change.Value.Inserted, rows)} of the {rows} seeded rows of {source} it read");
                        break;
                    }
                }
            }
            if (parts.Count == 0)
                return null;

            return $"{step.Name}{where}: {string.Join("; ", parts)} in one transaction (counted by the server), at least {Percent(share)} of a pre-existing table: every changed row stays locked until commit, so on real data the application's writes to them wait for the whole step, and the WAL burst lags replicas. " +
                   $"{StatementRules.UnbatchedDataChange.Id} at run time: {StatementRules.UnbatchedDataChange.Description} " +
                   "A lone UPDATE or DELETE in its own Sql(...) call is run in keyset batches by the engine; use Backfill / DeleteInBatches for the rest, or raise the share (--data-change-share, SafeMigrationsDataChangeShare) if the table is small in production too.";
        }

        private static string Verb(RowChanges change) =>
            change.Updated > 0 && change.Deleted > 0 ? "updates and deletes" : change.Updated > 0 ? "updates" : "deletes";

        private static string Percent(long part, long whole) => Percent((double)part / whole);

        private static string Percent(double share) => (share * 100).ToString("0", CultureInfo.InvariantCulture) + "%";
    }
}
