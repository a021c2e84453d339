using System.Linq;
using System.Text;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Operations;
using Microsoft.EntityFrameworkCore.Migrations.Operations.Builders;
using SafeMigrations.Internal;
using static SafeMigrations.Internal.StepArguments;

namespace SafeMigrations;

// Indexes built and dropped concurrently, outside the migration transaction (SM0001, SM0002).
public static partial class SafeMigrationBuilderExtensions
{
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
}
