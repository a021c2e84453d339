using System.Linq;
using Microsoft.EntityFrameworkCore.Migrations.Operations;

namespace SafeMigrations.Engine.Planning.Steps
{
    /// <summary>
    /// <c>CreateCompatibilityView</c> (SM0012): right after the rename of its table, the rename and the view under the old
    /// name run in one short transaction, so no query ever finds neither name, undone by dropping the view and renaming
    /// back; on its own it is planned from its SQL.
    /// </summary>
    internal sealed class CreateCompatibilityViewPlan : SqlStepPlan
    {
        public CreateCompatibilityViewPlan()
            : base(SafeMigrationSteps.CreateCompatibilityView)
        {
        }

        /// <summary>Whether <paramref name="next"/> is the view under the name <paramref name="rename"/> takes its table from.</summary>
        public static bool FollowsRename(RenameTableOperation rename, MigrationOperation next)
            => next is SqlOperation view
               && view[StepAnnotations.Step] as string == SafeMigrationSteps.CreateCompatibilityView
               && view[StepAnnotations.Table] as string == (rename.NewName ?? rename.Name);

        /// <summary>Plans the rename and its view as one step.</summary>
        public static void PlanWithRename(IPlanDraft plan, RenameTableOperation rename, SqlOperation view)
        {
            string renameSql = string.Join("\n", plan.GenerateSql(rename).Select(c => c.CommandText.Trim()));
            string newSchema = rename.NewSchema ?? rename.Schema ?? string.Empty;
            string newName = rename.NewName ?? rename.Name;
            string oldQualified = SqlIdentifier.Qualify(rename.Schema, rename.Name);
            string newQualified = SqlIdentifier.Qualify(newSchema.Length == 0 ? null : newSchema, newName);
            PlanStep step = plan.Add("rename-table-with-view", $"rename table {oldQualified} to {SqlIdentifier.Quote(newName)} with a compatibility view",
                renameSql + "\n" + view.Sql.Trim(), StepTransaction.Own, $"ACCESS EXCLUSIVE on {oldQualified}, brief");
            step.VerificationSql = $"SELECT {CatalogChecks.RelationExists(newSchema.Length == 0 ? null : newSchema, newName).Substring(7)} AND EXISTS (SELECT 1 FROM pg_class WHERE oid = {CatalogChecks.Relation(rename.Schema, rename.Name)} AND relkind = 'v')";
            step.VerificationDescription = "table renamed, view under the old name";
            step.UndoSql = $"DROP VIEW IF EXISTS {oldQualified};\nALTER TABLE {newQualified} RENAME TO {SqlIdentifier.Quote(rename.Name)};";
            step.SafeStep = SafeMigrationSteps.CreateCompatibilityView;
        }
    }
}
