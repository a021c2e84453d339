using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;

namespace SafeMigrations.Sql.Rules
{
    /// <summary>
    /// The compatibility rules on raw renames and drops (SM0011 ... SM0013; SM0014 in StatementRules.Schema.cs): the
    /// part the statement alone decides. The exemptions that need the rest of the migration (contract phase, a table or
    /// column created earlier in it, a compatibility view after a table rename) are the caller's, with the helpers here.
    /// </summary>
    public static partial class StatementRules
    {
        public static readonly StatementRule RenameColumn = new StatementRule(
            "SM0011",
            title: "Do not rename a column the running app still uses",
            messageFormat: "{0} renames column '{1}' of '{2}' to '{3}' while the running app version still reads and writes '{1}': its queries fail as soon as the rename commits; expand instead (add '{3}', keep both columns in sync with a two-way trigger, backfill in batches, switch the app to '{3}'), then contract (drop the trigger and '{1}')",
            description: "During a deployment the previous app version keeps running until every instance is replaced; its queries name the old column and fail with 'column does not exist' right after the rename. The rename itself is brief (ACCESS EXCLUSIVE, no scan). Use expand/contract: add the new column, sync both with a trigger, backfill, move the app to the new column, and drop the old one in the contract phase.");

        /// <summary>SM0011 when the migration adds a column under the old name again after the rename.</summary>
        public static readonly StatementRule RenameColumnReadded = new StatementRule(
            "SM0011",
            title: RenameColumn.Title,
            messageFormat: "{0} renames column '{1}' of '{2}' to '{3}', and this migration then adds a new column '{1}': the running app version does not fail, it silently reads NULL (or the new column's default) from '{1}' where its data was, and what it writes there never reaches '{3}'; expand instead (add '{3}', keep it in sync with '{1}' through a two-way trigger, backfill in batches, switch the app to '{3}'), then contract (drop the trigger and the old column) before reusing the name '{1}'",
            description: RenameColumn.Description);

        public static readonly StatementRule RenameTable = new StatementRule(
            "SM0012",
            title: "Do not rename a table the running app still uses",
            messageFormat: "{0} renames table '{1}' to '{2}' while the running app version still queries '{1}': its queries fail as soon as the rename commits; in the same migration create a view with the old name over the new table (CREATE VIEW {3} AS SELECT * FROM {4}) and drop the view in the contract phase",
            description: "During a deployment the previous app version keeps running until every instance is replaced; its queries name the old table and fail with 'relation does not exist' right after the rename (or the move to another schema). The rename itself is brief. Keep the old name working with a simple view over the renamed table (PostgreSQL can insert, update and delete through it) and drop the view once no running version uses the old name.");

        public static readonly StatementRule DropColumnOutsideContract = new StatementRule(
            "SM0013",
            title: "Drop columns only in the contract phase",
            messageFormat: "Dropping {0} of '{1}' outside the contract phase breaks the app version still running, which selects it (EF selects every mapped column) and fails until every instance runs the new version; the drop itself takes a brief ACCESS EXCLUSIVE lock. Stop mapping the column, deploy, then drop it in the contract phase: .InContractPhase() (or [ContractPhase] on the migration).",
            description: "During a rolling deployment the previous app version keeps running while the migration runs. EF Core selects every mapped column by name, so once the column is gone every query of the old version on that table fails. Remove the property from the model (or ignore it) first, deploy, and drop the column in the contract phase, after every instance runs the new version.");

        private static readonly Regex PlainIdentifier = new Regex("^[a-z_][a-z0-9_$]*$", RegexOptions.CultureInvariant);

        /// <summary>The rules about the running app version (compatibility), not locks: a contract-phase step breaks nothing.</summary>
        public static bool IsCompatibilityRule(StatementRule rule) =>
            rule == DropTableOutsideContract || rule == RenameColumn || rule == RenameColumnReadded || rule == RenameTable || rule == DropColumnOutsideContract;

        /// <summary>SM0011: ALTER TABLE ... RENAME COLUMN a TO b (b differs from a), one finding per action.</summary>
        public static IEnumerable<StatementFinding> RenameColumns(SqlStatement sql)
        {
            if (sql.Kind != StatementKind.AlterTable || sql.Table is null)
            {
                yield break;
            }

            foreach (var action in sql.Actions)
            {
                if (action.Kind == AlterTableActionKind.RenameColumn && action.Column != null && !string.Equals(action.Column, action.Name, StringComparison.Ordinal))
                {
                    yield return new StatementFinding(RenameColumn, sql, action, SafeRewrite.None, "RENAME COLUMN", action.Column, sql.Table.ToString(), action.Name ?? "?");
                }
            }
        }

