using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using SafeMigrations.Analyzers.Infrastructure;
using SafeMigrations.Analyzers.Tests.Verifiers;
using static SafeMigrations.Analyzers.Tests.Verifiers.MigrationSource;
using CreateIndex = SafeMigrations.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<SafeMigrations.Analyzers.Rules.CreateIndexNonConcurrentlyAnalyzer>;
using DataChange = SafeMigrations.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<SafeMigrations.Analyzers.Rules.UnbatchedDataChangeAnalyzer>;
using DropColumn = SafeMigrations.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<SafeMigrations.Analyzers.Rules.DropColumnOutsideContractAnalyzer>;
using DropIndex = SafeMigrations.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<SafeMigrations.Analyzers.Rules.DropIndexNonConcurrentlyAnalyzer>;
using DropTable = SafeMigrations.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<SafeMigrations.Analyzers.Rules.DropTableOutsideContractAnalyzer>;
using ForeignKey = SafeMigrations.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<SafeMigrations.Analyzers.Rules.AddForeignKeyValidatedAnalyzer>;
using RenameColumn = SafeMigrations.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<SafeMigrations.Analyzers.Rules.RenameColumnAnalyzer>;
using SetNotNull = SafeMigrations.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<SafeMigrations.Analyzers.Rules.SetNotNullAnalyzer>;

namespace SafeMigrations.Analyzers.Tests.Infrastructure;

/// <summary>
/// <c>safe_migrations.analyze_down</c>: off, a Down step that reverts what its Up did is not reported; on, only a Down
/// step removing what Up created stays exempt, and the rollback's rebuilds, validations and data reverts are reported.
/// </summary>
public class AnalyzeDownTests
{
    private const string On = "safe_migrations.analyze_down = true";

    /// <summary>Up drops an index and a foreign key and fixes data; Down, as EF and the author write it, restores them.</summary>
    private const string Up = """
                migrationBuilder.DropIndex(name: "IX_Orders_CustomerId", table: "Orders");
                migrationBuilder.DropForeignKey(name: "FK_Orders_Stores_StoreId", table: "Orders");
                migrationBuilder.Sql("UPDATE orders SET status = 'open' WHERE status = 'new';");
        """;

    private const string RestoringDown = """
                migrationBuilder.Sql("UPDATE orders SET status = 'new' WHERE status = 'open';");
                migrationBuilder.AddForeignKey(name: "FK_Orders_Stores_StoreId", table: "Orders", column: "StoreId", principalTable: "Stores", principalColumn: "Id");
                migrationBuilder.CreateIndex(name: "IX_Orders_CustomerId", table: "Orders", column: "CustomerId");
        """;

    private const string RestoringDownMarked = """
                migrationBuilder.Sql({|SM0015:"UPDATE orders SET status = 'new' WHERE status = 'open';"|});
                {|SM0008:migrationBuilder.AddForeignKey(name: "FK_Orders_Stores_StoreId", table: "Orders", column: "StoreId", principalTable: "Stores", principalColumn: "Id")|};
                {|SM0001:migrationBuilder.CreateIndex(name: "IX_Orders_CustomerId", table: "Orders", column: "CustomerId")|};
        """;

    [Fact]
    public async Task Without_the_option_Down_restoring_what_Up_dropped_is_not_analyzed()
    {
        var source = Migration(up: Up.Replace("migrationBuilder.Sql(\"UPDATE", "migrationBuilder.Sql({|SM0015:\"UPDATE").Replace("'new';\")", "'new';\"|})"), down: RestoringDown);
        await CreateIndex.VerifyAnalyzerAsync(OnlyRule(source, "SM0001"));
        await ForeignKey.VerifyAnalyzerAsync(OnlyRule(source, "SM0008"));
        await DataChange.VerifyAnalyzerAsync(OnlyRule(source, "SM0015"));
        await DataChange.VerifyAnalyzerAsync(OnlyRule(source, "SM0015"), "safe_migrations.analyze_down = false");
    }

