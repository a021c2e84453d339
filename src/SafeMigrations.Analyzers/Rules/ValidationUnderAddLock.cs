using System.Collections.Generic;
using SafeMigrations.Analyzers.Model;
using SafeMigrations.Sql;

namespace SafeMigrations.Analyzers.Rules
{
    /// <summary>
    /// A <c>VALIDATE CONSTRAINT</c> that runs in the same transaction as the <c>ADD CONSTRAINT ... NOT VALID</c> of the
    /// same constraint: the ADD's lock is held until commit, so the validation scan runs under it (SM0008, SM0009).
    /// </summary>
    internal readonly struct ValidationUnderAddLock
    {
        private ValidationUnderAddLock(StepStatement validate, AlterTableAction validateAction, AlterTableAction added, TableName table)
        {
            Validate = validate;
            ValidateAction = validateAction;
            Added = added;
            Table = table;
        }

        /// <summary>The statement holding the VALIDATE (where the diagnostic goes).</summary>
        public StepStatement Validate { get; }

        public AlterTableAction ValidateAction { get; }

        /// <summary>The earlier <c>ADD CONSTRAINT ... NOT VALID</c> action (its kind, name and referenced table).</summary>
        public AlterTableAction Added { get; }

        public TableName Table { get; }

        /// <summary>
        /// Walks the method in order and tracks NOT VALID constraints added in the current transaction. EF commits
        /// before a <c>Sql(..., suppressTransaction: true)</c> call and runs that call on its own (its statements form
        /// one implicit transaction), and Npgsql does the same for a concurrent <c>CreateIndex</c>; a COMMIT, END or
        /// ROLLBACK inside the SQL text ends the transaction too (BEGIN does not release what is held); a
        /// <c>suppressTransaction</c> that is not a constant is treated as a commit (never flag what we cannot read).
        /// </summary>
        public static List<ValidationUnderAddLock> Find(MigrationModel model)
        {
            var found = new List<ValidationUnderAddLock>();
            var pending = new Dictionary<(TableName Table, string Name), AlterTableAction>();
            foreach (var step in model.Steps)
            {
                if (!(step.Sql is { } sql))
                {
                    if (step.MethodName == "CreateIndex" && step.FindAnnotation(NpgsqlAnnotations.CreatedConcurrently) is { } concurrent
                        && concurrent.Value.AsBool() != false)
                    {
                        pending.Clear();
                    }

                    continue;
                }

                var ownTransaction = sql.SuppressTransaction != false;
                if (ownTransaction)
                {
                    pending.Clear();
                }

                var statements = sql.Statements;
                for (var i = 0; i < statements.Count; i++)
                {
                    var statement = statements[i];
                    if (statement.EndsTransaction)
                    {
                        // COMMIT / END / ROLLBACK in the text: the ADD's lock is released; a later VALIDATE runs apart.
                        pending.Clear();
                        continue;
                    }

                    if (statement.Kind != StatementKind.AlterTable || !(TableName.From(statement.Table) is { } table))
                    {
                        continue;
                    }

                    foreach (var action in statement.Actions)
                    {
                        if (action.Name is null)
                        {
                            continue;
                        }

                        switch (action.Kind)
                        {
                            case AlterTableActionKind.AddConstraint when action.NotValid
                                                                          && (action.Constraint == ConstraintKind.ForeignKey || action.Constraint == ConstraintKind.Check):
                                pending[(table, action.Name)] = action;
                                break;
                            case AlterTableActionKind.ValidateConstraint when pending.TryGetValue((table, action.Name), out var added):
                                found.Add(new ValidationUnderAddLock(new StepStatement(step, statement, i), action, added, table));
                                break;
                            case AlterTableActionKind.DropConstraint:
                            case AlterTableActionKind.RenameConstraint:
                                pending.Remove((table, action.Kind == AlterTableActionKind.RenameConstraint ? action.OldName ?? string.Empty : action.Name));
                                break;
                        }
                    }
                }

                if (ownTransaction)
                {
                    // The call ran outside the migration's transaction and committed on its own.
                    pending.Clear();
                }
            }

            return found;
        }
    }
}
