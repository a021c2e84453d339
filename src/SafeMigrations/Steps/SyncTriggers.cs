using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Operations;
using Microsoft.EntityFrameworkCore.Migrations.Operations.Builders;
using SafeMigrations.Internal;
using static SafeMigrations.Internal.StepArguments;

namespace SafeMigrations;

// Triggers that keep an old and a new column equal while two application versions run (SM0007, SM0011).
public static partial class SafeMigrationBuilderExtensions
{
    /// <summary>
    /// Installs a trigger that keeps <paramref name="toColumn"/> equal to <paramref name="fromColumn"/> (and, two-way,
    /// the reverse) on every INSERT and UPDATE: the expand half of a column rename (SM0011, two-way) or a type change
    /// (SM0007, one-way with a conversion), so the old and the new application version can run side by side.
    /// </summary>
    /// <param name="migrationBuilder">The migration's builder.</param>
    /// <param name="table">The table.</param>
    /// <param name="fromColumn">The column the running application writes.</param>
    /// <param name="toColumn">The column being introduced.</param>
    /// <param name="twoWay">Also copy <paramref name="toColumn"/> into <paramref name="fromColumn"/> when only it is written.</param>
    /// <param name="convertSql">
    /// PL/pgSQL expression for the new value of <paramref name="toColumn"/>, over <c>NEW."column"</c> references, e.g.
    /// <c>NEW."Quantity"::bigint</c>; <see langword="null"/> copies <c>NEW."fromColumn"</c> as is (assignment cast).
    /// </param>
    /// <param name="reverseConvertSql">
    /// Two-way only: expression for the new value of <paramref name="fromColumn"/>, e.g. <c>NEW."QuantityNew"::integer</c>;
    /// <see langword="null"/> copies <c>NEW."toColumn"</c> as is.
    /// </param>
    /// <param name="schema">The table's schema (also the function's), or <see langword="null"/> for the search_path.</param>
    /// <returns>The step's builder.</returns>
    /// <remarks>
    /// <para>A <c>BEFORE INSERT OR UPDATE ... FOR EACH ROW</c> trigger that only assigns <c>NEW</c>: it issues no
    /// statement of its own, so it cannot fire itself and two-way copying cannot loop.</para>
    /// <para>One-way: every written row gets <c>to := convert(from)</c>. Two-way: an UPDATE that names one column in
    /// its SET list copies it to the other (a second trigger, <c>UPDATE OF</c> <paramref name="toColumn"/>, tells which
    /// was named); on an INSERT, or an UPDATE naming both, a NULL side is filled from the other, and when both hold
    /// different values <paramref name="toColumn"/> wins (only code that knows the new schema can name it, and it is the
    /// column that outlives the contract).</para>
    /// <para>Two-way: column defaults are filled in before BEFORE triggers run, so the install moves both columns'
    /// defaults into the trigger (dropped from the columns, applied by the trigger when an INSERT writes neither side;
    /// the old column's default first) and <see cref="DropSyncTrigger"/> gives them back. An INSERT of explicit NULLs into
    /// both sides gets the default too. Set defaults on either column before this step or after
    /// <see cref="DropSyncTrigger"/>, not in between. See STEPS.md for the exact rules.</para>
    /// <para>Rows nobody writes are not touched: pair the trigger with a <c>Backfill</c>. The function is
    /// <c>sync_&lt;table&gt;_&lt;from&gt;_to_&lt;to&gt;</c> and the trigger <c>sync_&lt;from&gt;_to_&lt;to&gt;</c> (two-way also
    /// <c>sync-back_&lt;from&gt;_to_&lt;to&gt;</c>), each shortened with a
    /// hash to 63 bytes when longer; <see cref="DropSyncTrigger"/> computes the same names.</para>
    /// </remarks>
    public static OperationBuilder<SqlOperation> CreateSyncTrigger(
        this MigrationBuilder migrationBuilder,
        string table,
        string fromColumn,
        string toColumn,
        bool twoWay = false,
        string? convertSql = null,
        string? reverseConvertSql = null,
        string? schema = null)
    {
        CheckBuilder(migrationBuilder);
        CheckName(table, nameof(table));
        CheckName(fromColumn, nameof(fromColumn));
        CheckName(toColumn, nameof(toColumn));
        CheckOptionalSql(convertSql, nameof(convertSql));
        CheckOptionalSql(reverseConvertSql, nameof(reverseConvertSql));
        if (string.Equals(fromColumn, toColumn, StringComparison.Ordinal))
        {
            throw new ArgumentException($"A sync trigger needs two different columns; both are '{fromColumn}'.", nameof(toColumn));
        }

        if (!twoWay && reverseConvertSql is not null)
        {
            throw new ArgumentException("reverseConvertSql is only used by a two-way sync trigger; pass twoWay: true.", nameof(reverseConvertSql));
        }

        var names = SyncTriggerSql.Names(table, fromColumn, toColumn);
        var step = new Step(SafeMigrationSteps.CreateSyncTrigger, schema, table)
            .With(SafeMigrationsAnnotations.FromColumn, fromColumn)
            .With(SafeMigrationsAnnotations.ToColumn, toColumn)
            .With(SafeMigrationsAnnotations.TwoWay, twoWay)
            .With(SafeMigrationsAnnotations.ConvertSql, convertSql)
            .With(SafeMigrationsAnnotations.ReverseConvertSql, reverseConvertSql)
            .With(SafeMigrationsAnnotations.TriggerName, names.Trigger)
            .With(SafeMigrationsAnnotations.FunctionName, names.Function)
            .With(SafeMigrationsAnnotations.UndoSql, DropSyncTriggerSql(schema, table, names));
        step.Add(
            SafeMigrationSteps.CreateSyncTrigger,
            CreateSyncTriggerSql(schema, table, fromColumn, toColumn, twoWay, convertSql, reverseConvertSql),
            suppressTransaction: false);
        return step.AddTo(migrationBuilder);
    }

