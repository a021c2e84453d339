using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using SafeMigrations.Analyzers.Model;
using SafeMigrations.Analyzers.Reading;
using SafeMigrations.Analyzers.Tests.Verifiers;
using static SafeMigrations.Analyzers.Tests.Verifiers.MigrationSource;

namespace SafeMigrations.Analyzers.Tests.Infrastructure;

/// <summary>The reader's model, read directly (no rule involved).</summary>
public class MigrationReaderTests
{
    private static MigrationModel Read(string source, string method = "Up")
    {
        var tree = CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest));
        var compilation = CSharpCompilation.Create("T", new[] { tree }, TestReferences.All, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        var semanticModel = compilation.GetSemanticModel(tree);
        var declaration = tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>().Single(m => m.Identifier.Text == method);
        var symbol = semanticModel.GetDeclaredSymbol(declaration)!;
        var symbols = EfSymbols.Resolve(compilation)!;
        Assert.True(symbols.IsUpOrDown(symbol, out var direction));
        var operation = semanticModel.GetOperation(declaration)!;
        return MigrationReader.Read(symbols, symbol.ContainingType, symbol, direction, System.Collections.Immutable.ImmutableArray.Create(operation));
    }

    [Fact]
    public void Reads_named_positional_and_omitted_arguments()
    {
        var model = Read(Migration("""
                migrationBuilder.CreateIndex("IX_A", "Orders", new[] { "A", "B" }, unique: true);
                migrationBuilder.CreateIndex(name: "IX_C", table: "Orders", column: "C", schema: "sales");
        """));
        Assert.Equal(2, model.Steps.Length);
        var first = model.Steps[0];
        Assert.Equal("CreateIndex", first.MethodName);
        Assert.Equal("IX_A", first.Name);
        Assert.Equal(new TableName(null, "Orders"), first.Table);
        Assert.Equal(new string?[] { "A", "B" }, first["columns"].AsStrings()!.Value.ToArray());
        Assert.True(first.GetBool("unique"));
        Assert.True(first["filter"].IsOmitted);
        Assert.True(first["filter"].IsNull);
        Assert.False(first.HasArgument("filter"));
        Assert.Equal(new TableName("sales", "Orders"), model.Steps[1].Table);
        Assert.NotEqual(new TableName("sales", "Orders"), new TableName("public", "Orders"));
        Assert.Equal(new TableName(null, "Orders"), new TableName("public", "Orders"));
    }

    [Fact]
    public void Reads_annotations_phase_marks_and_columns()
    {
        var model = Read(Migration("""
                migrationBuilder.CreateTable(
                    name: "Orders",
                    schema: "sales",
                    columns: table => new
                    {
                        Id = table.Column<long>(type: "bigint", nullable: false)
                            .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                        Code = table.Column<string>(name: "code", type: "text", nullable: true, defaultValueSql: "'x'"),
                        Total = table.Column<decimal>(type: "numeric", nullable: false, computedColumnSql: "1", stored: true),
                        Flag = table.Column<bool>(nullable: false, defaultValue: true)
                    });
                migrationBuilder.DropColumn(name: "Legacy", table: "Orders").InContractPhase();
                migrationBuilder.AlterColumn<string>(name: "A", table: "Orders", nullable: false)
                    .Annotation("Npgsql:Foo", 3)
                    .OldAnnotation("Npgsql:Foo", 2);
        """));
        var create = model.Steps[0];
        Assert.Equal(new TableName("sales", "Orders"), create.Table);
        Assert.Equal(new[] { "Id", "code", "Total", "Flag" }, create.Columns.Select(c => c.Name).ToArray());
        Assert.Equal("IdentityByDefaultColumn", create.Columns[0].ValueGenerationStrategy);
        Assert.Equal("bigint", create.Columns[0].StoreType);
        Assert.False(create.Columns[0].Nullable);
        Assert.Equal("'x'", create.Columns[1].DefaultValueSql);
        Assert.Equal("Code", create.Columns[1].PropertyName);
        Assert.True(create.Columns[2].Stored);
        Assert.Equal("1", create.Columns[2].ComputedColumnSql);
        Assert.Equal(true, create.Columns[3].DefaultValue.Constant);
        Assert.Equal("Int64", create.Columns[0].TypeArgument!.Name);

        Assert.True(model.Steps[1].HasContractMark);
        Assert.True(model.Steps[1].IsContractPhase);
        Assert.False(model.Steps[2].IsContractPhase);
        Assert.Equal(2, model.Steps[2].Annotations.Length);
        Assert.Equal(3, model.Steps[2].FindAnnotation("Npgsql:Foo")!.Value.AsInt());
        Assert.True(model.Steps[2].Annotations[1].IsOld);
        Assert.Equal("String", model.Steps[2].TypeArgument!.Name);
    }

    [Fact]
    public void Contract_phase_class_and_sql_details()
    {
        var model = Read(Migration("""
                migrationBuilder.Sql("SELECT 1", suppressTransaction: true);
                migrationBuilder.Sql(Helper());
                migrationBuilder.RenameColumn(name: "A", table: "Orders", newName: "B");
        """, classAttributes: "[ContractPhase]", members: """
                private static string Helper() => "x";
        """));
        Assert.True(model.IsContractPhaseClass);
        Assert.All(model.Steps, s => Assert.True(s.IsContractPhase));
        Assert.Equal("SELECT 1", model.Steps[0].Sql!.Text);
        Assert.True(model.Steps[0].Sql!.SuppressTransaction);
        Assert.False(model.Steps[1].Sql!.IsConstant);
        Assert.False(model.Steps[1].Sql!.SuppressTransaction);
        Assert.Empty(model.Steps[1].Sql!.Statements);
        Assert.True(model.HasUnreadableCreates);
        Assert.Null(model.Steps[2].Sql);
    }

    [Fact]
    public void Tables_created_earlier_are_position_aware()
    {
        var model = Read(Migration("""
                migrationBuilder.AddColumn<int>(name: "A", table: "Orders", nullable: true);
                migrationBuilder.CreateTable(name: "Orders", columns: table => new { Id = table.Column<int>(nullable: false) });
                migrationBuilder.AddColumn<int>(name: "B", table: "Orders", nullable: true);
        """));
        var orders = new TableName(null, "Orders");
        Assert.False(model.IsTableCreatedBefore(orders, 0));
        Assert.False(model.IsTableCreatedBefore(orders, 1));
        Assert.True(model.IsTableCreatedBefore(orders, 2));
        Assert.Equal(new[] { orders }, model.CreatedTables.ToArray());
    }

    [Fact]
    public void Down_is_read_too()
    {
        var model = Read(Migration(up: "", down: """
                migrationBuilder.DropTable(name: "Orders");
        """), method: "Down");
        Assert.Equal(MigrationDirection.Down, model.Direction);
        Assert.Equal("DropTable", model.Steps.Single().MethodName);
        Assert.Equal(new TableName(null, "Orders"), model.Steps.Single().Table);
    }
}