    [Fact]
    public async Task With_the_option_Down_building_an_index_validating_a_foreign_key_and_reverting_an_update_on_existing_tables_is_flagged()
    {
        var source = Migration(up: Up.Replace("migrationBuilder.Sql(\"UPDATE", "migrationBuilder.Sql({|SM0015:\"UPDATE").Replace("'new';\")", "'new';\"|})"), down: RestoringDownMarked);
        await CreateIndex.VerifyAnalyzerAsync(OnlyRule(source, "SM0001"), On);
        await ForeignKey.VerifyAnalyzerAsync(OnlyRule(source, "SM0008"), On);
        await DataChange.VerifyAnalyzerAsync(OnlyRule(source, "SM0015"), On);
        await DataChange.VerifyAnalyzerAsync(OnlyRule(source, "SM0015"), "safe_migrations.analyze_down = TRUE");
    }

    [Fact]
    public async Task With_the_option_Down_altering_a_column_back_to_not_null_is_flagged()
    {
        var source = Migration(
            up: """
                migrationBuilder.AlterColumn<string>(name: "Status", table: "Orders", type: "text", nullable: true, oldClrType: typeof(string), oldType: "text");
        """,
            down: """
                {|SM0006:migrationBuilder.AlterColumn<string>(name: "Status", table: "Orders", type: "text", nullable: false, defaultValue: "", oldClrType: typeof(string), oldType: "text", oldNullable: true)|};
        """);
        await SetNotNull.VerifyAnalyzerAsync(source, On);
        await SetNotNull.VerifyAnalyzerAsync(source.Replace("{|SM0006:", string.Empty).Replace("oldNullable: true)|}", "oldNullable: true)"));
    }

    [Fact]
    public async Task With_the_option_Down_renaming_back_what_Up_renamed_is_flagged()
    {
        var source = Migration(
            up: """
                migrationBuilder.RenameColumn(name: "Name", table: "Customers", newName: "FullName").InContractPhase();
        """,
            down: """
                {|SM0011:migrationBuilder.RenameColumn(name: "FullName", table: "Customers", newName: "Name")|};
        """);
        await RenameColumn.VerifyAnalyzerAsync(source, On);
        await RenameColumn.VerifyAnalyzerAsync(OnlyRule(source, "none"));
    }

    [Fact]
    public async Task With_the_option_Down_that_only_drops_what_Up_created_is_not_flagged()
    {
        var source = Migration(
            up: """
                migrationBuilder.CreateTable(name: "Invoices", columns: table => new { Id = table.Column<int>(type: "integer", nullable: false) });
                migrationBuilder.AddColumn<string>(name: "Note", table: "Orders", type: "text", nullable: true);
                {|SM0001:migrationBuilder.CreateIndex(name: "IX_Orders_Note", table: "Orders", column: "Note")|};
                {|SM0008:migrationBuilder.AddForeignKey(name: "FK_Orders_Invoices_InvoiceId", table: "Orders", column: "InvoiceId", principalTable: "Invoices", principalColumn: "Id")|};
                migrationBuilder.Sql({|SM0001:"CREATE INDEX ix_orders_total ON orders (total);"|});
        """,
            down: """
                migrationBuilder.DropForeignKey(name: "FK_Orders_Invoices_InvoiceId", table: "Orders");
                migrationBuilder.DropIndex(name: "IX_Orders_Note", table: "Orders");
                migrationBuilder.Sql("DROP INDEX ix_orders_total;");
                migrationBuilder.DropColumn(name: "Note", table: "Orders");
                migrationBuilder.DropTable(name: "Invoices");
        """);
        await CreateIndex.VerifyAnalyzerAsync(OnlyRule(source, "SM0001"), On);
        await ForeignKey.VerifyAnalyzerAsync(OnlyRule(source, "SM0008"), On);
        await DropIndex.VerifyAnalyzerAsync(OnlyRule(source, "SM0002"), On);
        await DropColumn.VerifyAnalyzerAsync(OnlyRule(source, "SM0013"), On);
        await DropTable.VerifyAnalyzerAsync(OnlyRule(source, "SM0014"), On);
    }

