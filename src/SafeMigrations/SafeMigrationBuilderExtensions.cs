using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Operations;
using Microsoft.EntityFrameworkCore.Migrations.Operations.Builders;
using SafeMigrations.Internal;

namespace SafeMigrations;

/// <summary>
/// The safe steps of a PostgreSQL migration, as <see cref="MigrationBuilder"/> methods. Each adds ordinary
/// <see cref="SqlOperation"/>s carrying <c>SafeMigrations:*</c> annotations (<see cref="SafeMigrationsAnnotations"/>):
/// plain <c>dotnet ef database update</c> / <c>Database.Migrate()</c> runs the SQL all at once and reaches the same
/// end state; the SafeMigrations engine reads the annotations and runs each step with lock timeouts, retries, batches
/// and verification.
/// </summary>
/// <remarks>
/// <para>Names are passed unquoted, exactly as EF Core's own methods take them; every identifier is quoted in the SQL.
/// SQL fragments (<c>sql</c>, <c>set</c>, <c>where</c>, conversions) are inserted as written.</para>
/// <para>Each method returns a builder that stands for the whole step: <c>.InContractPhase()</c> and
/// <c>.Annotation(...)</c> apply to every operation of the step.</para>
/// </remarks>
public static class SafeMigrationBuilderExtensions
{
    private const string NpgsqlProvider = "Npgsql.EntityFrameworkCore.PostgreSQL";

    /// <summary>
    /// Builds an index with <c>CREATE [UNIQUE] INDEX CONCURRENTLY IF NOT EXISTS</c>, outside the migration transaction:
    /// the safe form of <c>CreateIndex</c> (SM0001) for partial indexes or index methods. For a plain index EF's own
    /// <c>CreateIndex(...).Annotation("Npgsql:CreatedConcurrently", true)</c> is equivalent.
    /// </summary>
    /// <param name="migrationBuilder">The migration's builder.</param>
    /// <param name="name">The index name.</param>
    /// <param name="table">The table to index.</param>
    /// <param name="columns">The key columns, in order.</param>
    /// <param name="schema">The table's schema, or <see langword="null"/> for the search_path.</param>
    /// <param name="unique">Whether the index is unique.</param>
    /// <param name="filter">The partial-index predicate SQL, or <see langword="null"/>.</param>
    /// <param name="method">The index method (<c>gin</c>, <c>gist</c>...), or <see langword="null"/> for btree.</param>
    /// <returns>The step's builder.</returns>
    /// <remarks>
    /// A failed concurrent build leaves an invalid index behind; <c>IF NOT EXISTS</c> would then skip it. The engine
    /// checks <c>pg_index.indisvalid</c> and rebuilds; under plain EF, drop the leftover before rerunning.
    /// </remarks>
    public static OperationBuilder<SqlOperation> CreateIndexConcurrently(
        this MigrationBuilder migrationBuilder,
        string name,
        string table,
        string[] columns,
        string? schema = null,
        bool unique = false,
        string? filter = null,
        string? method = null)
    {
        CheckColumns(columns, nameof(columns));
        return CreateIndexConcurrentlyCore(migrationBuilder, name, table, columns, PostgresText.QuoteList(columns), schema, unique, filter, method);
    }

    /// <summary>
    /// Builds an expression index with <c>CREATE [UNIQUE] INDEX CONCURRENTLY IF NOT EXISTS</c>, outside the migration
    /// transaction: the safe form of an index created in raw SQL (SM0001), e.g. on <c>lower("Email")</c>.
    /// </summary>
    /// <param name="migrationBuilder">The migration's builder.</param>
    /// <param name="name">The index name.</param>
    /// <param name="table">The table to index.</param>
    /// <param name="expression">The key list SQL, as written between the parentheses, e.g. <c>lower("Email")</c>.</param>
    /// <param name="schema">The table's schema, or <see langword="null"/> for the search_path.</param>
    /// <param name="unique">Whether the index is unique.</param>
    /// <param name="filter">The partial-index predicate SQL, or <see langword="null"/>.</param>
    /// <param name="method">The index method (<c>gin</c>, <c>gist</c>...), or <see langword="null"/> for btree.</param>
    /// <returns>The step's builder.</returns>
    public static OperationBuilder<SqlOperation> CreateExpressionIndexConcurrently(
        this MigrationBuilder migrationBuilder,
        string name,
        string table,
        string expression,
        string? schema = null,
        bool unique = false,
        string? filter = null,
        string? method = null)
    {
        CheckSql(expression, nameof(expression));
        return CreateIndexConcurrentlyCore(migrationBuilder, name, table, columns: null, expression, schema, unique, filter, method);
    }

