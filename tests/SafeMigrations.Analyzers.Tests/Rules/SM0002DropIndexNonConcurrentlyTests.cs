using System.Threading.Tasks;
using static SafeMigrations.Analyzers.Tests.Verifiers.MigrationSource;
using Verify = SafeMigrations.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<SafeMigrations.Analyzers.Rules.DropIndexNonConcurrentlyAnalyzer>;

namespace SafeMigrations.Analyzers.Tests.Rules;

public class SM0002DropIndexNonConcurrentlyTests
{
    [Fact]
    public async Task DropIndex_is_flagged_with_message()
    {
        var source = Migration("""
                {|#0:migrationBuilder.DropIndex(
                    name: "IX_Orders_CustomerId",
                    table: "Orders")|};
        """);
        await Verify.VerifyAnalyzerAsync(source, Verify.Diagnostic("SM0002").WithLocation(0).WithArguments("DropIndex 'IX_Orders_CustomerId'", "table 'Orders'"));
    }

    [Fact]
    public async Task DropIndex_without_table_and_positional_is_flagged()
    {
        var source = Migration("""
                {|#0:migrationBuilder.DropIndex("IX_Legacy")|};
                {|SM0002:migrationBuilder.DropIndex("IX_Orders_A", "Orders", "sales")|};
        """);
        await Verify.VerifyAnalyzerAsync(source, Verify.Diagnostic("SM0002").WithLocation(0).WithArguments("DropIndex 'IX_Legacy'", "the index's table"));
    }

    [Fact]
    public async Task Concurrent_annotation_does_not_make_DropIndex_concurrent()
    {
        var source = Migration("""
                {|SM0002:migrationBuilder.DropIndex(name: "IX_1", table: "Orders")|}
                    .Annotation("Npgsql:CreatedConcurrently", true);
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Down_dropping_the_index_its_Up_created_is_not_flagged()
    {
        var source = Migration(
            up: """
                migrationBuilder.CreateIndex(name: "IX_Orders_CustomerId", table: "Orders", column: "CustomerId")
                    .Annotation("Npgsql:CreatedConcurrently", true);
                migrationBuilder.Sql("CREATE INDEX CONCURRENTLY ix_orders_total ON orders (total)", suppressTransaction: true);
        """,
            down: """
                migrationBuilder.DropIndex(name: "IX_Orders_CustomerId", table: "Orders");
                migrationBuilder.Sql("DROP INDEX ix_orders_total;");
                {|SM0002:migrationBuilder.DropIndex(name: "IX_Orders_Other", table: "Orders")|};
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Down_dropping_an_index_Up_did_not_create_is_flagged()
    {
        var source = Migration(
            up: """
                migrationBuilder.AddColumn<string>(name: "Code", table: "Orders", nullable: true);
        """,
            down: """
                {|SM0002:migrationBuilder.DropIndex(name: "IX_Orders_Code", table: "Orders")|};
                migrationBuilder.DropColumn(name: "Code", table: "Orders");
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Raw_drop_index_is_flagged_and_concurrent_is_not()
    {
        var source = Migration("""
                migrationBuilder.Sql({|SM0002:"DROP INDEX IF EXISTS ix_orders_total;"|});
                migrationBuilder.Sql("DROP INDEX CONCURRENTLY IF EXISTS ix_orders_code;", suppressTransaction: true);
                migrationBuilder.Sql("-- DROP INDEX ix_commented_out\nSELECT 1;");
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Small_tables_are_exempt()
    {
        var source = Migration("""
                migrationBuilder.DropIndex(name: "IX_Countries_Code", table: "Countries");
                migrationBuilder.DropIndex(name: "IX_Settings_Key", table: "settings", schema: "config");
                {|SM0002:migrationBuilder.DropIndex(name: "IX_Orders_Code", table: "Orders")|};
        """);
        await Verify.VerifyAnalyzerAsync(source, "safe_migrations.small_tables = countries, config.settings");
    }

    [Fact]
    public async Task Drop_on_a_table_created_earlier_is_not_flagged()
    {
        var source = Migration("""
                migrationBuilder.CreateTable(
                    name: "Tags",
                    columns: table => new { Id = table.Column<int>(nullable: false) });
                migrationBuilder.CreateIndex(name: "IX_Tags_Id", table: "Tags", column: "Id");
                migrationBuilder.DropIndex(name: "IX_Tags_Id", table: "Tags");
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }
}
