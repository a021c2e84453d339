using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Operations;
using Microsoft.EntityFrameworkCore.Migrations.Operations.Builders;
using SafeMigrations.Internal;
using static SafeMigrations.Internal.StepArguments;

namespace SafeMigrations;

// SET NOT NULL proved by a validated check, so the server skips its scan (SM0004-SM0006).
public static partial class SafeMigrationBuilderExtensions
{
    /// <summary>
    /// Makes a column NOT NULL without the full-table scan under ACCESS EXCLUSIVE: the safe form of
    /// <c>AlterColumn(nullable: false)</c> (SM0006, and the last step of SM0004/SM0005).
    /// </summary>
    /// <param name="migrationBuilder">The migration's builder.</param>
    /// <param name="column">The column.</param>
    /// <param name="table">The column's table.</param>
    /// <param name="schema">The table's schema, or <see langword="null"/> for the search_path.</param>
    /// <returns>The step's builder.</returns>
    /// <remarks>
    /// Four operations: <c>DROP CONSTRAINT IF EXISTS ck, ADD CONSTRAINT ck CHECK ("c" IS NOT NULL) NOT VALID</c> (brief lock,
    /// no scan; a leftover of an interrupted run is replaced);
    /// <c>VALIDATE CONSTRAINT ck</c> (scan under SHARE UPDATE EXCLUSIVE, transaction suppressed);
    /// <c>SET NOT NULL</c> (PostgreSQL 12+ skips its scan because the validated check proves it); <c>DROP CONSTRAINT ck</c>.
    /// The check is named <c>CK_&lt;table&gt;_&lt;column&gt;_not_null</c>, shortened with a hash to 63 bytes when longer.
    /// Rows that are still NULL make the validation fail: backfill them first (<see cref="Backfill(MigrationBuilder, string, string, string, string, int, string[], string)"/>).
    /// </remarks>
    public static OperationBuilder<SqlOperation> SetNotNullThroughCheck(
        this MigrationBuilder migrationBuilder,
        string column,
        string table,
        string? schema = null)
    {
        CheckBuilder(migrationBuilder);
        CheckName(column, nameof(column));
        CheckName(table, nameof(table));
        string check = PostgresText.FitIdentifier($"CK_{table}_{column}_not_null");
        string qualifiedTable = PostgresText.Qualify(schema, table);
        var step = new Step(SafeMigrationSteps.SetNotNullThroughCheck, schema, table)
            .With(SafeMigrationsAnnotations.Column, column)
            .With(SafeMigrationsAnnotations.CheckName, check);
        step.Add(
            SafeMigrationStepParts.AddCheckNotValid,
            // The helper check is ours: dropping a leftover of an interrupted run in the same statement makes a rerun work.
            $"ALTER TABLE {qualifiedTable} DROP CONSTRAINT IF EXISTS {PostgresText.Quote(check)}, ADD CONSTRAINT {PostgresText.Quote(check)} CHECK ({PostgresText.Quote(column)} IS NOT NULL) NOT VALID;",
            suppressTransaction: false);
        step.Add(SafeMigrationStepParts.ValidateCheck, ValidateSql(schema, table, check), suppressTransaction: true);
        step.Add(
            SafeMigrationStepParts.SetNotNull,
            $"ALTER TABLE {qualifiedTable} ALTER COLUMN {PostgresText.Quote(column)} SET NOT NULL;",
            suppressTransaction: false);
        step.Add(
            SafeMigrationStepParts.DropCheck,
            $"ALTER TABLE {qualifiedTable} DROP CONSTRAINT IF EXISTS {PostgresText.Quote(check)};",
            suppressTransaction: false);
        return step.AddTo(migrationBuilder);
    }
}
