using System;
using System.Linq;
using System.Text;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Operations;
using Microsoft.EntityFrameworkCore.Migrations.Operations.Builders;
using SafeMigrations.Internal;
using static SafeMigrations.Internal.StepArguments;

namespace SafeMigrations;

// Foreign keys and checks added NOT VALID, then validated without blocking writes (SM0008, SM0009).
public static partial class SafeMigrationBuilderExtensions
{
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

    private static string ValidateSql(string? schema, string table, string constraint)
        => $"ALTER TABLE {PostgresText.Qualify(schema, table)} VALIDATE CONSTRAINT {PostgresText.Quote(constraint)};";

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
}
