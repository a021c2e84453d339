using System.Linq;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Operations;
using Microsoft.EntityFrameworkCore.Migrations.Operations.Builders;
using SafeMigrations.Internal;
using static SafeMigrations.Internal.StepArguments;

namespace SafeMigrations;

// Unique constraints and primary keys attached to a concurrently built index (SM0010).
public static partial class SafeMigrationBuilderExtensions
{
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
}
