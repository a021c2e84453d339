using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations.Operations;

namespace SafeMigrations.Engine.Planning.Steps
{
    /// <summary>An operation carrying a <c>SafeMigrations:Step</c> annotation, with the annotations every kind reads (STEPS.md).</summary>
    internal sealed class SafeStepOperation
    {
        public SafeStepOperation(SqlOperation operation, string step, IReadOnlyList<SafeStepOperation>? earlierExpand = null)
        {
            Operation = operation;
            Step = step;
            Sql = operation.Sql.Trim();
            EarlierExpand = earlierExpand ?? Array.Empty<SafeStepOperation>();
        }

        /// <summary>The migration's expand-phase safe steps before this one, in order (an undo may depend on them, e.g. a swap on its sync trigger).</summary>
        public IReadOnlyList<SafeStepOperation> EarlierExpand { get; }

        /// <summary>The operation as the migration wrote it (its SQL is what plain EF runs).</summary>
        public SqlOperation Operation { get; }

        /// <summary>The step kind, a <see cref="SafeMigrationSteps"/> name or one this engine does not know.</summary>
        public string Step { get; }

        /// <summary>The operation's SQL, trimmed.</summary>
        public string Sql { get; }

        /// <summary>The <c>SafeMigrations:Schema</c> annotation, or null for the search_path.</summary>
        public string? Schema => Text(StepAnnotations.Schema);

        /// <summary>The <c>SafeMigrations:Table</c> annotation, or null.</summary>
        public string? Table => Text(StepAnnotations.Table);

        /// <summary>The <c>SafeMigrations:Part</c> annotation (a <see cref="SafeMigrationStepParts"/> name or the step kind), or null.</summary>
        public string? Part => Text(StepAnnotations.Part);

        /// <summary>A string annotation, or null when it is absent or not a string.</summary>
        public string? Text(string annotation) => Operation[annotation] as string;

        /// <summary>An annotation's value, or null when it is absent.</summary>
        public object? this[string annotation] => Operation[annotation];
    }
}