    [Fact]
    public async Task With_the_option_a_table_Down_creates_is_new_and_a_table_Up_created_is_not()
    {
        var source = Migration(
            up: """
                migrationBuilder.CreateTable(name: "Invoices", columns: table => new { Id = table.Column<int>(type: "integer", nullable: false) });
                migrationBuilder.DropTable(name: "LegacyInvoices");
        """,
            down: """
                migrationBuilder.CreateTable(name: "LegacyInvoices", columns: table => new { Id = table.Column<int>(type: "integer", nullable: false) });
                migrationBuilder.CreateIndex(name: "IX_LegacyInvoices_Id", table: "LegacyInvoices", column: "Id");
                {|SM0001:migrationBuilder.CreateIndex(name: "IX_Invoices_Id", table: "Invoices", column: "Id")|};
                migrationBuilder.DropTable(name: "Invoices");
        """);
        await CreateIndex.VerifyAnalyzerAsync(source, On);
    }

    [Fact]
    public async Task Diagnostics_on_Down_restoring_Up_carry_the_reverts_up_property_and_others_do_not()
    {
        var source = Migration(
            up: """
                migrationBuilder.DropIndex(name: "IX_Orders_CustomerId", table: "Orders");
        """,
            down: """
                migrationBuilder.CreateIndex(name: "IX_Orders_CustomerId", table: "Orders", column: "CustomerId");
                migrationBuilder.CreateIndex(name: "IX_Orders_Total", table: "Orders", column: "Total");
        """);
        var diagnostics = await AnalyzeAsync(source, On);
        Assert.Equal(2, diagnostics.Count);
        Assert.True(diagnostics[0].Properties.ContainsKey(DiagnosticProperties.RevertsUp));
        Assert.False(diagnostics[1].Properties.ContainsKey(DiagnosticProperties.RevertsUp));
    }

    [Fact]
    public void Option_is_read_from_editorconfig_and_off_unless_true()
    {
        Assert.False(MigrationOptions.Default.AnalyzeDown);
        Assert.True(Read("true").AnalyzeDown);
        Assert.True(Read(" True ").AnalyzeDown);
        Assert.False(Read("false").AnalyzeDown);
        Assert.False(Read("yes please").AnalyzeDown);
    }

    private static MigrationOptions Read(string value) => MigrationOptions.Read(new SingleOption(MigrationOptions.AnalyzeDownKey, value));

    private static async Task<List<Diagnostic>> AnalyzeAsync(string source, string editorConfig)
    {
        var tree = CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest), path: "/0/Migration.cs");
        var compilation = CSharpCompilation.Create("T", new[] { tree }, TestReferences.All, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        var options = new AnalyzerOptions(System.Collections.Immutable.ImmutableArray<AdditionalText>.Empty, new TreeOptionsProvider(new SingleOption(MigrationOptions.AnalyzeDownKey, editorConfig.Split('=')[1].Trim())));
        var diagnostics = await compilation
            .WithAnalyzers(System.Collections.Immutable.ImmutableArray.Create<DiagnosticAnalyzer>(new SafeMigrations.Analyzers.Rules.CreateIndexNonConcurrentlyAnalyzer()), options)
            .GetAnalyzerDiagnosticsAsync();
        return diagnostics.OrderBy(d => d.Location.SourceSpan.Start).ToList();
    }

    private sealed class SingleOption : AnalyzerConfigOptions
    {
        private readonly string _key;
        private readonly string _value;

        public SingleOption(string key, string value)
        {
            _key = key;
            _value = value;
        }

        public override bool TryGetValue(string key, out string value)
        {
            value = key == _key ? _value : string.Empty;
            return key == _key;
        }
    }

    private sealed class TreeOptionsProvider : AnalyzerConfigOptionsProvider
    {
        private readonly AnalyzerConfigOptions _options;

        public TreeOptionsProvider(AnalyzerConfigOptions options) => _options = options;

        public override AnalyzerConfigOptions GlobalOptions => _options;

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => _options;

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => _options;
    }
}
