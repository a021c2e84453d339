using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using SafeMigrations.Analyzers.Model;
using SafeMigrations.Analyzers.Reading;
using SafeMigrations.Analyzers.Tests.Verifiers;
using Xunit.Abstractions;
using static SafeMigrations.Analyzers.Tests.Verifiers.MigrationSource;

namespace SafeMigrations.Analyzers.Tests.Infrastructure;

/// <summary>
/// The syntax reader (Reading/SyntaxMigrationReader) against the binding reader (Reading/MigrationReader): every
/// Up/Down it reads must give the same model, field by field; what it does not recognise it leaves to binding.
/// </summary>
public sealed class SyntaxReaderParityTests
{
    private readonly ITestOutputHelper _output;

    public SyntaxReaderParityTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Fact]
    public void Every_argument_kind_reads_the_same_from_syntax_as_bound()
    {
        var source = Migration(up: """""
                migrationBuilder.EnsureSchema(name: "sales");
                migrationBuilder.CreateTable(
                    name: "Orders",
                    schema: "sales",
                    columns: table => new
                    {
                        Id = table.Column<long>(type: "bigint", nullable: false)
                            .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                        Code = table.Column<string>(name: "code", type: "character varying(20)", maxLength: 20, nullable: true, defaultValueSql: "'x'"),
                        Total = table.Column<decimal>(type: "numeric", precision: 12, scale: 2, nullable: false, computedColumnSql: "1", stored: true),
                        Flag = table.Column<bool>(nullable: false, defaultValue: true),
                        At = table.Column<DateTime>(nullable: true),
                        Key = table.Column<Guid>(nullable: false, defaultValueSql: "gen_random_uuid()"),
                        Ratio = table.Column<double?>(nullable: true, defaultValue: -1.5),
                        Data = table.Column<byte[]>(nullable: true),
                        Kind = table.Column<int>(nullable: false, defaultValue: 0),
                        Big = table.Column<long>(nullable: false, defaultValue: -3L),
                        Stamp = table.Column<uint>(type: "xid", rowVersion: true, nullable: false),
                        Letter = table.Column<char>(nullable: false, defaultValue: 'a', fixedLength: true, unicode: false, comment: "c", collation: "C")
                    },
                    constraints: table =>
                    {
                        table.PrimaryKey("PK_Orders", x => x.Id);
                        table.UniqueConstraint(name: "AK_Orders_Code", columns: x => new { x.Code, x.Key });
                        table.ForeignKey(name: "FK_Orders_Kinds", column: x => x.Kind, principalTable: "Kinds", principalColumn: "Id", onDelete: ReferentialAction.Cascade);
                        table.CheckConstraint("CK_Orders_Total", "\"Total\" > 0");
                    },
                    comment: "orders")
                    .Annotation("Npgsql:UnloggedTable", false);
                migrationBuilder.CreateTable(name: "Lines", columns: (t) => new { Id = t.Column<int>(nullable: false) });
                migrationBuilder.CreateIndex("IX_A", "Orders", new[] { "A", "B" }, unique: true);
                migrationBuilder.CreateIndex(name: "IX_C", table: "Orders", column: "C", schema: "sales", filter: "\"C\" IS NOT NULL", descending: new[] { true });
                migrationBuilder.CreateIndex(name: "IX_D", table: "Orders", columns: new string[] { "D", null }).Annotation("Npgsql:CreatedConcurrently", true);
                migrationBuilder.CreateIndex(name: "IX_E", table: "Orders", column: "E")
                    .Annotation("Npgsql:IndexMethod", "gin")
                    .Annotation("Npgsql:IndexInclude", new[] { "F" });
                migrationBuilder.AddColumn<int>(name: "Qty", table: "Orders", nullable: false, defaultValue: 0);
                migrationBuilder.AddColumn<string>("Note", "Orders", "character varying(200)", maxLength: 200, nullable: true);
                migrationBuilder.AddColumn<decimal>(name: "Price", table: "Orders", nullable: false, defaultValue: 0m);
                migrationBuilder.AddColumn<float>(name: "Weight", table: "Orders", nullable: false, defaultValue: 1.5f);
                migrationBuilder.AddColumn<int?>(name: "Maybe", table: "Orders", nullable: true, defaultValue: null, comment: null);
                migrationBuilder.AddColumn<DateTimeOffset>(name: "When", table: "Orders", type: "timestamp with time zone", nullable: false, defaultValueSql: "now()");
                migrationBuilder.AddColumn<List<string>>(name: "Tags", table: "Orders", type: "text[]", nullable: true);
                migrationBuilder.AlterColumn<string>(name: "A", table: "Orders", type: "text", nullable: false, defaultValue: "",
                        oldClrType: typeof(string), oldType: "character varying(20)", oldMaxLength: 20, oldNullable: true)
                    .Annotation("Npgsql:Foo", 3)
                    .OldAnnotation("Npgsql:Foo", 2);
                migrationBuilder.AlterColumn<long>(name: "Id", table: "Orders", type: "bigint", nullable: false,
                        oldClrType: typeof(int), oldType: "integer")
                    .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn)
                    .OldAnnotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.SerialColumn);
                migrationBuilder.AlterColumn<DateTime?>(name: "At", table: "Orders", nullable: true, oldClrType: typeof(DateTime?), oldType: "timestamp without time zone");
                migrationBuilder.Sql("SELECT 1", suppressTransaction: true);
                migrationBuilder.Sql(@"UPDATE ""Orders"" SET ""A"" = 'x'");
                migrationBuilder.Sql(""""
                    CREATE INDEX CONCURRENTLY "IX_R" ON "Orders" ("R");
                    """", true);
                migrationBuilder.Sql("UPDATE \"Orders\" " + @"SET ""B"" = 2 " + "WHERE \"B\" IS NULL;");
                migrationBuilder.AddForeignKey(name: "FK_O_C", table: "Orders", column: "CustomerId", principalTable: "Customers", principalColumn: "Id", onDelete: ReferentialAction.Restrict);
                migrationBuilder.AddForeignKey("FK_x", "Orders", new[] { "A", "B" }, "P", principalColumns: new[] { "A", "B" }, onDelete: Microsoft.EntityFrameworkCore.Migrations.ReferentialAction.SetNull);
                migrationBuilder.AddPrimaryKey(name: "PK_P", table: "P", columns: new[] { "A", "B" });
                migrationBuilder.AddUniqueConstraint(name: "AK_P", table: "P", column: "C");
                migrationBuilder.AddCheckConstraint(name: "CK_A", table: "Orders", sql: "\"A\" > 0");
                migrationBuilder.InsertData(table: "Kinds", columns: new[] { "Id", "Name" }, values: new object[] { 1, "a" });
                migrationBuilder.InsertData(table: "Kinds", columns: new[] { "Id", "Name" }, values: new object[,] { { 2, "b" }, { 3, null } });
                migrationBuilder.InsertData(table: "Kinds", column: "Name", value: "x");
                migrationBuilder.InsertData(table: "Kinds", columns: new[] { "Id", "At", "Kind" }, values: new object[] { 5, new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc), ReferentialAction.Cascade });
                migrationBuilder.InsertData(table: "Kinds", columns: new[] { "Id", "At" }, values: new object[,] { { 6, new DateTime(2024, 1, 2) }, { 7, null } });
                migrationBuilder.AddColumn<DateTime>(name: "Since", table: "Orders", nullable: false, defaultValue: new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Unspecified));
                migrationBuilder.InsertData("Kinds", new[] { "Id", "Name" }, new[] { "integer", "text" }, new object[] { 4, "d" }, "public");
                migrationBuilder.UpdateData(table: "Kinds", keyColumn: "Id", keyValue: 1, column: "Name", value: "y");
                migrationBuilder.UpdateData(table: "Kinds", keyColumn: "Id", keyValue: 1, columns: new[] { "Name", "Flag" }, values: new object[] { "z", false });
                migrationBuilder.DeleteData(table: "Kinds", keyColumn: "Id", keyValue: 3);
                migrationBuilder.DeleteData(table: "Kinds", keyColumns: new[] { "Id", "Name" }, keyValues: new object[] { 3, "c" });
                migrationBuilder.DropIndex(name: "IX_Old", table: "Orders");
                migrationBuilder.RenameIndex(name: "IX_A", table: "Orders", newName: "IX_A2");
                migrationBuilder.RenameColumn(name: "A", table: "Orders", newName: "B");
                migrationBuilder.RenameTable(name: "Orders", schema: "sales", newName: "Purchases", newSchema: "sales");
                migrationBuilder.DropForeignKey(name: "FK_O_C", table: "Orders");
                migrationBuilder.DropPrimaryKey(name: "PK_P", table: "P");
                migrationBuilder.DropUniqueConstraint(name: "AK_P", table: "P");
                migrationBuilder.DropCheckConstraint(name: "CK_A", table: "Orders");
                migrationBuilder.DropTable(name: "Legacy");
                migrationBuilder.CreateSequence<int>(name: "seq", startValue: 10, incrementBy: 2, minValue: 1, maxValue: null, cyclic: true);
                migrationBuilder.CreateSequence("seq2");
                migrationBuilder.RestartSequence("seq", 5);
                migrationBuilder.AlterSequence(name: "seq", incrementBy: -1);
                migrationBuilder.AlterTable(name: "Orders", comment: "c").Annotation("Npgsql:UnloggedTable", true).OldAnnotation("Npgsql:UnloggedTable", false);
                migrationBuilder.AlterDatabase().Annotation("Npgsql:PostgresExtension:citext", ",,");
                migrationBuilder.DropColumn(name: "Legacy", table: "Orders").Annotation("SafeMigrations:Phase", "Contract");
                ;
        """"", down: """
                migrationBuilder.DropTable(
                    name: "Orders",
                    schema: "sales");
        """);
        var read = ReadBoth(Compile(source));
        Assert.Equal(2, read.Count);
        Assert.All(read, r => Assert.True(r.FromSyntax != null, r.Bound + " was not read from syntax"));
        AssertSame(read);
        Assert.True(read.Single(r => r.Bound.Direction == MigrationDirection.Up).FromSyntax!.Steps.Length > 40);
    }

    [Fact]
    public void Expression_bodies_contract_classes_and_nullable_contexts_read_the_same()
    {
        var source = Usings + """
            #nullable enable
            namespace App.Migrations
            {
                public class AppDbContext : DbContext { }

                [ContractPhase]
                [DbContext(typeof(AppDbContext))]
                [Migration("20240101000000_Drop")]
                public partial class Drop : Migration
                {
                    protected override void Up(MigrationBuilder builder) => builder.DropColumn(name: "A", table: "T");

                    protected override void Down(MigrationBuilder builder) =>
                        builder.AddColumn<string?>(name: "A", table: "T", nullable: true, defaultValue: null);
                }
            }
            """;
        var read = ReadBoth(Compile(source));
        Assert.Equal(2, read.Count);
        Assert.All(read, r => Assert.NotNull(r.FromSyntax));
        AssertSame(read);
        Assert.True(read[0].FromSyntax!.Steps.Single().IsContractPhase);
    }

    [Theory]
    [InlineData("migrationBuilder.DropColumn(name: \"A\", table: \"T\").InContractPhase();")]
    [InlineData("migrationBuilder.Backfill(table: \"T\", column: \"A\", value: \"1\", where: \"\\\"A\\\" IS NULL\");")]
    [InlineData("var table = \"T\"; migrationBuilder.DropTable(table);")]
    [InlineData("foreach (var name in new[] { \"A\", \"B\" }) { migrationBuilder.DropTable(name); }")]
    [InlineData("if (ActiveProvider != null) { migrationBuilder.DropTable(\"T\"); }")]
    [InlineData("Drop(migrationBuilder);")]
    [InlineData("migrationBuilder.DropTable(TableName);")]
    [InlineData("migrationBuilder.DropTable(nameof(TableName));")]
    [InlineData("migrationBuilder.Sql($\"SELECT {1}\");")]
    [InlineData("migrationBuilder.AddColumn<int>(name: \"A\", table: \"T\", nullable: false, defaultValue: (short)1);")]
    [InlineData("migrationBuilder.InsertData(\"T\", \"C\", new object[] { 1 });")]
    [InlineData("migrationBuilder.DropTable(name: (\"T\"));")]
    [InlineData("migrationBuilder.AddColumn<DateTime>(name: \"A\", table: \"T\", nullable: false, defaultValue: new DateTime(Answer, 1, 1));")]
    [InlineData("migrationBuilder.Operations.Clear();")]
    [InlineData("migrationBuilder?.DropTable(\"T\");")]
    [InlineData("migrationBuilder.CreateTable(name: \"T\", columns: table => new { Id = table.Column<int>(nullable: false) }, constraints: table => { table.PrimaryKey(TableName, x => x.Id); });")]
    [InlineData("migrationBuilder.CreateTable(name: \"T\", columns: Columns);")]
    [InlineData("migrationBuilder.AddColumn<int>(name: \"A\", table: \"T\", nullable: false, defaultValue: Answer);")]
    public void What_needs_binding_is_left_to_the_binding_reader(string up)
    {
        var source = Migration(up, members: """
                private const string TableName = "T";
                private const int Answer = 42;
                private static void Drop(MigrationBuilder builder) => builder.DropTable("T");
                private static object Columns(Microsoft.EntityFrameworkCore.Migrations.Operations.Builders.ColumnsBuilder table) => new { Id = table.Column<int>() };
        """);
        var read = ReadBoth(Compile(source));
        Assert.Null(read.Single(r => r.Bound.Direction == MigrationDirection.Up).FromSyntax);
        AssertSame(read);
    }

    [Fact]
    public void Scaffolded_corpus_is_read_from_syntax_and_reads_the_same()
    {
        var directory = Path.Combine(AppContext.BaseDirectory, "Corpus");
        var read = ReadBoth(CompileFiles("Shop", Directory.EnumerateFiles(directory, "*.cs", SearchOption.AllDirectories)));
        _output.WriteLine($"Corpus: {read.Count(r => r.FromSyntax != null)} of {read.Count} methods read from syntax");
        AssertSame(read);

        // Everything `dotnet ef migrations add` wrote is in the shapes the syntax reader knows.
        var scaffolded = read.Where(r => r.Bound.SyntaxTree!.FilePath.Contains("Generated", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(scaffolded);
        Assert.All(scaffolded, r => Assert.True(r.FromSyntax != null, r.Bound + " was not read from syntax"));
    }

    [Fact]
    public void Real_world_corpus_reads_the_same()
    {
        var directory = Path.Combine(AppContext.BaseDirectory, "RealWorldCorpus");
        var total = 0;
        var fromSyntax = 0;
        foreach (var app in Directory.EnumerateDirectories(directory).OrderBy(d => d, StringComparer.Ordinal))
        {
            var read = ReadBoth(CompileFiles(Path.GetFileName(app), Directory.EnumerateFiles(app, "*.cs", SearchOption.AllDirectories)));
            _output.WriteLine($"{Path.GetFileName(app)}: {read.Count(r => r.FromSyntax != null)} of {read.Count} methods read from syntax");
            total += read.Count;
            fromSyntax += read.Count(r => r.FromSyntax != null);
            AssertSame(read);
        }

        Assert.True(total > 0);
        Assert.True(fromSyntax * 2 > total, $"only {fromSyntax} of {total} methods were read from syntax");
    }

    private sealed record Read(MigrationModel Bound, MigrationModel? FromSyntax);

    private static CSharpCompilation Compile(string source) => Compile("T", new[] { CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest), path: "Migration.cs") });

    private static CSharpCompilation CompileFiles(string name, IEnumerable<string> files) =>
        Compile(name, files.OrderBy(f => f, StringComparer.Ordinal)
            .Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f), new CSharpParseOptions(LanguageVersion.Latest), path: f))
            .ToArray());

    private static CSharpCompilation Compile(string name, SyntaxTree[] trees)
    {
        var compilation = CSharpCompilation.Create(name, trees, TestReferences.All, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        return compilation;
    }

    /// <summary>Every Up/Down of every migration class: bound, and from syntax (null when left to binding).</summary>
    private static List<Read> ReadBoth(CSharpCompilation compilation)
    {
        var symbols = EfSymbols.Resolve(compilation)!;
        var read = new List<Read>();
        foreach (var tree in compilation.SyntaxTrees)
        {
            var semanticModel = compilation.GetSemanticModel(tree);
            foreach (var declaration in tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>())
            {
                if (semanticModel.GetDeclaredSymbol(declaration) is not { } method
                    || !symbols.IsUpOrDown(method, out var direction)
                    || !symbols.IsMigration(method.ContainingType))
                {
                    continue;
                }

                var bound = MigrationReader.Read(symbols, method.ContainingType, method, direction, System.Collections.Immutable.ImmutableArray.Create(semanticModel.GetOperation(declaration)!));
                var fromSyntax = SyntaxMigrationReader.TryRead(symbols, compilation, method.ContainingType, method, direction, declaration);
                read.Add(new Read(bound, fromSyntax));
            }
        }

        return read;
    }

    private static void AssertSame(List<Read> read)
    {
        var differences = new List<string>();
        foreach (var (bound, fromSyntax) in read)
        {
            if (fromSyntax != null)
            {
                Compare(bound, fromSyntax, differences);
            }
        }

        Assert.True(differences.Count == 0, string.Join("\n", differences.Take(40)));
    }

    private static void Compare(MigrationModel bound, MigrationModel fromSyntax, List<string> differences)
    {
        var at = bound.ToString();
        Check(differences, at, "type", SymbolEqualityComparer.Default.Equals(bound.MigrationType, fromSyntax.MigrationType), bound.MigrationType, fromSyntax.MigrationType);
        Check(differences, at, "method", SymbolEqualityComparer.Default.Equals(bound.Method, fromSyntax.Method), bound.Method, fromSyntax.Method);
        Check(differences, at, "direction", bound.Direction == fromSyntax.Direction, bound.Direction, fromSyntax.Direction);
        Check(differences, at, "contract class", bound.IsContractPhaseClass == fromSyntax.IsContractPhaseClass, bound.IsContractPhaseClass, fromSyntax.IsContractPhaseClass);
        Check(differences, at, "tree", bound.SyntaxTree == fromSyntax.SyntaxTree, bound.SyntaxTree?.FilePath, fromSyntax.SyntaxTree?.FilePath);
        Check(differences, at, "steps", bound.Steps.Length == fromSyntax.Steps.Length, bound.Steps.Length, fromSyntax.Steps.Length);
        for (var i = 0; i < Math.Min(bound.Steps.Length, fromSyntax.Steps.Length); i++)
        {
            var b = bound.Steps[i];
            var s = fromSyntax.Steps[i];
            var step = at + " step " + i + " " + b;
            Check(differences, step, "index", b.Index == s.Index, b.Index, s.Index);
            CompareCall(b, s, step, differences);
            Check(differences, step, "contract mark", b.HasContractMark == s.HasContractMark, b.HasContractMark, s.HasContractMark);
            Check(differences, step, "contract phase", b.IsContractPhase == s.IsContractPhase, b.IsContractPhase, s.IsContractPhase);
            Check(differences, step, "extension", b.IsExtension == s.IsExtension, b.IsExtension, s.IsExtension);
            Check(differences, step, "table", Equals(b.Table, s.Table), b.Table, s.Table);
            Check(differences, step, "columns", b.Columns.Length == s.Columns.Length, b.Columns.Length, s.Columns.Length);
            for (var c = 0; c < Math.Min(b.Columns.Length, s.Columns.Length); c++)
            {
                var column = step + " column " + c;
                Check(differences, column, "property", b.Columns[c].PropertyName == s.Columns[c].PropertyName, b.Columns[c].PropertyName, s.Columns[c].PropertyName);
                Check(differences, column, "name", b.Columns[c].Name == s.Columns[c].Name, b.Columns[c].Name, s.Columns[c].Name);
                CompareCall(b.Columns[c], s.Columns[c], column, differences);
            }

            Check(differences, step, "sql", (b.Sql is null) == (s.Sql is null), b.Sql?.Text, s.Sql?.Text);
            if (b.Sql != null && s.Sql != null)
            {
                Check(differences, step, "sql text", b.Sql.Text == s.Sql.Text, b.Sql.Text, s.Sql.Text);
                Check(differences, step, "sql suppress", b.Sql.SuppressTransaction == s.Sql.SuppressTransaction, b.Sql.SuppressTransaction, s.Sql.SuppressTransaction);
                Check(differences, step, "sql location", b.Sql.Location == s.Sql.Location, b.Sql.Location, s.Sql.Location);
                Check(differences, step, "sql statements", b.Sql.Statements.Count == s.Sql.Statements.Count, b.Sql.Statements.Count, s.Sql.Statements.Count);
            }
        }
    }

    private static void CompareCall(BuilderCall b, BuilderCall s, string at, List<string> differences)
    {
        // CreateTable read from syntax is the generic definition: the anonymous columns type needs binding.
        var method = b.MethodName == "CreateTable" ? b.Method.OriginalDefinition : b.Method;
        Check(differences, at, "method", SymbolEqualityComparer.Default.Equals(method, s.Method), b.Method, s.Method);
        Check(differences, at, "type argument", SymbolEqualityComparer.Default.Equals(b.TypeArgument, s.TypeArgument), b.TypeArgument, s.TypeArgument);
        Check(differences, at, "syntax", SameNode(b.Syntax, s.Syntax), b.Syntax, s.Syntax);
        Check(differences, at, "location", b.Location == s.Location, b.Location, s.Location);
        Check(differences, at, "argument names", b.Arguments.Keys.OrderBy(k => k, StringComparer.Ordinal).SequenceEqual(s.Arguments.Keys.OrderBy(k => k, StringComparer.Ordinal)),
            string.Join(",", b.Arguments.Keys.OrderBy(k => k, StringComparer.Ordinal)), string.Join(",", s.Arguments.Keys.OrderBy(k => k, StringComparer.Ordinal)));
        foreach (var (name, value) in b.Arguments)
        {
            if (s.Arguments.TryGetValue(name, out var other))
            {
                CompareValue(value, other, at + " " + name, differences);
            }
        }

        Check(differences, at, "annotations", b.Annotations.Length == s.Annotations.Length, b.Annotations.Length, s.Annotations.Length);
        for (var i = 0; i < Math.Min(b.Annotations.Length, s.Annotations.Length); i++)
        {
            var annotation = at + " annotation " + i;
            Check(differences, annotation, "name", b.Annotations[i].Name == s.Annotations[i].Name, b.Annotations[i].Name, s.Annotations[i].Name);
            Check(differences, annotation, "old", b.Annotations[i].IsOld == s.Annotations[i].IsOld, b.Annotations[i].IsOld, s.Annotations[i].IsOld);
            CompareValue(b.Annotations[i].Value, s.Annotations[i].Value, annotation, differences);
        }
    }

    private static void CompareValue(StepValue b, StepValue s, string at, List<string> differences)
    {
        Check(differences, at, "omitted", b.IsOmitted == s.IsOmitted, b.IsOmitted, s.IsOmitted);
        Check(differences, at, "has constant", b.HasConstant == s.HasConstant, b.HasConstant, s.HasConstant);
        Check(differences, at, "constant", Equals(b.Constant, s.Constant) && b.Constant?.GetType() == s.Constant?.GetType(),
            b.Constant + " (" + b.Constant?.GetType().Name + ")", s.Constant + " (" + s.Constant?.GetType().Name + ")");
        Check(differences, at, "enum member", b.EnumMember == s.EnumMember, b.EnumMember, s.EnumMember);
        Check(differences, at, "typeof", SymbolEqualityComparer.Default.Equals(b.TypeOf, s.TypeOf), b.TypeOf, s.TypeOf);
        Check(differences, at, "syntax", SameNode(b.Syntax, s.Syntax), b.Syntax, s.Syntax);
        Check(differences, at, "elements", b.Elements.IsDefault == s.Elements.IsDefault && (b.Elements.IsDefault || b.Elements.Length == s.Elements.Length),
            b.Elements.IsDefault ? "none" : b.Elements.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), s.Elements.IsDefault ? "none" : s.Elements.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (!b.Elements.IsDefault && !s.Elements.IsDefault && b.Elements.Length == s.Elements.Length)
        {
            for (var i = 0; i < b.Elements.Length; i++)
            {
                CompareValue(b.Elements[i], s.Elements[i], at + "[" + i + "]", differences);
            }
        }
    }

    private static bool SameNode(SyntaxNode? a, SyntaxNode? b) =>
        (a is null && b is null) || (a != null && b != null && a.SyntaxTree == b.SyntaxTree && a.Span == b.Span && a.RawKind == b.RawKind);

    private static void Check(List<string> differences, string at, string what, bool same, object? bound, object? fromSyntax)
    {
        if (!same)
        {
            differences.Add($"{at}: {what} bound '{bound}', from syntax '{fromSyntax}'");
        }
    }
}
