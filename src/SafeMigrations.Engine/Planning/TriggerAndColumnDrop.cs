using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations.Operations;

namespace SafeMigrations.Engine.Planning
{
    /// <summary>
    /// A sync trigger's drop immediately followed by the drop of a column it syncs (the contract of SwapColumns and of a
    /// rename), run as one short transaction. As two steps, every insert between them that leaves the column out
    /// fails once the trigger no longer fills it and the column is NOT NULL (SwapColumns' old column is): measured by
    /// the stall table's int → bigint scenario.
    /// </summary>
    internal static class TriggerAndColumnDrop
    {
        /// <summary>Whether <paramref name="next"/> drops a column the sync trigger dropped by <paramref name="operation"/> syncs.</summary>
        internal static bool Matches(MigrationOperation operation, MigrationOperation next)
            => operation is SqlOperation trigger
               && trigger[StepAnnotations.Step] as string == SafeMigrationSteps.DropSyncTrigger
               && next is DropColumnOperation column
               && column.Table == trigger[StepAnnotations.Table] as string
               && column.Schema == trigger[StepAnnotations.Schema] as string
               && (column.Name == trigger[StepAnnotations.ToColumn] as string || column.Name == trigger[StepAnnotations.FromColumn] as string);

        /// <summary>Replaces the two steps planned from <paramref name="first"/> on by one step running both statements.</summary>
        internal static void Join(List<PlanStep> steps, int first)
        {
            if (steps.Count - first != 2 || steps[first].Transaction != StepTransaction.Own || steps[first + 1].Transaction != StepTransaction.Own)
                return;
            PlanStep trigger = steps[first];
            PlanStep column = steps[first + 1];
            var joined = new PlanStep(trigger.MigrationId, trigger.Phase, column.Kind, trigger.Description + " + " + column.Description,
                trigger.Sql + "\n" + column.Sql, StepTransaction.Own, column.Lock)
            {
                // Both statements commit together: the column gone proves the trigger went with it.
                VerificationSql = column.VerificationSql,
                VerificationDescription = column.VerificationDescription,
                SkipWhenVerified = column.SkipWhenVerified,
                NoUndoNeeded = trigger.NoUndoNeeded && column.NoUndoNeeded,
                NoUndoReason = column.NoUndoReason ?? trigger.NoUndoReason,
                Warning = column.Warning ?? trigger.Warning,
                SafeStep = trigger.SafeStep,
                RuleNote = column.RuleNote ?? trigger.RuleNote,
            };
            steps.RemoveRange(first, 2);
            steps.Add(joined);
        }
    }
}