    /// <summary>
    /// Drops an index with <c>DROP INDEX CONCURRENTLY IF EXISTS</c>, outside the migration transaction: the safe form of
    /// <c>DropIndex</c> (SM0002), which takes ACCESS EXCLUSIVE on the table and blocks reads and writes.
    /// </summary>
    /// <param name="migrationBuilder">The migration's builder.</param>
    /// <param name="name">The index name.</param>
    /// <param name="table">The index's table; not needed by PostgreSQL, recorded for the engine's report.</param>
    /// <param name="schema">The index's schema, or <see langword="null"/> for the search_path.</param>
    /// <returns>The step's builder.</returns>
    public static OperationBuilder<SqlOperation> DropIndexConcurrently(
        this MigrationBuilder migrationBuilder,
        string name,
        string? table = null,
        string? schema = null)
    {
        CheckBuilder(migrationBuilder);
        CheckName(name, nameof(name));
        var step = new Step(SafeMigrationSteps.DropIndexConcurrently, schema, table).With(SafeMigrationsAnnotations.Name, name);
        step.Add(SafeMigrationSteps.DropIndexConcurrently, $"DROP INDEX CONCURRENTLY IF EXISTS {PostgresText.Qualify(schema, name)};", suppressTransaction: true);
        return step.AddTo(migrationBuilder);
    }

    /// <summary>
    /// Adds a single-column foreign key <c>NOT VALID</c>: the safe form of <c>AddForeignKey</c> (SM0008). New and updated
    /// rows are checked at once, existing rows are not, so nothing is scanned under the SHARE ROW EXCLUSIVE lock on both
    /// tables. Follow with <see cref="ValidateConstraint"/>.
    /// </summary>
    /// <param name="migrationBuilder">The migration's builder.</param>
    /// <param name="name">The constraint name.</param>
    /// <param name="table">The dependent table.</param>
    /// <param name="column">The dependent column.</param>
    /// <param name="principalTable">The referenced table.</param>
    /// <param name="schema">The dependent table's schema, or <see langword="null"/> for the search_path.</param>
    /// <param name="principalSchema">The referenced table's schema, or <see langword="null"/> for the search_path.</param>
    /// <param name="principalColumn">The referenced column, or <see langword="null"/> for the principal's primary key.</param>
    /// <param name="onUpdate">The action on update of the referenced key.</param>
    /// <param name="onDelete">The action on delete of the referenced row.</param>
    /// <returns>The step's builder.</returns>
    public static OperationBuilder<SqlOperation> AddForeignKeyNotValid(
        this MigrationBuilder migrationBuilder,
        string name,
        string table,
        string column,
        string principalTable,
        string? schema = null,
        string? principalSchema = null,
        string? principalColumn = null,
        ReferentialAction onUpdate = ReferentialAction.NoAction,
        ReferentialAction onDelete = ReferentialAction.NoAction)
    {
        CheckName(column, nameof(column));
        return migrationBuilder.AddForeignKeyNotValid(
            name, table, new[] { column }, principalTable, schema, principalSchema,
            principalColumn is null ? null : new[] { principalColumn }, onUpdate, onDelete);
    }

