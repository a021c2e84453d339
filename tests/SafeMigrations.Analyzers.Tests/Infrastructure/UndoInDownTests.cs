using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using SafeMigrations.Analyzers.Infrastructure;
using SafeMigrations.Analyzers.Model;
using SafeMigrations.Analyzers.Reading;
using SafeMigrations.Analyzers.Tests.Verifiers;
using static SafeMigrations.Analyzers.Tests.Verifiers.MigrationSource;

namespace SafeMigrations.Analyzers.Tests.Infrastructure;

/// <summary>The UndoInDown exemption, checked directly on the model: which Down steps revert what Up did.</summary>
public class UndoInDownTests
{
    private static MigrationContext DownContext(string up, string down)
    {
        var source = Migration(up, down);
        var tree = CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest));
        var compilation = CSharpCompilation.Create("T", new[] { tree }, TestReferences.All, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        var semanticModel = compilation.GetSemanticModel(tree);
        var symbols = EfSymbols.Resolve(compilation)!;

        MigrationModel ReadMethod(string name)
        {
            var declaration = tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>().Single(m => m.Identifier.Text == name);
            var symbol = semanticModel.GetDeclaredSymbol(declaration)!;
            Assert.True(symbols.IsUpOrDown(symbol, out var direction));
            return MigrationReader.Read(symbols, symbol.ContainingType, symbol, direction, System.Collections.Immutable.ImmutableArray.Create(semanticModel.GetOperation(declaration)!));
        }

        return new MigrationContext(ReadMethod("Down"), ReadMethod("Up"), MigrationOptions.Default, RuleExemptions.UndoInDown, _ => { }, default);
    }

    /// <summary>For each Down step (raw SQL: each statement, and each ALTER TABLE action), whether it is exempt.</summary>
    private static bool[] ExemptSteps(MigrationContext context) =>
        context.Model.Steps.Where(s => s.Sql is null).Select(context.IsExempt).ToArray();

    private static bool[] ExemptActions(MigrationContext context) =>
        context.Model.SqlStatements()
            .SelectMany(s => s.Statement.Actions.Count == 0 ? new[] { context.IsExempt(s) } : s.Statement.Actions.Select(a => context.IsExempt(s, a)))
            .ToArray();

    [Fact]
    public void Alter_of_a_column_Up_altered_is_a_revert()
    {
        var context = DownContext(
            up: """
                migrationBuilder.AlterColumn<string>(name: "Status", table: "Orders", type: "text", nullable: false, defaultValue: "", oldClrType: typeof(string), oldType: "text", oldNullable: true);
                migrationBuilder.AlterColumn<long>(name: "Total", table: "Orders", schema: "sales", type: "bigint", nullable: false, oldClrType: typeof(int), oldType: "integer");
                migrationBuilder.Sql("ALTER TABLE orders ALTER COLUMN note TYPE text");
        """,
            down: """
                migrationBuilder.AlterColumn<string>(name: "Status", table: "Orders", type: "text", nullable: true, oldClrType: typeof(string), oldType: "text");
                migrationBuilder.AlterColumn<int>(name: "Total", table: "Orders", schema: "sales", type: "integer", nullable: false, oldClrType: typeof(long), oldType: "bigint");
                migrationBuilder.AlterColumn<int>(name: "Total", table: "Orders", type: "integer", nullable: false, oldClrType: typeof(long), oldType: "bigint");
                migrationBuilder.AlterColumn<int>(name: "Other", table: "Orders", type: "integer", nullable: false, oldClrType: typeof(long), oldType: "bigint");
        """);
        // Same column in another schema and an unrelated column are not reverts.
        Assert.Equal(new[] { true, true, false, false }, ExemptSteps(context));
    }

    [Fact]
    public void Raw_alter_column_reverts_match_builder_and_raw_Up_steps()
    {
        var context = DownContext(
            up: """
                migrationBuilder.AlterColumn<string>(name: "status", table: "orders", nullable: true, oldClrType: typeof(string), oldNullable: false);
                migrationBuilder.Sql("ALTER TABLE orders ALTER COLUMN note TYPE text; ALTER TABLE orders ALTER COLUMN flag SET DEFAULT false");
        """,
            down: """
                migrationBuilder.Sql("ALTER TABLE orders ALTER COLUMN status SET NOT NULL");
                migrationBuilder.Sql("ALTER TABLE orders ALTER COLUMN note TYPE varchar(100), ALTER COLUMN flag DROP DEFAULT");
                migrationBuilder.Sql("ALTER TABLE orders ALTER COLUMN total TYPE bigint");
        """);
        Assert.Equal(new[] { true, true, true, false }, ExemptActions(context));
    }

    [Fact]
    public void Recreating_what_Up_dropped_is_a_revert()
    {
        var context = DownContext(
            up: """
                migrationBuilder.DropForeignKey(name: "FK_Orders_Customers_CustomerId", table: "Orders");
                migrationBuilder.DropPrimaryKey(name: "PK_Orders", table: "Orders");
                migrationBuilder.DropUniqueConstraint(name: "AK_Orders_Code", table: "Orders");
                migrationBuilder.DropCheckConstraint(name: "CK_Orders_Total", table: "Orders");
                migrationBuilder.DropIndex(name: "IX_Orders_CustomerId", table: "Orders");
                migrationBuilder.DropColumn(name: "Legacy", table: "Orders");
                migrationBuilder.DropTable(name: "Archive");
        """,
            down: """
                migrationBuilder.CreateTable(name: "Archive", columns: table => new { Id = table.Column<int>(nullable: false) });
                migrationBuilder.AddColumn<string>(name: "Legacy", table: "Orders", type: "text", nullable: false, defaultValue: "");
                migrationBuilder.CreateIndex(name: "IX_Orders_CustomerId", table: "Orders", column: "CustomerId");
                migrationBuilder.AddCheckConstraint(name: "CK_Orders_Total", table: "Orders", sql: "\"Total\" > 0");
                migrationBuilder.AddUniqueConstraint(name: "AK_Orders_Code", table: "Orders", column: "Code");
                migrationBuilder.AddPrimaryKey(name: "PK_Orders", table: "Orders", column: "Id");
                migrationBuilder.AddForeignKey(name: "FK_Orders_Customers_CustomerId", table: "Orders", column: "CustomerId", principalTable: "Customers", principalColumn: "Id");
                migrationBuilder.CreateIndex(name: "IX_Orders_Code", table: "Orders", column: "Code");
                migrationBuilder.AddForeignKey(name: "FK_Orders_Stores_StoreId", table: "Orders", column: "StoreId", principalTable: "Stores", principalColumn: "Id");
                migrationBuilder.AddColumn<string>(name: "Other", table: "Orders", type: "text", nullable: false, defaultValue: "");
                migrationBuilder.AddPrimaryKey(name: "PK_Orders", table: "Customers", column: "Id");
        """);
        Assert.Equal(new[] { true, true, true, true, true, true, true, false, false, false, false }, ExemptSteps(context));
    }

    [Fact]
    public void Raw_recreates_of_what_Up_dropped_are_reverts()
    {
        var context = DownContext(
            up: """
                migrationBuilder.Sql("DROP INDEX ix_orders_total; ALTER TABLE orders DROP CONSTRAINT fk_orders_customer, DROP COLUMN legacy; DROP TABLE archive");
                migrationBuilder.DropPrimaryKey(name: "pk_orders", table: "orders");
        """,
            down: """
                migrationBuilder.Sql("CREATE INDEX ix_orders_total ON orders (total)");
                migrationBuilder.Sql("ALTER TABLE orders ADD CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id)");
                migrationBuilder.Sql("ALTER TABLE orders ADD COLUMN legacy text NOT NULL");
                migrationBuilder.Sql("CREATE TABLE archive (id int)");
                migrationBuilder.Sql("ALTER TABLE orders ADD CONSTRAINT pk_orders PRIMARY KEY (id)");
                migrationBuilder.Sql("CREATE INDEX ix_orders_code ON orders (code)");
                migrationBuilder.Sql("ALTER TABLE orders ADD CONSTRAINT fk_orders_store FOREIGN KEY (store_id) REFERENCES stores (id)");
        """);
        Assert.Equal(new[] { true, true, true, true, true, false, false }, ExemptActions(context));
    }

    [Fact]
    public void Drops_and_renames_back_are_still_reverts()
    {
        var context = DownContext(
            up: """
                migrationBuilder.CreateIndex(name: "IX_A", table: "Orders", column: "A");
                migrationBuilder.AddColumn<int>(name: "A", table: "Orders", nullable: true);
                migrationBuilder.RenameColumn(name: "Old", table: "Orders", newName: "New");
                migrationBuilder.AddForeignKey(name: "FK_A", table: "Orders", column: "A", principalTable: "As", principalColumn: "Id");
        """,
            down: """
                migrationBuilder.DropForeignKey(name: "FK_A", table: "Orders");
                migrationBuilder.RenameColumn(name: "New", table: "Orders", newName: "Old");
                migrationBuilder.DropColumn(name: "A", table: "Orders");
                migrationBuilder.DropIndex(name: "IX_A", table: "Orders");
                migrationBuilder.RenameColumn(name: "Old", table: "Orders", newName: "New");
                migrationBuilder.DropIndex(name: "IX_B", table: "Orders");
        """);
        Assert.Equal(new[] { true, true, true, true, false, false }, ExemptSteps(context));
    }

    [Fact]
    public void Up_is_never_exempt_by_Down()
    {
        var context = DownContext(
            up: """
                migrationBuilder.CreateIndex(name: "IX_A", table: "Orders", column: "A");
        """,
            down: """
                migrationBuilder.DropIndex(name: "IX_A", table: "Orders");
        """);
        var up = new MigrationContext(context.UpModel!, null, MigrationOptions.Default, RuleExemptions.UndoInDown, _ => { }, default);
        Assert.False(up.IsExempt(up.Model.Steps[0]));
        Assert.True(context.IsExempt(context.Model.Steps[0]));
    }
}
