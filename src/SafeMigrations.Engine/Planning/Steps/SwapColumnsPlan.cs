using System;
using System.Linq;

namespace SafeMigrations.Engine.Planning.Steps
{
    /// <summary>
    /// <c>SwapColumns</c> (SM0007), planned from its SQL: one short blocking transaction for the whole operation (the
    /// trigger drop, both renames, the reverse trigger). Undone, when the migration's expand created the forward sync
    /// trigger between the two columns before it, by one short transaction that drops the reverse trigger, renames the
    /// columns back and installs the forward trigger again (the state after the steps before the swap); the rollback
    /// first checks that no row holds a value in the column the old column does not (e.g. one the old type cannot hold).
    /// Without that trigger in the migration the rollback refuses (SM1008).
    /// </summary>
    internal sealed class SwapColumnsPlan : SqlStepPlan
    {
        public SwapColumnsPlan()
            : base(SafeMigrationSteps.SwapColumns)
        {
        }

        /// <inheritdoc />
        public override void Undo(PlanStep step, SafeStepOperation operation)
        {
            if (operation.Table is not string table
                || operation.Text(StepAnnotations.Column) is not string column
                || operation.Text(StepAnnotations.ReplacementColumn) is not string replacement
                || operation.Text(StepAnnotations.OldColumn) is not string oldColumn
                || operation.Text(StepAnnotations.TriggerName) is not string reverseTrigger
                || operation.Text(StepAnnotations.FunctionName) is not string reverseFunction)
            {
                step.NoUndoReason = "the swap's annotations do not name its columns and trigger (an older runtime library); go back with a new forward migration";
                return;
            }
            string? schema = operation.Schema;
            bool SameTable(SafeStepOperation other) => other.Table == table && other.Schema == schema;
            bool Pair(string? a, string? b) => a == column && b == replacement;

            // The last sync the migration installed between the two columns, not dropped again before the swap.
            SafeStepOperation? forward = operation.EarlierExpand.LastOrDefault(o => SameTable(o)
                && (o.Step == SafeMigrationSteps.CreateSyncTrigger || o.Step == SafeMigrationSteps.DropSyncTrigger)
                && (Pair(o.Text(StepAnnotations.FromColumn), o.Text(StepAnnotations.ToColumn)) || Pair(o.Text(StepAnnotations.ToColumn), o.Text(StepAnnotations.FromColumn))));
            if (forward is null || forward.Step != SafeMigrationSteps.CreateSyncTrigger)
            {
                step.NoUndoReason = $"no CreateSyncTrigger between {SqlIdentifier.Quote(column)} and {SqlIdentifier.Quote(replacement)} runs before the swap in this migration's expand, so an undo could not restore the sync the swap dropped; go back with a new forward migration (SwapColumns the other way)";
                return;
            }

            string qualified = SqlIdentifier.Qualify(schema, table);
            // The renames only while the old column is there: an undo that committed before the rollback forgot the step runs again.
            step.UndoSql = $"DROP TRIGGER IF EXISTS {SqlIdentifier.Quote(reverseTrigger)} ON {qualified};\n"
                + $"DROP FUNCTION IF EXISTS {SqlIdentifier.Qualify(schema, reverseFunction)}();\n"
                + "DO $swap_undo$\nBEGIN\n"
                + $"    IF ({CatalogChecks.ColumnExists(schema, table, oldColumn)}) THEN\n"
                + $"        ALTER TABLE {qualified} RENAME COLUMN {SqlIdentifier.Quote(column)} TO {SqlIdentifier.Quote(replacement)};\n"
                + $"        ALTER TABLE {qualified} RENAME COLUMN {SqlIdentifier.Quote(oldColumn)} TO {SqlIdentifier.Quote(column)};\n"
                + "    END IF;\nEND\n$swap_undo$;\n"
                + forward.Sql;

            // The rollback checks every step before undoing any, so the sync's own check would look for the names before
            // the swap and find no column: this one asks the same over the names the swap gave them.
            string NameNow(string name) => name == column ? oldColumn : name == replacement ? column : name;
            if (CreateSyncTriggerPlan.LossCondition(forward, NameNow) is not string condition)
                return;
            string rows = $"SELECT * FROM {qualified} AS new WHERE {condition}";
            step.UndoGuard = new UndoGuard(
                $"SELECT count(*) FROM {qualified} AS new WHERE {condition}",
                $"of {qualified} hold a value in {SqlIdentifier.Quote(column)} that {SqlIdentifier.Quote(oldColumn)} does not (e.g. one its old type cannot hold, written since the swap); undoing the swap gives {SqlIdentifier.Quote(column)} the old column's values, and those would be lost",
                $"keep the new column and go forward (apply the contract phase), or change those rows to values the old column can hold and rerun the rollback; the rows: {rows}");
        }
    }
}