    /// <summary>
    /// Adds a foreign key <c>NOT VALID</c>: the safe form of <c>AddForeignKey</c> (SM0008). New and updated rows are
    /// checked at once, existing rows are not, so nothing is scanned under the SHARE ROW EXCLUSIVE lock on both tables.
    /// Follow with <see cref="ValidateConstraint"/>.
    /// </summary>
    /// <param name="migrationBuilder">The migration's builder.</param>
    /// <param name="name">The constraint name.</param>
    /// <param name="table">The dependent table.</param>
    /// <param name="columns">The dependent columns, in order.</param>
    /// <param name="principalTable">The referenced table.</param>
    /// <param name="schema">The dependent table's schema, or <see langword="null"/> for the search_path.</param>
    /// <param name="principalSchema">The referenced table's schema, or <see langword="null"/> for the search_path.</param>
    /// <param name="principalColumns">The referenced columns, or <see langword="null"/> for the principal's primary key.</param>
    /// <param name="onUpdate">The action on update of the referenced key.</param>
    /// <param name="onDelete">The action on delete of the referenced row.</param>
    /// <returns>The step's builder.</returns>
    public static OperationBuilder<SqlOperation> AddForeignKeyNotValid(
        this MigrationBuilder migrationBuilder,
        string name,
        string table,
        string[] columns,
        string principalTable,
        string? schema = null,
        string? principalSchema = null,
        string[]? principalColumns = null,
        ReferentialAction onUpdate = ReferentialAction.NoAction,
        ReferentialAction onDelete = ReferentialAction.NoAction)
    {
        CheckBuilder(migrationBuilder);
        CheckName(name, nameof(name));
        CheckName(table, nameof(table));
        CheckColumns(columns, nameof(columns));
        CheckName(principalTable, nameof(principalTable));
        if (principalColumns is not null)
        {
            CheckColumns(principalColumns, nameof(principalColumns));
            if (principalColumns.Length != columns.Length)
            {
                throw new ArgumentException(
                    $"The foreign key '{name}' has {columns.Length} column(s) but {principalColumns.Length} principal column(s).", nameof(principalColumns));
            }
        }

        var sql = new StringBuilder()
            .Append("ALTER TABLE ").Append(PostgresText.Qualify(schema, table))
            .Append(" ADD CONSTRAINT ").Append(PostgresText.Quote(name))
            .Append(" FOREIGN KEY (").Append(PostgresText.QuoteList(columns)).Append(')')
            .Append(" REFERENCES ").Append(PostgresText.Qualify(principalSchema, principalTable));
        if (principalColumns is not null)
        {
            sql.Append(" (").Append(PostgresText.QuoteList(principalColumns)).Append(')');
        }

        AppendReferentialAction(sql, "ON UPDATE", onUpdate);
        AppendReferentialAction(sql, "ON DELETE", onDelete);
        sql.Append(" NOT VALID;");

        var step = new Step(SafeMigrationSteps.AddForeignKeyNotValid, schema, table)
            .With(SafeMigrationsAnnotations.Name, name)
            .With(SafeMigrationsAnnotations.Columns, columns.ToArray())
            .With(SafeMigrationsAnnotations.PrincipalTable, principalTable)
            .With(SafeMigrationsAnnotations.PrincipalSchema, principalSchema)
            .With(SafeMigrationsAnnotations.PrincipalColumns, principalColumns?.ToArray());
        step.Add(SafeMigrationSteps.AddForeignKeyNotValid, sql.ToString(), suppressTransaction: false);
        return step.AddTo(migrationBuilder);
    }

    /// <summary>
    /// Adds a check constraint <c>NOT VALID</c>: the safe form of <c>AddCheckConstraint</c> (SM0009), which scans the
    /// whole table under ACCESS EXCLUSIVE. New and updated rows are checked at once; follow with
    /// <see cref="ValidateConstraint"/> for the existing ones.
    /// </summary>
    /// <param name="migrationBuilder">The migration's builder.</param>
    /// <param name="name">The constraint name.</param>
    /// <param name="table">The table.</param>
    /// <param name="sql">The condition SQL, e.g. <c>"Price" &gt;= 0</c>.</param>
    /// <param name="schema">The table's schema, or <see langword="null"/> for the search_path.</param>
    /// <returns>The step's builder.</returns>
    public static OperationBuilder<SqlOperation> AddCheckConstraintNotValid(
        this MigrationBuilder migrationBuilder,
        string name,
        string table,
        string sql,
        string? schema = null)
    {
        CheckBuilder(migrationBuilder);
        CheckName(name, nameof(name));
        CheckName(table, nameof(table));
        CheckSql(sql, nameof(sql));
        var step = new Step(SafeMigrationSteps.AddCheckConstraintNotValid, schema, table)
            .With(SafeMigrationsAnnotations.Name, name)
            .With(SafeMigrationsAnnotations.CheckSql, sql);
        step.Add(
            SafeMigrationSteps.AddCheckConstraintNotValid,
            $"ALTER TABLE {PostgresText.Qualify(schema, table)} ADD CONSTRAINT {PostgresText.Quote(name)} CHECK ({sql}) NOT VALID;",
            suppressTransaction: false);
        return step.AddTo(migrationBuilder);
    }

