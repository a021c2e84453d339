using System.Threading.Tasks;
using static SafeMigrations.Analyzers.Tests.Verifiers.MigrationSource;
using Verify = SafeMigrations.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<SafeMigrations.Analyzers.Rules.RenameTableAnalyzer>;

namespace SafeMigrations.Analyzers.Tests.Rules;

public class SM0012RenameTableTests
{
    [Fact]
    public async Task RenameTable_is_flagged_with_message_and_its_down_rename_back_is_not()
    {
        var source = Migration(
            up: """
                {|#0:migrationBuilder.RenameTable(
                    name: "Carts",
                    newName: "Baskets")|};
        """,
            down: """
                migrationBuilder.RenameTable(
                    name: "Baskets",
                    newName: "Carts");
        """);
        await Verify.VerifyAnalyzerAsync(source, Verify.Diagnostic("SM0012").WithLocation(0).WithArguments("RenameTable", "Carts", "Baskets", "\"Carts\"", "\"Baskets\""));
    }

    [Fact]
    public async Task Schema_moves_are_flagged()
    {
        // EF writes a move to the default schema as RenameTable(name, schema, newName) with newSchema omitted.
        var source = Migration("""
                {|#0:migrationBuilder.RenameTable(name: "Carts", newName: "Carts", newSchema: "archive")|};
                {|#1:migrationBuilder.RenameTable(name: "Posts", schema: "legacy", newName: "Posts")|};
                {|SM0012:migrationBuilder.RenameTable(name: "Lines", schema: "sales", newName: "OrderLines", newSchema: "sales")|};
                migrationBuilder.RenameTable(name: "Same", schema: "sales", newName: "Same", newSchema: "sales");
                migrationBuilder.RenameTable(name: "Same", newName: "Same", newSchema: "public");
        """);
        await Verify.VerifyAnalyzerAsync(
            source,
            Verify.Diagnostic("SM0012").WithLocation(0).WithArguments("RenameTable", "Carts", "archive.Carts", "\"Carts\"", "archive.\"Carts\""),
            Verify.Diagnostic("SM0012").WithLocation(1).WithArguments("RenameTable", "legacy.Posts", "Posts", "legacy.\"Posts\"", "\"Posts\""));
    }

    [Fact]
    public async Task Raw_rename_to_and_set_schema_are_flagged()
    {
        var source = Migration("""
                migrationBuilder.Sql({|#0:"ALTER TABLE orders RENAME TO purchase_orders;"|});
                migrationBuilder.Sql({|#1:"ALTER TABLE IF EXISTS public.audit SET SCHEMA archive"|});
                migrationBuilder.Sql({|SM0012:"ALTER TABLE \"OrderLines\" RENAME TO \"OrderItems\""|});
        """);
        await Verify.VerifyAnalyzerAsync(
            source,
            Verify.Diagnostic("SM0012").WithLocation(0).WithArguments("RENAME TO", "orders", "purchase_orders", "orders", "purchase_orders"),
            Verify.Diagnostic("SM0012").WithLocation(1).WithArguments("SET SCHEMA", "public.audit", "archive.audit", "public.audit", "archive.audit"));
    }

