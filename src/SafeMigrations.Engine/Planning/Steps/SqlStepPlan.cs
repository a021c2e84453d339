using System.Collections.Generic;
using System.Linq;
using SafeMigrations.Sql;

namespace SafeMigrations.Engine.Planning.Steps
{
    /// <summary>
    /// A safe step planned from its own SQL: the statements' facts (<see cref="StatementFacts"/>) give the step's kind,
    /// lock, verification and undo, CONCURRENTLY runs outside a transaction, everything else in its own short one. A
    /// kind's plan derives from it and overrides only what the kind decides itself.
    /// </summary>
    internal abstract class SqlStepPlan : ISafeStepPlan
    {
        protected SqlStepPlan(string step)
        {
            Step = step;
        }

        /// <inheritdoc />
        public string Step { get; }

        /// <inheritdoc />
        public virtual PlanStep Plan(SafeStepOperation operation, IPlanDraft plan)
        {
            IReadOnlyList<SqlStatement> statements = StatementScanner.Scan(operation.Sql);
            StatementFacts facts = StatementFacts.Combine(statements.Select(StatementFacts.Of).ToList());
            string? part = operation.Part;
            StepTransaction transaction = facts.Concurrently ? StepTransaction.None
                : facts.Kind == "validate-constraint" ? StepTransaction.Own // runs fine in a short transaction, and gets a lock_timeout there
                : operation.Operation.SuppressTransaction ? StepTransaction.None : StepTransaction.Own;
            string description = part is null || part == operation.Step
                ? MigrationPlanner.Kebab(operation.Step)
                : MigrationPlanner.Kebab(operation.Step) + " / " + MigrationPlanner.Kebab(part);
            string? name = operation.Text(StepAnnotations.Name) ?? statements.FirstOrDefault()?.Index?.Name;
            if (name is not null)
                description += " " + SqlIdentifier.Quote(name);
            PlanStep step = plan.Add(facts.Kind, description, operation.Sql, transaction, Lock(operation, facts));
            string? table = operation.Table;
            MigrationPlanner.ApplyFacts(step, facts, onNewTable: table is not null && plan.IsNew(operation.Schema, table));
            return step;
        }

        /// <inheritdoc />
        public virtual void Verify(PlanStep step, SafeStepOperation operation)
        {
            // The statements' own verification, set with the step.
        }

        /// <inheritdoc />
        public virtual void Undo(PlanStep step, SafeStepOperation operation)
        {
            // The statements' own undo, set with the step.
        }

        /// <summary>The lock the step takes, as the plan shows it: the statements' own unless the kind knows better.</summary>
        protected virtual string Lock(SafeStepOperation operation, StatementFacts facts) => facts.Lock;
    }
}