    /// <summary>
    /// Validates a constraint added <c>NOT VALID</c>, with <c>ALTER TABLE ... VALIDATE CONSTRAINT</c>: the second half of
    /// the safe form of <c>AddForeignKey</c> (SM0008) and <c>AddCheckConstraint</c> (SM0009). The scan runs under
    /// SHARE UPDATE EXCLUSIVE, which lets reads and writes continue.
    /// </summary>
    /// <param name="migrationBuilder">The migration's builder.</param>
    /// <param name="name">The constraint name.</param>
    /// <param name="table">The constraint's table.</param>
    /// <param name="schema">The table's schema, or <see langword="null"/> for the search_path.</param>
    /// <returns>The step's builder.</returns>
    /// <remarks>
    /// The transaction is suppressed: EF commits the migration transaction first, so the scan never runs while the
    /// ADD's stronger lock is still held. Validating an already valid constraint is a no-op.
    /// </remarks>
    public static OperationBuilder<SqlOperation> ValidateConstraint(
        this MigrationBuilder migrationBuilder,
        string name,
        string table,
        string? schema = null)
    {
        CheckBuilder(migrationBuilder);
        CheckName(name, nameof(name));
        CheckName(table, nameof(table));
        var step = new Step(SafeMigrationSteps.ValidateConstraint, schema, table).With(SafeMigrationsAnnotations.Name, name);
        step.Add(SafeMigrationSteps.ValidateConstraint, ValidateSql(schema, table, name), suppressTransaction: true);
        return step.AddTo(migrationBuilder);
    }

    /// <summary>
    /// Adds a single-column unique constraint through a concurrently built index: the safe form of
    /// <c>AddUniqueConstraint</c> (SM0010). See the multi-column overload.
    /// </summary>
    /// <param name="migrationBuilder">The migration's builder.</param>
    /// <param name="name">The constraint name (also the index name).</param>
    /// <param name="table">The table.</param>
    /// <param name="column">The column.</param>
    /// <param name="schema">The table's schema, or <see langword="null"/> for the search_path.</param>
    /// <returns>The step's builder.</returns>
    public static OperationBuilder<SqlOperation> AddUniqueConstraintUsingIndex(
        this MigrationBuilder migrationBuilder,
        string name,
        string table,
        string column,
        string? schema = null)
    {
        CheckName(column, nameof(column));
        return migrationBuilder.AddUniqueConstraintUsingIndex(name, table, new[] { column }, schema);
    }

    /// <summary>
    /// Adds a unique constraint through a concurrently built index: the safe form of <c>AddUniqueConstraint</c> (SM0010),
    /// which builds the index under ACCESS EXCLUSIVE. Runs <c>CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS</c> outside
    /// the transaction, then <c>ADD CONSTRAINT ... UNIQUE USING INDEX</c>, which only takes a brief lock.
    /// </summary>
    /// <param name="migrationBuilder">The migration's builder.</param>
    /// <param name="name">The constraint name (also the index name, as PostgreSQL names a constraint's index).</param>
    /// <param name="table">The table.</param>
    /// <param name="columns">The columns, in order.</param>
    /// <param name="schema">The table's schema, or <see langword="null"/> for the search_path.</param>
    /// <returns>The step's builder.</returns>
    public static OperationBuilder<SqlOperation> AddUniqueConstraintUsingIndex(
        this MigrationBuilder migrationBuilder,
        string name,
        string table,
        string[] columns,
        string? schema = null)
        => AddConstraintUsingIndex(migrationBuilder, SafeMigrationSteps.AddUniqueConstraintUsingIndex, "UNIQUE", name, table, columns, schema);

