using System;
using System.Collections.Generic;
using System.Linq;
using SafeMigrations.Engine.Planning;
using SafeMigrations.Sql;

namespace SafeMigrations.Engine.Gate
{
    /// <summary>A column or table that a contract step takes away from the running app version.</summary>
    public sealed class ContractTarget
    {
        internal ContractTarget(string? schema, string table, string? column, string change, bool nameLivesOn)
        {
            Schema = schema;
            Table = table;
            Column = column;
            Change = change;
            NameLivesOn = nameLivesOn;
        }

        /// <summary>Schema, or null for the search_path.</summary>
        public string? Schema { get; }

        /// <summary>The table (or, for a dropped compatibility view, the old table name the view kept alive).</summary>
        public string Table { get; }

        /// <summary>The column, or null when the whole table goes.</summary>
        public string? Column { get; }

        /// <summary>What the contract does to it: <c>dropped</c>, <c>renamed away</c>, <c>no longer synced</c>.</summary>
        public string Change { get; }

        /// <summary>
        /// Another object takes over the name in the same contract (a swap): statements naming it are the new version's
        /// as much as the old one's, so only sessions can tell the versions apart.
        /// </summary>
        public bool NameLivesOn { get; }

        /// <summary><c>"schema"."table"."column"</c>, the way messages name the target.</summary>
        public string Display => Column is null ? SqlIdentifier.Qualify(Schema, Table) : SqlIdentifier.Qualify(Schema, Table) + "." + SqlIdentifier.Quote(Column);

        /// <inheritdoc />
        public override string ToString() => Display;

        /// <summary>
        /// The targets of a migration's contract steps that are still to run: columns dropped or renamed away
        /// (<c>DropColumn</c>, raw <c>ALTER TABLE ... DROP COLUMN / RENAME</c>), tables dropped or renamed away,
        /// compatibility views dropped (the old table name), and the source column of a dropped sync trigger unless
        /// the same contract drops its target column (the <c>SwapColumns</c> clean-up drops the old column, not the live one).
        /// </summary>
        public static IReadOnlyList<ContractTarget> Find(IEnumerable<PlanStep> contractSteps)
        {
            var found = new List<ContractTarget>();
            var newNames = new HashSet<string>(StringComparer.Ordinal);
            var syncs = new List<SyncedColumns>();
            foreach (PlanStep step in contractSteps)
            {
                if (step.DroppedSync is SyncedColumns sync)
                {
                    syncs.Add(sync);
                    continue;
                }
                foreach (SqlStatement statement in StatementScanner.Scan(step.Sql))
                    Collect(statement, found, newNames);
            }
            foreach (SyncedColumns sync in syncs)
            {
                bool targetColumnDropped = found.Any(t => t.Column == sync.ToColumn && t.Table == sync.Table && t.Change == "dropped");
                if (!targetColumnDropped)
                    found.Add(new ContractTarget(sync.Schema, sync.Table, sync.FromColumn, "no longer synced", nameLivesOn: false));
            }

            var distinct = new List<ContractTarget>();
            foreach (ContractTarget target in found)
            {
                if (distinct.Any(d => d.Schema == target.Schema && d.Table == target.Table && d.Column == target.Column))
                    continue;
                string key = NameKey(target.Schema, target.Table, target.Column);
                distinct.Add(target.Change == "renamed away" && newNames.Contains(key)
                    ? new ContractTarget(target.Schema, target.Table, target.Column, "swapped out", nameLivesOn: true)
                    : target);
            }
            return distinct;
        }

        private static void Collect(SqlStatement statement, List<ContractTarget> found, HashSet<string> newNames)
        {
            switch (statement.Kind)
            {
                case StatementKind.AlterTable when statement.Table is QualifiedName table:
                    foreach (AlterTableAction action in statement.Actions)
                    {
                        switch (action.Kind)
                        {
                            case AlterTableActionKind.DropColumn when action.Column is not null:
                                found.Add(new ContractTarget(table.Schema, table.Name, action.Column, "dropped", nameLivesOn: false));
                                break;
                            case AlterTableActionKind.RenameColumn when (action.OldName ?? action.Column) is string old:
                                found.Add(new ContractTarget(table.Schema, table.Name, old, "renamed away", nameLivesOn: false));
                                if (action.Name is not null)
                                    newNames.Add(NameKey(table.Schema, table.Name, action.Name));
                                break;
                            case AlterTableActionKind.RenameTable:
                            case AlterTableActionKind.SetSchema:
                                found.Add(new ContractTarget(table.Schema, table.Name, null, "renamed away", nameLivesOn: false));
                                if (action.Kind == AlterTableActionKind.RenameTable && action.Name is not null)
                                    newNames.Add(NameKey(table.Schema, action.Name, null));
                                break;
                        }
                    }
                    break;
                case StatementKind.DropTable:
                    foreach (QualifiedName dropped in statement.Tables)
                        found.Add(new ContractTarget(dropped.Schema, dropped.Name, null, "dropped", nameLivesOn: false));
                    break;
                case StatementKind.DropView:
                    // A compatibility view keeps a renamed table's old name alive for the old app version.
                    foreach (QualifiedName view in statement.Tables)
                        found.Add(new ContractTarget(view.Schema, view.Name, null, "dropped (view under the old name)", nameLivesOn: false));
                    break;
            }
        }

        private static string NameKey(string? schema, string table, string? column) => (schema ?? string.Empty) + "\u0001" + table + "\u0001" + (column ?? string.Empty);
    }

    /// <summary>The columns of a sync trigger a contract step drops (<c>DropSyncTrigger</c>).</summary>
    public sealed class SyncedColumns
    {
        /// <summary>Creates the pair.</summary>
        public SyncedColumns(string? schema, string table, string fromColumn, string toColumn)
        {
            Schema = schema;
            Table = table;
            FromColumn = fromColumn;
            ToColumn = toColumn;
        }

        /// <summary>Schema, or null for the search_path.</summary>
        public string? Schema { get; }

        /// <summary>The table.</summary>
        public string Table { get; }

        /// <summary>The column the trigger copied from (the one the old app version writes).</summary>
        public string FromColumn { get; }

        /// <summary>The column the trigger copied to.</summary>
        public string ToColumn { get; }
    }
}