        /// <summary>SM0011's finding when a later step adds a column under the renamed one's old name.</summary>
        public static StatementFinding Readded(StatementFinding rename) =>
            new StatementFinding(RenameColumnReadded, rename.Statement, rename.Action, SafeRewrite.None, rename.Arguments);

        /// <summary>SM0012: ALTER TABLE ... RENAME TO / SET SCHEMA that gives the table another name, one finding per action.</summary>
        public static IEnumerable<StatementFinding> RenameTables(SqlStatement sql)
        {
            if (sql.Kind != StatementKind.AlterTable || sql.Table is null)
            {
                yield break;
            }

            foreach (var action in sql.Actions)
            {
                if (RenamedTo(sql.Table, action) is { } to)
                {
                    var what = action.Kind == AlterTableActionKind.RenameTable ? "RENAME TO" : "SET SCHEMA";
                    yield return new StatementFinding(RenameTable, sql, action, SafeRewrite.None, what, sql.Table.ToString(), to.ToString(), TableSql(sql.Table), TableSql(to));
                }
            }
        }

        /// <summary>The table's name after a RENAME TO or SET SCHEMA action; null for other actions or when the name stays.</summary>
        public static QualifiedName? RenamedTo(QualifiedName from, AlterTableAction action)
        {
            QualifiedName to;
            if (action.Kind == AlterTableActionKind.RenameTable && action.Name != null)
            {
                to = new QualifiedName(from.Schema, action.Name);
            }
            else if (action.Kind == AlterTableActionKind.SetSchema && action.Name != null)
            {
                to = new QualifiedName(action.Name, from.Name);
            }
            else
            {
                return null;
            }

            return SameTable(from, to) ? null : to;
        }

        /// <summary>
        /// SM0012's exemption: a CREATE [OR REPLACE] VIEW named like the renamed table's old name, over the new name
        /// (the runtime library's CreateCompatibilityView writes one).
        /// </summary>
        public static bool IsCompatibilityView(SqlStatement statement, QualifiedName from, QualifiedName to) =>
            statement.Kind == StatementKind.CreateView && statement.Table is { } view && SameTable(view, from)
            && statement.Tokens.Any(t => t.IsName && t.Value == to.Name);

        /// <summary>SM0013: ALTER TABLE ... DROP COLUMN, one finding per statement naming every dropped column.</summary>
        public static IEnumerable<StatementFinding> DropColumns(SqlStatement sql)
        {
            if (sql.Kind != StatementKind.AlterTable)
            {
                yield break;
            }

            var dropped = sql.Actions.Where(a => a.Kind == AlterTableActionKind.DropColumn).ToList();
            if (dropped.Count > 0)
            {
                yield return new StatementFinding(DropColumnOutsideContract, sql, dropped[0], SafeRewrite.None, DroppedColumns(dropped.Select(a => a.Column ?? "?").ToList()), sql.Table?.ToString() ?? "?");
            }
        }

        /// <summary>SM0013's name of the dropped columns: <c>column 'a'</c>, <c>columns 'a', 'b'</c>.</summary>
        public static string DroppedColumns(IReadOnlyList<string> names) => Named("column", names);

        /// <summary><c>column 'a'</c>, <c>columns 'a', 'b'</c>: the noun in the plural for several names.</summary>
        private static string Named(string noun, IReadOnlyList<string> names) =>
            noun + (names.Count == 1 ? " '" : "s '") + string.Join("', '", names) + "'";

        /// <summary>The same table: names compare exactly, where no schema and <c>public</c> are the same schema.</summary>
        public static bool SameTable(QualifiedName? left, QualifiedName? right) =>
            left != null && right != null && string.Equals(left.Name, right.Name, StringComparison.Ordinal)
            && string.Equals(EffectiveSchema(left), EffectiveSchema(right), StringComparison.Ordinal);

        private static string EffectiveSchema(QualifiedName name) => string.IsNullOrEmpty(name.Schema) ? "public" : name.Schema!;

        /// <summary>SM0012's advice names the tables as SQL: plain identifiers bare, others quoted.</summary>
        public static string TableSql(QualifiedName table) => (string.IsNullOrEmpty(table.Schema) ? string.Empty : Identifier(table.Schema!) + ".") + Identifier(table.Name);

        private static string Identifier(string name) => PlainIdentifier.IsMatch(name) ? name : "\"" + name.Replace("\"", "\"\"") + "\"";
    }
}