    /// <summary>
    /// Adds a single-column primary key through a concurrently built index: the safe form of <c>AddPrimaryKey</c>
    /// (SM0010). See the multi-column overload.
    /// </summary>
    /// <param name="migrationBuilder">The migration's builder.</param>
    /// <param name="name">The primary key name (also the index name).</param>
    /// <param name="table">The table.</param>
    /// <param name="column">The column; make it NOT NULL first (<see cref="SetNotNullThroughCheck"/>).</param>
    /// <param name="schema">The table's schema, or <see langword="null"/> for the search_path.</param>
    /// <returns>The step's builder.</returns>
    public static OperationBuilder<SqlOperation> AddPrimaryKeyUsingIndex(
        this MigrationBuilder migrationBuilder,
        string name,
        string table,
        string column,
        string? schema = null)
    {
        CheckName(column, nameof(column));
        return migrationBuilder.AddPrimaryKeyUsingIndex(name, table, new[] { column }, schema);
    }

    /// <summary>
    /// Adds a primary key through a concurrently built index: the safe form of <c>AddPrimaryKey</c> (SM0010), which
    /// builds the index under ACCESS EXCLUSIVE. Runs <c>CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS</c> outside the
    /// transaction, then <c>ADD CONSTRAINT ... PRIMARY KEY USING INDEX</c>.
    /// </summary>
    /// <param name="migrationBuilder">The migration's builder.</param>
    /// <param name="name">The primary key name (also the index name).</param>
    /// <param name="table">The table.</param>
    /// <param name="columns">The key columns, in order.</param>
    /// <param name="schema">The table's schema, or <see langword="null"/> for the search_path.</param>
    /// <returns>The step's builder.</returns>
    /// <remarks>
    /// A primary key needs its columns NOT NULL. PostgreSQL sets NOT NULL on nullable key columns itself, scanning the
    /// table under ACCESS EXCLUSIVE; call <see cref="SetNotNullThroughCheck"/> for each nullable key column first.
    /// </remarks>
    public static OperationBuilder<SqlOperation> AddPrimaryKeyUsingIndex(
        this MigrationBuilder migrationBuilder,
        string name,
        string table,
        string[] columns,
        string? schema = null)
        => AddConstraintUsingIndex(migrationBuilder, SafeMigrationSteps.AddPrimaryKeyUsingIndex, "PRIMARY KEY", name, table, columns, schema);

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
    /// <paramref name="column"/> → <paramref name="oldColumn"/>: the old column stays filled (and a rollback possible)
    /// until the contract phase runs <c>DropSyncTrigger(table, fromColumn: column, toColumn: oldColumn)</c> and drops it.</para>
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

    /// <summary>
    /// Creates a view under a renamed table's old name: the expand half of a table rename (SM0012). A
    /// <c>SELECT * FROM</c> view of one table is automatically updatable, so the running application version keeps
    /// selecting, inserting, updating and deleting through the old name.
    /// </summary>
    /// <param name="migrationBuilder">The migration's builder.</param>
    /// <param name="viewName">The table's old name.</param>
    /// <param name="table">The table's new name.</param>
    /// <param name="schema">The schema of both, or <see langword="null"/> for the search_path.</param>
    /// <returns>The step's builder.</returns>
    /// <remarks>
    /// Put it right after <c>RenameTable</c>, in the same transaction (no suppressed operation between them), so no
    /// query ever finds neither name. <c>*</c> is expanded when the view is created: columns added to the table later
    /// do not appear in it, which the old application version does not need. Drop it with
    /// <see cref="DropCompatibilityView"/> in the contract phase.
    /// </remarks>
    public static OperationBuilder<SqlOperation> CreateCompatibilityView(
        this MigrationBuilder migrationBuilder,
        string viewName,
        string table,
        string? schema = null)
    {
        CheckBuilder(migrationBuilder);
        CheckName(viewName, nameof(viewName));
        CheckName(table, nameof(table));
        var step = new Step(SafeMigrationSteps.CreateCompatibilityView, schema, table).With(SafeMigrationsAnnotations.Name, viewName);
        step.Add(
            SafeMigrationSteps.CreateCompatibilityView,
            $"CREATE OR REPLACE VIEW {PostgresText.Qualify(schema, viewName)} AS SELECT * FROM {PostgresText.Qualify(schema, table)};",
            suppressTransaction: false);
        return step.AddTo(migrationBuilder);
    }

