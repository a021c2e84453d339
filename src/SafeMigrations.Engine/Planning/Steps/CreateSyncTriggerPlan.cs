using System;
using System.Text.RegularExpressions;

namespace SafeMigrations.Engine.Planning.Steps
{
    /// <summary>
    /// <c>CreateSyncTrigger</c> (SM0007, SM0011): one short blocking transaction (two-way: a brief ACCESS EXCLUSIVE to
    /// move both columns' defaults into the trigger); verified by the trigger existing, never skipped on a rerun; undone
    /// by the runtime library's <c>UndoSql</c> (<c>DropSyncTrigger</c>'s SQL), after checking that no row holds a value only
    /// the new column has.
    /// </summary>
    internal sealed class CreateSyncTriggerPlan : SqlStepPlan
    {
        public CreateSyncTriggerPlan()
            : base(SafeMigrationSteps.CreateSyncTrigger)
        {
        }

        /// <inheritdoc />
        public override void Verify(PlanStep step, SafeStepOperation operation)
        {
            if (operation.Table is not string table || operation.Text(StepAnnotations.TriggerName) is not string trigger)
                return;
            step.VerificationSql = CatalogChecks.TriggerExists(operation.Schema, table, trigger);
            step.VerificationDescription = "trigger exists";
            step.SkipWhenVerified = false; // a rerun installs it again, as the psql script does
        }

        /// <inheritdoc />
        public override void Undo(PlanStep step, SafeStepOperation operation)
        {
            if (operation.Table is not string table || operation.Text(StepAnnotations.TriggerName) is not string trigger)
                return;
            string? schema = operation.Schema;
            // The runtime library's own drop (it also gives back the defaults a two-way trigger took over);
            // a library without the annotation never took defaults over, so dropping the objects is the undo.
            step.UndoSql = operation.Text(StepAnnotations.UndoSql)
                ?? $"DROP TRIGGER IF EXISTS {SqlIdentifier.Quote(trigger)} ON {SqlIdentifier.Qualify(schema, table)};"
                + (operation.Text(StepAnnotations.FunctionName) is string function ? $"\nDROP FUNCTION IF EXISTS {SqlIdentifier.Qualify(schema, function)}();" : string.Empty);
            step.UndoGuard = Guard(schema, table, operation);
        }

        /// <summary>
        /// Rows whose new column holds a value the old column does not. Undoing the expand stops the sync and (with the
        /// migration's AddColumn undone) drops the new column, so those values would be lost.
        /// </summary>
        private static UndoGuard? Guard(string? schema, string table, SafeStepOperation operation)
        {
            if (LossCondition(operation, column => column) is not string condition)
                return null;
            string qualified = SqlIdentifier.Qualify(schema, table);
            string from = SqlIdentifier.Quote(operation.Text(StepAnnotations.FromColumn)!);
            string to = SqlIdentifier.Quote(operation.Text(StepAnnotations.ToColumn)!);
            bool twoWay = operation[StepAnnotations.TwoWay] is true;
            string rows = $"SELECT * FROM {qualified} AS new WHERE {condition}";
            string remedy = twoWay
                ? $"copy them back first (UPDATE {qualified} AS new SET {from} = {operation.Text(StepAnnotations.ReverseConvertSql) ?? "NEW." + to} WHERE {condition}) and rerun the rollback, or go back with a new forward migration; the rows: {rows}"
                : $"check them ({rows}) and move what they hold to {from}, or go back with a new forward migration";
            return new UndoGuard(
                $"SELECT count(*) FROM {qualified} AS new WHERE {condition}",
                $"of {qualified} hold a value in {to} that {from} does not; rolling back removes the sync trigger and the migration's {to}, and those values with it",
                remedy);
        }

        /// <summary>
        /// The condition (over the table aliased <c>new</c>) of a row whose new column holds a value the old column does
        /// not, or null without the columns' annotations. <paramref name="nameNow"/> maps each column name the trigger was
        /// created with to the one it has now (a swap renamed them), in the conversions' <c>NEW."column"</c> references too.
        /// </summary>
        internal static string? LossCondition(SafeStepOperation operation, Func<string, string> nameNow)
        {
            if (operation.Text(StepAnnotations.FromColumn) is not string fromColumn || operation.Text(StepAnnotations.ToColumn) is not string toColumn)
                return null;
            string from = SqlIdentifier.Quote(nameNow(fromColumn));
            string to = SqlIdentifier.Quote(nameNow(toColumn));
            string Expression(string? sql, string column) => sql is null ? "NEW." + SqlIdentifier.Quote(nameNow(column))
                : QuotedNewReference.Replace(sql, m => m.Groups[1].Value.Replace("\"\"", "\"") is var name && nameNow(name) != name ? "NEW." + SqlIdentifier.Quote(nameNow(name)) : m.Value);

            // The conversions are PL/pgSQL over NEW."column"; aliasing the table as new makes them plain SQL here.
            return operation[StepAnnotations.TwoWay] is true
                ? $"new.{to} IS NOT NULL AND new.{from} IS DISTINCT FROM ({Expression(operation.Text(StepAnnotations.ReverseConvertSql), toColumn)})"
                : $"new.{to} IS NOT NULL AND new.{to} IS DISTINCT FROM ({Expression(operation.Text(StepAnnotations.ConvertSql), fromColumn)})";
        }

        private static readonly Regex QuotedNewReference = new Regex(@"\bNEW\.""((?:[^""]|"""")*)""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

        /// <inheritdoc />
        protected override string Lock(SafeStepOperation operation, StatementFacts facts)
            => operation[StepAnnotations.TwoWay] is true && operation.Table is string table
                ? $"ACCESS EXCLUSIVE on {SqlIdentifier.Qualify(operation.Schema, table)}, brief (moves both columns' defaults into the trigger; no scan), then SHARE ROW EXCLUSIVE for the triggers"
                : facts.Lock;
    }
}
