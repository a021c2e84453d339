using System.Threading.Tasks;
using static SafeMigrations.Analyzers.Tests.Verifiers.MigrationSource;
using Verify = SafeMigrations.CodeFixes.Tests.Verifiers.CSharpCodeFixVerifier<SafeMigrations.CodeFixes.Rules.AddForeignKeyValidatedFixer>;

namespace SafeMigrations.CodeFixes.Tests.Rules;

public class SM0008AddForeignKeyValidatedFixerTests
{
    [Fact]
    public Task AddForeignKey_becomes_not_valid_plus_validate_and_Down_is_unchanged() =>
        Verify.VerifyCodeFixAsync(
            Migration(
                up: """
                        {|SM0008:migrationBuilder.AddForeignKey(
                            name: "FK_Orders_Customers_CustomerId",
                            table: "Orders",
                            column: "CustomerId",
                            principalTable: "Customers",
                            principalColumn: "Id",
                            onDelete: ReferentialAction.Cascade)|};
            """,
                down: """
                        migrationBuilder.DropForeignKey(
                            name: "FK_Orders_Customers_CustomerId",
                            table: "Orders");
            """),
            Migration(
                up: """
                        // Expand: add the foreign key NOT VALID: a brief lock and no scan; new and updated rows are checked at once.
                        migrationBuilder.AddForeignKeyNotValid(
                            name: "FK_Orders_Customers_CustomerId",
                            table: "Orders",
                            column: "CustomerId",
                            principalTable: "Customers",
                            principalColumn: "Id",
                            onDelete: ReferentialAction.Cascade);
                        // Verify: validate the existing rows after the migration's transaction commits, under SHARE UPDATE EXCLUSIVE (reads and writes continue).
                        migrationBuilder.ValidateConstraint(name: "FK_Orders_Customers_CustomerId", table: "Orders");
            """,
                down: """
                        migrationBuilder.DropForeignKey(
                            name: "FK_Orders_Customers_CustomerId",
                            table: "Orders");
            """));

    [Fact]
    public Task Composite_key_with_schemas_and_positional_arguments_keeps_every_argument() =>
        Verify.VerifyCodeFixAsync(
            Migration(up: """
                        {|SM0008:migrationBuilder.AddForeignKey("FK_Lines_Orders", "Lines", new[] { "OrderId", "TenantId" }, "Orders", "sales", principalSchema: "sales", principalColumns: new[] { "Id", "TenantId" })|};
            """),
            Migration(up: """
                        // Expand: add the foreign key NOT VALID: a brief lock and no scan; new and updated rows are checked at once.
                        migrationBuilder.AddForeignKeyNotValid("FK_Lines_Orders", "Lines", new[] { "OrderId", "TenantId" }, "Orders", "sales", principalSchema: "sales", principalColumns: new[] { "Id", "TenantId" });
                        // Verify: validate the existing rows after the migration's transaction commits, under SHARE UPDATE EXCLUSIVE (reads and writes continue).
                        migrationBuilder.ValidateConstraint(name: "FK_Lines_Orders", table: "Lines", schema: "sales");
            """));

    [Fact]
    public Task Raw_named_foreign_key_gets_not_valid_and_a_separate_validation() =>
        Verify.VerifyCodeFixAsync(
            Migration(up: """
                        migrationBuilder.Sql({|SM0008:@"ALTER TABLE ""Orders"" ADD CONSTRAINT ""FK_Orders_Stores"" FOREIGN KEY (""StoreId"") REFERENCES ""Stores"" (""Id"") ON DELETE SET NULL; UPDATE ""Orders"" SET ""Note"" = 'x' WHERE ""Id"" = 1;"|});
            """),
            Migration(up: """
                        // Expand: add the foreign key NOT VALID: a brief lock and no scan; new and updated rows are checked at once.
                        migrationBuilder.Sql(@"ALTER TABLE ""Orders"" ADD CONSTRAINT ""FK_Orders_Stores"" FOREIGN KEY (""StoreId"") REFERENCES ""Stores"" (""Id"") ON DELETE SET NULL NOT VALID;");
                        // Verify: validate the existing rows after the migration's transaction commits, under SHARE UPDATE EXCLUSIVE (reads and writes continue).
                        migrationBuilder.ValidateConstraint(name: "FK_Orders_Stores", table: "Orders");
                        migrationBuilder.Sql(@"UPDATE ""Orders"" SET ""Note"" = 'x' WHERE ""Id"" = 1;");
            """));