    /// <summary>
    /// Drops the trigger(s) and function <see cref="CreateSyncTrigger"/> installed for the same table and columns, and
    /// gives the columns back the defaults a two-way trigger took over: the contract half of SM0007/SM0011 (mark it
    /// <c>.InContractPhase()</c>), and the <c>Down</c> of <see cref="CreateSyncTrigger"/>.
    /// </summary>
    /// <param name="migrationBuilder">The migration's builder.</param>
    /// <param name="table">The table.</param>
    /// <param name="fromColumn">The trigger's source column, as passed to <see cref="CreateSyncTrigger"/>.</param>
    /// <param name="toColumn">The trigger's target column, as passed to <see cref="CreateSyncTrigger"/>.</param>
    /// <param name="schema">The table's schema, or <see langword="null"/> for the search_path.</param>
    /// <returns>The step's builder.</returns>
    public static OperationBuilder<SqlOperation> DropSyncTrigger(
        this MigrationBuilder migrationBuilder,
        string table,
        string fromColumn,
        string toColumn,
        string? schema = null)
    {
        CheckBuilder(migrationBuilder);
        CheckName(table, nameof(table));
        CheckName(fromColumn, nameof(fromColumn));
        CheckName(toColumn, nameof(toColumn));
        var names = SyncTriggerSql.Names(table, fromColumn, toColumn);
        var step = new Step(SafeMigrationSteps.DropSyncTrigger, schema, table)
            .With(SafeMigrationsAnnotations.FromColumn, fromColumn)
            .With(SafeMigrationsAnnotations.ToColumn, toColumn)
            .With(SafeMigrationsAnnotations.TriggerName, names.Trigger)
            .With(SafeMigrationsAnnotations.FunctionName, names.Function);
        step.Add(SafeMigrationSteps.DropSyncTrigger, DropSyncTriggerSql(schema, table, names), suppressTransaction: false);
        return step.AddTo(migrationBuilder);
    }

    private static string CreateSyncTriggerSql(
        string? schema,
        string table,
        string fromColumn,
        string toColumn,
        bool twoWay,
        string? convertSql,
        string? reverseConvertSql)
        => SyncTriggerSql.Create(schema, table, fromColumn, toColumn, twoWay, convertSql, reverseConvertSql);

    private static string DropSyncTriggerSql(string? schema, string table, SyncTriggerNames names)
        => SyncTriggerSql.Drop(schema, table, names);
}