    /// <summary>
    /// Drops a view created by <see cref="CreateCompatibilityView"/>: the contract half of a table rename (SM0012);
    /// mark it <c>.InContractPhase()</c>.
    /// </summary>
    /// <param name="migrationBuilder">The migration's builder.</param>
    /// <param name="viewName">The view (the table's old name).</param>
    /// <param name="schema">The view's schema, or <see langword="null"/> for the search_path.</param>
    /// <returns>The step's builder.</returns>
    public static OperationBuilder<SqlOperation> DropCompatibilityView(
        this MigrationBuilder migrationBuilder,
        string viewName,
        string? schema = null)
    {
        CheckBuilder(migrationBuilder);
        CheckName(viewName, nameof(viewName));
        var step = new Step(SafeMigrationSteps.DropCompatibilityView, schema, table: null).With(SafeMigrationsAnnotations.Name, viewName);
        step.Add(SafeMigrationSteps.DropCompatibilityView, $"DROP VIEW IF EXISTS {PostgresText.Qualify(schema, viewName)};", suppressTransaction: false);
        return step.AddTo(migrationBuilder);
    }

    private static OperationBuilder<SqlOperation> CreateIndexConcurrentlyCore(
        MigrationBuilder migrationBuilder,
        string name,
        string table,
        string[]? columns,
        string keySql,
        string? schema,
        bool unique,
        string? filter,
        string? method)
    {
        CheckBuilder(migrationBuilder);
        CheckName(name, nameof(name));
        CheckName(table, nameof(table));
        CheckOptionalSql(filter, nameof(filter));
        if (method is not null)
        {
            CheckName(method, nameof(method));
        }

        var sql = new StringBuilder("CREATE ")
            .Append(unique ? "UNIQUE " : string.Empty)
            .Append("INDEX CONCURRENTLY IF NOT EXISTS ").Append(PostgresText.Quote(name))
            .Append(" ON ").Append(PostgresText.Qualify(schema, table));
        if (method is not null)
        {
            // Index methods are catalog names (pg_am), quoted like any identifier.
            sql.Append(" USING ").Append(PostgresText.Quote(method));
        }

        sql.Append(" (").Append(keySql).Append(')');
        if (filter is not null)
        {
            sql.Append(" WHERE ").Append(filter);
        }

        sql.Append(';');
        var step = new Step(SafeMigrationSteps.CreateIndexConcurrently, schema, table)
            .With(SafeMigrationsAnnotations.Name, name)
            .With(SafeMigrationsAnnotations.Columns, columns?.ToArray())
            .With(SafeMigrationsAnnotations.Expression, columns is null ? keySql : null)
            .With(SafeMigrationsAnnotations.Unique, unique)
            .With(SafeMigrationsAnnotations.Filter, filter)
            .With(SafeMigrationsAnnotations.Method, method);
        step.Add(SafeMigrationSteps.CreateIndexConcurrently, sql.ToString(), suppressTransaction: true);
        return step.AddTo(migrationBuilder);
    }