    [Fact]
    public async Task Rename_followed_by_a_compatibility_view_is_not_flagged()
    {
        var source = Migration("""
                migrationBuilder.RenameTable(name: "Carts", newName: "Baskets");
                migrationBuilder.Sql(@"CREATE VIEW ""Carts"" AS SELECT * FROM ""Baskets"";");
                migrationBuilder.Sql("ALTER TABLE orders RENAME TO purchase_orders; CREATE OR REPLACE VIEW orders AS SELECT * FROM purchase_orders;");
                migrationBuilder.Sql("ALTER TABLE audit SET SCHEMA archive;");
                migrationBuilder.Sql("CREATE VIEW public.audit AS SELECT * FROM archive.audit;");
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task A_view_that_does_not_keep_the_old_name_working_does_not_help()
    {
        var source = Migration("""
                migrationBuilder.Sql(@"CREATE VIEW ""Carts_v"" AS SELECT * FROM ""Carts"";");
                {|SM0012:migrationBuilder.RenameTable(name: "Carts", newName: "Baskets")|};
                migrationBuilder.Sql({|SM0012:"ALTER TABLE orders RENAME TO purchase_orders;"|});
                migrationBuilder.Sql("CREATE VIEW \"Orders\" AS SELECT * FROM purchase_orders;");
                migrationBuilder.Sql({|SM0012:"ALTER TABLE lines RENAME TO items;"|});
                migrationBuilder.Sql("CREATE VIEW lines AS SELECT * FROM other_items;");
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task New_tables_and_contract_phase_are_exempt_small_tables_are_not()
    {
        var source = Migration("""
                migrationBuilder.CreateTable(
                    name: "Drafts",
                    columns: table => new
                    {
                        Id = table.Column<int>(type: "integer", nullable: false)
                    });
                migrationBuilder.RenameTable(name: "Drafts", newName: "Notes");
                migrationBuilder.Sql("CREATE TABLE tmp (id int); ALTER TABLE tmp RENAME TO staging;");
                migrationBuilder.RenameTable(name: "Carts", newName: "Baskets").InContractPhase();
                {|SM0012:migrationBuilder.RenameTable(name: "Countries", newName: "Nations")|};
        """);
        await Verify.VerifyAnalyzerAsync(source, "safe_migrations.small_tables = Countries");

        var contractClass = Migration("""
                migrationBuilder.RenameTable(name: "Carts", newName: "Baskets");
                migrationBuilder.Sql("ALTER TABLE orders RENAME TO purchase_orders;");
        """, classAttributes: "[ContractPhase]");
        await Verify.VerifyAnalyzerAsync(contractClass);
    }

    [Fact]
    public async Task Index_and_sequence_renames_are_not_flagged()
    {
        var source = Migration("""
                migrationBuilder.RenameIndex(name: "IX_OrderLines_OrderId", table: "OrderItems", newName: "IX_OrderItems_OrderId");
                migrationBuilder.RenameSequence(name: "order_numbers", newName: "order_no");
                migrationBuilder.RenameColumn(name: "Name", table: "Customers", newName: "FullName");
                migrationBuilder.Sql("ALTER INDEX ix_a RENAME TO ix_b; ALTER TABLE orders RENAME COLUMN a TO b; ALTER SEQUENCE s RENAME TO t;");
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Rename_followed_by_the_CreateCompatibilityView_step_is_not_flagged()
    {
        var source = Migration("""
                migrationBuilder.RenameTable(name: "Carts", newName: "Baskets");
                migrationBuilder.CreateCompatibilityView(viewName: "Carts", table: "Baskets");
                migrationBuilder.Sql("ALTER TABLE shop.orders RENAME TO purchase_orders;");
                migrationBuilder.CreateCompatibilityView(viewName: "orders", table: "purchase_orders", schema: "shop");
                {|SM0012:migrationBuilder.RenameTable(name: "Lines", newName: "Items")|};
                migrationBuilder.CreateCompatibilityView(viewName: "Lines", table: "OtherItems");
                migrationBuilder.CreateCompatibilityView(viewName: "Kept", table: "Moved");
                {|SM0012:migrationBuilder.RenameTable(name: "Kept", newName: "Moved")|};
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Raw_rename_back_in_down_is_not_flagged()
    {
        var source = Migration(
            up: """
                migrationBuilder.Sql({|SM0012:{|SM0012:"ALTER TABLE orders RENAME TO purchase_orders; ALTER TABLE public.audit SET SCHEMA archive;"|}|});
        """,
            down: """
                migrationBuilder.Sql("COMMENT ON TABLE purchase_orders IS NULL; ALTER TABLE purchase_orders RENAME TO orders; ALTER TABLE archive.audit SET SCHEMA public;");
                migrationBuilder.Sql({|SM0012:"ALTER TABLE archive.audit SET SCHEMA audit_log;"|});
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }
}
