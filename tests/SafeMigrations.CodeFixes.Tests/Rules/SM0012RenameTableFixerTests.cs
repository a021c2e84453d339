using System.Threading.Tasks;
using static SafeMigrations.Analyzers.Tests.Verifiers.MigrationSource;
using Verify = SafeMigrations.CodeFixes.Tests.Verifiers.CSharpCodeFixVerifier<SafeMigrations.CodeFixes.Rules.RenameTableFixer>;

namespace SafeMigrations.CodeFixes.Tests.Rules;

public class SM0012RenameTableFixerTests
{
    [Fact]
    public Task RenameTable_gets_a_compatibility_view_and_Down_drops_it_before_renaming_back() =>
        Verify.VerifyCodeFixAsync(
            Migration(
                up: """
                        {|SM0012:migrationBuilder.RenameTable(
                            name: "Carts",
                            newName: "Baskets")|};
            """,
                down: """
                        migrationBuilder.RenameTable(
                            name: "Baskets",
                            newName: "Carts");
            """),
            Migration(
                up: """
                        migrationBuilder.RenameTable(
                            name: "Carts",
                            newName: "Baskets");
                        // Expand: the running app keeps using "Carts" through an updatable view over the renamed table.
                        migrationBuilder.CreateCompatibilityView(viewName: "Carts", table: "Baskets");
                        // Contract: runs after every app instance stopped using the old name.
                        migrationBuilder.DropCompatibilityView(viewName: "Carts").InContractPhase();
            """,
                down: """
                        // The compatibility view holds the old name: drop it before renaming back.
                        migrationBuilder.DropCompatibilityView(viewName: "Carts");
                        migrationBuilder.RenameTable(
                            name: "Baskets",
                            newName: "Carts");
            """));

    [Fact]
    public Task RenameTable_in_a_schema_passes_the_schema() =>
        Verify.VerifyCodeFixAsync(
            Migration(up: """
                        {|SM0012:migrationBuilder.RenameTable(
                            name: "Carts",
                            schema: "shop",
                            newName: "Baskets",
                            newSchema: "shop")|};
            """),
            Migration(up: """
                        migrationBuilder.RenameTable(
                            name: "Carts",
                            schema: "shop",
                            newName: "Baskets",
                            newSchema: "shop");
                        // Expand: the running app keeps using "Carts" through an updatable view over the renamed table.
                        migrationBuilder.CreateCompatibilityView(viewName: "Carts", table: "Baskets", schema: "shop");
                        // Contract: runs after every app instance stopped using the old name.
                        migrationBuilder.DropCompatibilityView(viewName: "Carts", schema: "shop").InContractPhase();
            """));

    [Fact]
    public Task Raw_rename_in_a_multi_statement_call_gets_the_view_right_after_it() =>
        Verify.VerifyCodeFixAsync(
            Migration(
                up: """
                        migrationBuilder.Sql({|SM0012:"ALTER TABLE orders RENAME TO purchase_orders; COMMENT ON TABLE purchase_orders IS 'x';"|});
            """,
                down: """
                        migrationBuilder.Sql("COMMENT ON TABLE purchase_orders IS NULL; ALTER TABLE purchase_orders RENAME TO orders;");
            """),
            Migration(
                up: """
                        migrationBuilder.Sql("ALTER TABLE orders RENAME TO purchase_orders;");
                        // Expand: the running app keeps using "orders" through an updatable view over the renamed table.
                        migrationBuilder.CreateCompatibilityView(viewName: "orders", table: "purchase_orders");
                        // Contract: runs after every app instance stopped using the old name.
                        migrationBuilder.DropCompatibilityView(viewName: "orders").InContractPhase();
                        migrationBuilder.Sql("COMMENT ON TABLE purchase_orders IS 'x';");
            """,
                down: """
                        migrationBuilder.Sql("COMMENT ON TABLE purchase_orders IS NULL;");
                        // The compatibility view holds the old name: drop it before renaming back.
                        migrationBuilder.DropCompatibilityView(viewName: "orders");
                        migrationBuilder.Sql("ALTER TABLE purchase_orders RENAME TO orders;");
            """));

    [Fact]
    public Task Raw_set_schema_gets_a_raw_view_across_schemas() =>
        Verify.VerifyCodeFixAsync(
            Migration(up: """
                        migrationBuilder.Sql({|SM0012:"ALTER TABLE IF EXISTS public.audit SET SCHEMA archive"|});
            """),
            Migration(up: """
                        migrationBuilder.Sql("ALTER TABLE IF EXISTS public.audit SET SCHEMA archive;");
                        // Expand: the running app keeps using "audit" through an updatable view over the renamed table.
                        migrationBuilder.Sql(@"CREATE OR REPLACE VIEW ""public"".""audit"" AS SELECT * FROM ""archive"".""audit"";");
                        // Contract: runs after every app instance stopped using the old name.
                        migrationBuilder.Sql(@"DROP VIEW IF EXISTS ""public"".""audit"";").InContractPhase();
            """));

    [Fact]
    public Task Fix_all_fixes_builder_and_raw_renames() =>
        Verify.VerifyCodeFixAsync(
            Migration(up: """
                        {|SM0012:migrationBuilder.RenameTable(
                            name: "A",
                            newName: "B")|};
                        migrationBuilder.Sql({|SM0012:{|SM0012:"ALTER TABLE c RENAME TO d; ALTER TABLE e RENAME TO f;"|}|});
            """),
            Migration(up: """
                        migrationBuilder.RenameTable(
                            name: "A",
                            newName: "B");
                        // Expand: the running app keeps using "A" through an updatable view over the renamed table.
                        migrationBuilder.CreateCompatibilityView(viewName: "A", table: "B");
                        // Contract: runs after every app instance stopped using the old name.
                        migrationBuilder.DropCompatibilityView(viewName: "A").InContractPhase();
                        migrationBuilder.Sql("ALTER TABLE c RENAME TO d;");
                        // Expand: the running app keeps using "c" through an updatable view over the renamed table.
                        migrationBuilder.CreateCompatibilityView(viewName: "c", table: "d");
                        // Contract: runs after every app instance stopped using the old name.
                        migrationBuilder.DropCompatibilityView(viewName: "c").InContractPhase();
                        migrationBuilder.Sql("ALTER TABLE e RENAME TO f;");
                        // Expand: the running app keeps using "e" through an updatable view over the renamed table.
                        migrationBuilder.CreateCompatibilityView(viewName: "e", table: "f");
                        // Contract: runs after every app instance stopped using the old name.
                        migrationBuilder.DropCompatibilityView(viewName: "e").InContractPhase();
            """));
}
