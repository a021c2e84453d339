using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Operations;

namespace SafeMigrations.Engine.Planning.Steps
{
    /// <summary>The plan of one migration while <see cref="MigrationPlanner"/> builds it, as a step kind's plan sees it.</summary>
    internal interface IPlanDraft
    {
        /// <summary>Appends a step in the phase of the operation being planned.</summary>
        PlanStep Add(string kind, string description, string sql, StepTransaction transaction, string lockTaken);

        /// <summary>Whether the migration created the table itself (its steps are undone by dropping it).</summary>
        bool IsNew(string? schema, string table);

        /// <summary>The provider's SQL for a plain EF operation, against the migration's target model.</summary>
        IReadOnlyList<MigrationCommand> GenerateSql(MigrationOperation operation);
    }
}
