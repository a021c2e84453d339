using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Operations;
using Microsoft.EntityFrameworkCore.Migrations.Operations.Builders;
using SafeMigrations.Internal;
using static SafeMigrations.Internal.StepArguments;

namespace SafeMigrations;

// Views under a renamed table's old name, for the application version still using it (SM0012).
public static partial class SafeMigrationBuilderExtensions
{
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
}