    private static OperationBuilder<SqlOperation> AddConstraintUsingIndex(
        MigrationBuilder migrationBuilder,
        string stepKind,
        string constraintKeyword,
        string name,
        string table,
        string[] columns,
        string? schema)
    {
        CheckBuilder(migrationBuilder);
        CheckName(name, nameof(name));
        CheckName(table, nameof(table));
        CheckColumns(columns, nameof(columns));
        string qualifiedTable = PostgresText.Qualify(schema, table);
        var step = new Step(stepKind, schema, table)
            .With(SafeMigrationsAnnotations.Name, name)
            .With(SafeMigrationsAnnotations.Columns, columns.ToArray());
        // The index gets the constraint's name, which is the name PostgreSQL (and EF's model) gives a constraint's index.
        step.Add(
            SafeMigrationStepParts.CreateIndexConcurrently,
            $"CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS {PostgresText.Quote(name)} ON {qualifiedTable} ({PostgresText.QuoteList(columns)});",
            suppressTransaction: true);
        step.Add(
            SafeMigrationStepParts.AddConstraintUsingIndex,
            $"ALTER TABLE {qualifiedTable} ADD CONSTRAINT {PostgresText.Quote(name)} {constraintKeyword} USING INDEX {PostgresText.Quote(name)};",
            suppressTransaction: false);
        return step.AddTo(migrationBuilder);
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

    private static string ValidateSql(string? schema, string table, string constraint)
        => $"ALTER TABLE {PostgresText.Qualify(schema, table)} VALIDATE CONSTRAINT {PostgresText.Quote(constraint)};";

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

    private static void AppendReferentialAction(StringBuilder sql, string clause, ReferentialAction action)
    {
        string? keyword = action switch
        {
            ReferentialAction.NoAction => null,
            ReferentialAction.Restrict => "RESTRICT",
            ReferentialAction.Cascade => "CASCADE",
            ReferentialAction.SetNull => "SET NULL",
            ReferentialAction.SetDefault => "SET DEFAULT",
            _ => throw new ArgumentOutOfRangeException(nameof(action), action, "Unknown referential action."),
        };
        if (keyword is not null)
        {
            sql.Append(' ').Append(clause).Append(' ').Append(keyword);
        }
    }

    private static void CheckBuilder(MigrationBuilder migrationBuilder)
    {
        if (migrationBuilder is null)
        {
            throw new ArgumentNullException(nameof(migrationBuilder));
        }

        // The SQL is PostgreSQL's; another provider would fail half-way through the migration instead of here.
        string? provider = migrationBuilder.ActiveProvider;
        if (provider is not null && !string.Equals(provider, NpgsqlProvider, StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                $"SafeMigrations steps emit PostgreSQL SQL, but this migration is being built for '{provider}'. " +
                $"Use them only with {NpgsqlProvider}, or guard them with migrationBuilder.IsNpgsql().");
        }
    }

    private static void CheckName(string name, string parameter)
    {
        if (name is null)
        {
            throw new ArgumentNullException(parameter);
        }

        if (name.Length == 0)
        {
            throw new ArgumentException("The name must not be empty.", parameter);
        }
    }

    private static void CheckColumns(string[] columns, string parameter)
    {
        if (columns is null)
        {
            throw new ArgumentNullException(parameter);
        }

        if (columns.Length == 0)
        {
            throw new ArgumentException("At least one column is required.", parameter);
        }

        foreach (string column in columns)
        {
            CheckName(column, parameter);
        }
    }

    private static void CheckSql(string sql, string parameter)
    {
        if (sql is null)
        {
            throw new ArgumentNullException(parameter);
        }

        if (string.IsNullOrWhiteSpace(sql))
        {
            throw new ArgumentException("The SQL must not be empty.", parameter);
        }
    }

    private static void CheckOptionalSql(string? sql, string parameter)
    {
        if (sql is not null && string.IsNullOrWhiteSpace(sql))
        {
            throw new ArgumentException("The SQL must be null or not empty.", parameter);
        }
    }

    /// <summary>Collects a step's operations, all carrying the step's shared annotations.</summary>
    private sealed class Step
    {
        private readonly List<KeyValuePair<string, object>> _annotations = new();
        private readonly List<SqlOperation> _operations = new();

        public Step(string kind, string? schema, string? table)
        {
            With(SafeMigrationsAnnotations.Step, kind);
            With(SafeMigrationsAnnotations.Schema, string.IsNullOrEmpty(schema) ? null : schema);
            With(SafeMigrationsAnnotations.Table, table);
        }

        /// <summary>Adds a shared annotation; null values are left out, so "absent" has one spelling.</summary>
        public Step With(string name, object? value)
        {
            if (value is not null)
            {
                _annotations.Add(new KeyValuePair<string, object>(name, value));
            }

            return this;
        }

        public void Add(string part, string sql, bool suppressTransaction)
        {
            var operation = new SqlOperation { Sql = sql, SuppressTransaction = suppressTransaction };
            foreach (var annotation in _annotations)
            {
                operation.AddAnnotation(annotation.Key, annotation.Value);
            }

            operation.AddAnnotation(SafeMigrationsAnnotations.Part, part);
            _operations.Add(operation);
        }

        public OperationBuilder<SqlOperation> AddTo(MigrationBuilder migrationBuilder)
        {
            foreach (var operation in _operations)
            {
                migrationBuilder.Operations.Add(operation);
            }

            return new SafeStepBuilder(_operations);
        }
    }
}
