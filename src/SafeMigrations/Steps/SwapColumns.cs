using System;
using System.Text;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Operations;
using Microsoft.EntityFrameworkCore.Migrations.Operations.Builders;
using SafeMigrations.Internal;
using static SafeMigrations.Internal.StepArguments;

namespace SafeMigrations;

// The switch-over of a type change: the filled replacement takes the column's name (SM0007).
public static partial class SafeMigrationBuilderExtensions
{
    /// <summary>
    /// Puts a filled replacement column in the place of a column, in one short transaction: the switch-over of a type
    /// change (SM0007). <paramref name="column"/> is renamed to <paramref name="oldColumn"/> and
    /// <paramref name="replacementColumn"/> to <paramref name="column"/>.
    /// </summary>
    /// <param name="migrationBuilder">The migration's builder.</param>
    /// <param name="table">The table.</param>
    /// <param name="column">The column being replaced; after the swap its name holds the replacement's data.</param>
    /// <param name="replacementColumn">The filled replacement (e.g. the new-typed column).</param>
    /// <param name="schema">The table's schema, or <see langword="null"/> for the search_path.</param>
    /// <param name="reverseConvertSql">
    /// Expression for the old column's value, over the names after the swap, e.g. <c>NEW."Quantity"::integer</c>;
    /// <see langword="null"/> copies <c>NEW."column"</c> as is.
    /// </param>
    /// <param name="oldColumn">The name the replaced column gets; <see langword="null"/> for <c>&lt;column&gt;_old</c>.</param>
    /// <returns>The step's builder.</returns>
    /// <remarks>
    /// <para>A sync trigger between the two columns (either direction, as <see cref="CreateSyncTrigger"/> named it) would
    /// point at the wrong columns after the renames, so the swap drops it and installs a one-way trigger
    /// <paramref name="column"/> → <paramref name="oldColumn"/>: the old column stays filled (so a forward migration can
    /// swap back) until the contract phase runs <c>DropSyncTrigger(table, fromColumn: column, toColumn: oldColumn)</c> and
    /// drops it.</para>
    /// <para>The engine's rollback of the expand undoes the swap when the same migration's expand ran
    /// <see cref="CreateSyncTrigger"/> between the two columns before it: in one short transaction it drops the reverse
    /// trigger, renames the columns back and installs that sync trigger again, after checking that no row holds a value
    /// in <paramref name="column"/> the old column does not (a value its type cannot hold refuses the rollback, SM1008,
    /// instead of losing it). Without that trigger in the migration the rollback refuses (SM1008).</para>
    /// <para>Only names move: indexes, constraints, defaults and identity stay with the column they were created on.
    /// Create the replacement's indexes (concurrently) and constraints before the swap.</para>
    /// </remarks>
    public static OperationBuilder<SqlOperation> SwapColumns(
        this MigrationBuilder migrationBuilder,
        string table,
        string column,
        string replacementColumn,
        string? schema = null,
        string? reverseConvertSql = null,
        string? oldColumn = null)
    {
        CheckBuilder(migrationBuilder);
        CheckName(table, nameof(table));
        CheckName(column, nameof(column));
        CheckName(replacementColumn, nameof(replacementColumn));
        CheckOptionalSql(reverseConvertSql, nameof(reverseConvertSql));
        if (oldColumn is not null)
        {
            CheckName(oldColumn, nameof(oldColumn));
        }

        string renamedTo = oldColumn ?? PostgresText.FitIdentifier(column + "_old");
        if (string.Equals(column, replacementColumn, StringComparison.Ordinal)
            || string.Equals(renamedTo, column, StringComparison.Ordinal)
            || string.Equals(renamedTo, replacementColumn, StringComparison.Ordinal))
        {
            throw new ArgumentException($"A swap needs three different names; got column '{column}', replacement '{replacementColumn}', old '{renamedTo}'.");
        }

        string qualifiedTable = PostgresText.Qualify(schema, table);
        var reverse = SyncTriggerSql.Names(table, column, renamedTo);
        var sql = new StringBuilder()
            .Append(DropSyncTriggerSql(schema, table, SyncTriggerSql.Names(table, column, replacementColumn))).Append('\n')
            .Append(DropSyncTriggerSql(schema, table, SyncTriggerSql.Names(table, replacementColumn, column))).Append('\n')
            .Append("ALTER TABLE ").Append(qualifiedTable).Append(" RENAME COLUMN ").Append(PostgresText.Quote(column))
            .Append(" TO ").Append(PostgresText.Quote(renamedTo)).Append(";\n")
            .Append("ALTER TABLE ").Append(qualifiedTable).Append(" RENAME COLUMN ").Append(PostgresText.Quote(replacementColumn))
            .Append(" TO ").Append(PostgresText.Quote(column)).Append(";\n")
            .Append(CreateSyncTriggerSql(schema, table, column, renamedTo, twoWay: false, reverseConvertSql, reverseConvertSql: null));

        var step = new Step(SafeMigrationSteps.SwapColumns, schema, table)
            .With(SafeMigrationsAnnotations.Column, column)
            .With(SafeMigrationsAnnotations.ReplacementColumn, replacementColumn)
            .With(SafeMigrationsAnnotations.OldColumn, renamedTo)
            .With(SafeMigrationsAnnotations.ReverseConvertSql, reverseConvertSql)
            .With(SafeMigrationsAnnotations.TriggerName, reverse.Trigger)
            .With(SafeMigrationsAnnotations.FunctionName, reverse.Function);
        step.Add(SafeMigrationSteps.SwapColumns, sql.ToString(), suppressTransaction: false);
        return step.AddTo(migrationBuilder);
    }
}
