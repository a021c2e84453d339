using System;
using System.Linq;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Operations;
using Microsoft.EntityFrameworkCore.Migrations.Operations.Builders;
using SafeMigrations.Internal;
using static SafeMigrations.Internal.StepArguments;

namespace SafeMigrations;

// Updates and deletes of many rows, run by the engine in keyset batches (SM0015; the fills of SM0004-SM0007 and SM0011).
public static partial class SafeMigrationBuilderExtensions
{
    /// <summary>
    /// Deletes many rows: the safe form of a one-statement <c>DELETE</c> (SM0015). Plain EF runs one
    /// <c>DELETE FROM table WHERE <paramref name="where"/></c>; the engine deletes in keyset batches of about
    /// <paramref name="batchSize"/> rows, each its own short transaction, and verifies that no row matches afterwards.
    /// </summary>
    /// <param name="migrationBuilder">The migration's builder.</param>
    /// <param name="table">The table to delete from.</param>
    /// <param name="where">The rows to delete, e.g. <c>"CreatedAt" &lt; now() - interval '1 year'</c>; <c>TRUE</c> for all of them.</param>
    /// <param name="batchSize">Rows per batch for the engine (its starting size when it adapts to a target duration).</param>
    /// <param name="keyColumns">The columns to walk in keyset order, or <see langword="null"/> for the primary key.</param>
    /// <param name="schema">The table's schema, or <see langword="null"/> for the search_path.</param>
    /// <returns>The step's builder.</returns>
    public static OperationBuilder<SqlOperation> DeleteInBatches(
        this MigrationBuilder migrationBuilder,
        string table,
        string where,
        int batchSize = 10_000,
        string[]? keyColumns = null,
        string? schema = null)
    {
        CheckBuilder(migrationBuilder);
        CheckName(table, nameof(table));
        if (string.IsNullOrWhiteSpace(where))
        {
            throw new ArgumentException("A batched delete needs a 'where' predicate (TRUE deletes every row).", nameof(where));
        }

        if (batchSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "A delete batch needs at least one row.");
        }

        if (keyColumns is not null)
        {
            CheckColumns(keyColumns, nameof(keyColumns));
        }