    [Fact]
    public Task Raw_unnamed_foreign_key_gets_the_name_PostgreSQL_would_give_it() =>
        Verify.VerifyCodeFixAsync(
            Migration(up: """
                        migrationBuilder.Sql({|SM0008:"ALTER TABLE sales.orders ADD FOREIGN KEY (customer_id) REFERENCES sales.customers;"|});
            """),
            Migration(up: """
                        // Expand: add the foreign key NOT VALID: a brief lock and no scan; new and updated rows are checked at once.
                        migrationBuilder.Sql("ALTER TABLE sales.orders ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES sales.customers NOT VALID;");
                        // Verify: validate the existing rows after the migration's transaction commits, under SHARE UPDATE EXCLUSIVE (reads and writes continue).
                        migrationBuilder.ValidateConstraint(name: "orders_customer_id_fkey", table: "orders", schema: "sales");
            """));

    [Fact]
    public Task Validate_in_the_transaction_of_its_not_valid_add_moves_to_ValidateConstraint() =>
        Verify.VerifyCodeFixAsync(
            Migration(up: """
                        migrationBuilder.Sql({|SM0008:"ALTER TABLE orders ADD CONSTRAINT fk_orders_store FOREIGN KEY (store_id) REFERENCES stores NOT VALID; ALTER TABLE orders VALIDATE CONSTRAINT fk_orders_store;"|});
            """),
            Migration(up: """
                        migrationBuilder.Sql("ALTER TABLE orders ADD CONSTRAINT fk_orders_store FOREIGN KEY (store_id) REFERENCES stores NOT VALID;");
                        // Verify: validate the existing rows after the migration's transaction commits, under SHARE UPDATE EXCLUSIVE (reads and writes continue).
                        migrationBuilder.ValidateConstraint(name: "fk_orders_store", table: "orders");
            """));

    [Fact]
    public Task Validated_inline_references_on_add_column_is_split_into_a_not_valid_table_constraint() =>
        Verify.VerifyCodeFixAsync(
            Migration(up: """
                        migrationBuilder.Sql({|SM0008:"ALTER TABLE orders ADD COLUMN store_id integer DEFAULT 1 NOT NULL REFERENCES stores (id) ON DELETE CASCADE;"|});
            """),
            Migration(up: """
                        // Expand: add the foreign key NOT VALID: a brief lock and no scan; new and updated rows are checked at once.
                        migrationBuilder.Sql("ALTER TABLE orders ADD COLUMN store_id integer DEFAULT 1 NOT NULL, ADD CONSTRAINT orders_store_id_fkey FOREIGN KEY (store_id) REFERENCES stores (id) ON DELETE CASCADE NOT VALID;");
                        // Verify: validate the existing rows after the migration's transaction commits, under SHARE UPDATE EXCLUSIVE (reads and writes continue).
                        migrationBuilder.ValidateConstraint(name: "orders_store_id_fkey", table: "orders");
            """));

    [Fact]
    public Task Fix_all_fixes_builder_and_raw_foreign_keys() =>
        Verify.VerifyCodeFixAsync(
            Migration(up: """
                        {|SM0008:migrationBuilder.AddForeignKey(
                            name: "FK_A",
                            table: "Orders",
                            column: "AId",
                            principalTable: "A",
                            principalColumn: "Id")|};
                        migrationBuilder.Sql({|SM0008:{|SM0008:"ALTER TABLE orders ADD CONSTRAINT fk_b FOREIGN KEY (b_id) REFERENCES b, ADD CONSTRAINT fk_c FOREIGN KEY (c_id) REFERENCES c;"|}|});
            """),
            Migration(up: """
                        // Expand: add the foreign key NOT VALID: a brief lock and no scan; new and updated rows are checked at once.
                        migrationBuilder.AddForeignKeyNotValid(
                            name: "FK_A",
                            table: "Orders",
                            column: "AId",
                            principalTable: "A",
                            principalColumn: "Id");
                        // Verify: validate the existing rows after the migration's transaction commits, under SHARE UPDATE EXCLUSIVE (reads and writes continue).
                        migrationBuilder.ValidateConstraint(name: "FK_A", table: "Orders");
                        // Expand: add the foreign key NOT VALID: a brief lock and no scan; new and updated rows are checked at once.
                        migrationBuilder.Sql("ALTER TABLE orders ADD CONSTRAINT fk_b FOREIGN KEY (b_id) REFERENCES b NOT VALID, ADD CONSTRAINT fk_c FOREIGN KEY (c_id) REFERENCES c NOT VALID;");
                        // Verify: validate the existing rows after the migration's transaction commits, under SHARE UPDATE EXCLUSIVE (reads and writes continue).
                        migrationBuilder.ValidateConstraint(name: "fk_b", table: "orders");
                        migrationBuilder.ValidateConstraint(name: "fk_c", table: "orders");
            """));
}