        var step = new Step(SafeMigrationSteps.DeleteInBatches, schema, table)
            .With(SafeMigrationsAnnotations.Where, where)
            .With(SafeMigrationsAnnotations.BatchSize, batchSize)
            .With(SafeMigrationsAnnotations.KeyColumns, keyColumns?.ToArray());
        step.Add(SafeMigrationSteps.DeleteInBatches, $"DELETE FROM {PostgresText.Qualify(schema, table)} WHERE {where};", suppressTransaction: false);
        return step.AddTo(migrationBuilder);
    }

    /// <summary>
    /// Updates many rows: the safe form of a one-statement <c>UPDATE</c> (SM0015) and of the fill step of
    /// SM0004/SM0005/SM0006/SM0007/SM0011. Plain EF runs one <c>UPDATE ... SET <paramref name="set"/> WHERE <paramref name="where"/></c>;
    /// the engine runs it in keyset batches of about <paramref name="batchSize"/> rows, each its own short transaction.
    /// </summary>
    /// <param name="migrationBuilder">The migration's builder.</param>
    /// <param name="table">The table to update.</param>
    /// <param name="set">The SET list SQL, e.g. <c>"EmailLower" = lower("Email")</c>.</param>
    /// <param name="where">
    /// The rows still to do, e.g. <c>"EmailLower" IS NULL</c>. Required, and it must become false for a row once the
    /// row is done: it is how a resumed run skips finished rows and how the engine verifies that no row was missed
    /// (rows written meanwhile by the application, or filled by a sync trigger, included).
    /// </param>
    /// <param name="batchSize">Rows per batch for the engine (its starting size when it adapts to a target duration).</param>
    /// <param name="keyColumns">The columns to walk in keyset order, or <see langword="null"/> for the primary key.</param>
    /// <param name="schema">The table's schema, or <see langword="null"/> for the search_path.</param>
    /// <returns>The step's builder.</returns>
    public static OperationBuilder<SqlOperation> Backfill(
        this MigrationBuilder migrationBuilder,
        string table,
        string set,
        string where,
        int batchSize = 10_000,
        string[]? keyColumns = null,
        string? schema = null)
        => BackfillCore(migrationBuilder, table, column: null, set, where, batchSize, keyColumns, schema);

    /// <summary>
    /// Fills one column of many rows: the safe form of a one-statement <c>UPDATE</c> (SM0015) and of the fill step of
    /// SM0004/SM0005/SM0006/SM0007/SM0011. Plain EF runs one <c>UPDATE ... SET "column" = value WHERE <paramref name="where"/></c>;
    /// the engine runs it in keyset batches of about <paramref name="batchSize"/> rows, each its own short transaction.
    /// </summary>
    /// <param name="migrationBuilder">The migration's builder.</param>
    /// <param name="table">The table to update.</param>
    /// <param name="column">The column to fill.</param>
    /// <param name="value">The value SQL, e.g. <c>lower("Email")</c> or <c>"Quantity"::bigint</c>.</param>
    /// <param name="where">
    /// The rows still to do, e.g. <c>"EmailLower" IS NULL</c>. Required, and it must become false for a row once the
    /// row is done: it is how a resumed run skips finished rows and how the engine verifies that no row was missed.
    /// </param>
    /// <param name="batchSize">Rows per batch for the engine (its starting size when it adapts to a target duration).</param>
    /// <param name="keyColumns">The columns to walk in keyset order, or <see langword="null"/> for the primary key.</param>
    /// <param name="schema">The table's schema, or <see langword="null"/> for the search_path.</param>
    /// <returns>The step's builder.</returns>
    public static OperationBuilder<SqlOperation> Backfill(
        this MigrationBuilder migrationBuilder,
        string table,
        string column,
        string value,
        string where,
        int batchSize = 10_000,
        string[]? keyColumns = null,
        string? schema = null)
    {
        CheckName(column, nameof(column));
        CheckSql(value, nameof(value));
        return BackfillCore(migrationBuilder, table, column, $"{PostgresText.Quote(column)} = {value}", where, batchSize, keyColumns, schema);
    }

    private static OperationBuilder<SqlOperation> BackfillCore(
        MigrationBuilder migrationBuilder,
        string table,
        string? column,
        string set,
        string where,
        int batchSize,
        string[]? keyColumns,
        string? schema)
    {
        CheckBuilder(migrationBuilder);
        CheckName(table, nameof(table));
        CheckSql(set, nameof(set));
        if (string.IsNullOrWhiteSpace(where))
        {
            throw new ArgumentException(
                "A backfill needs a 'where' predicate that is true exactly for the rows still to do (e.g. \"\\\"EmailLower\\\" IS NULL\"): " +
                "it lets a resumed run skip finished rows and proves that no row was missed.", nameof(where));
        }

        if (batchSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "A backfill batch needs at least one row.");
        }

        if (keyColumns is not null)
        {
            CheckColumns(keyColumns, nameof(keyColumns));
        }

        var step = new Step(SafeMigrationSteps.Backfill, schema, table)
            .With(SafeMigrationsAnnotations.Column, column)
            .With(SafeMigrationsAnnotations.Set, set)
            .With(SafeMigrationsAnnotations.Where, where)
            .With(SafeMigrationsAnnotations.BatchSize, batchSize)
            .With(SafeMigrationsAnnotations.KeyColumns, keyColumns?.ToArray());
        step.Add(
            SafeMigrationSteps.Backfill,
            $"UPDATE {PostgresText.Qualify(schema, table)} SET {set} WHERE {where};",
            suppressTransaction: false);
        return step.AddTo(migrationBuilder);
    }
}
