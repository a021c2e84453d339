using System.Threading.Tasks;
using static SafeMigrations.Analyzers.Tests.Verifiers.MigrationSource;
using Verify = SafeMigrations.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<SafeMigrations.Analyzers.Rules.AddCheckConstraintValidatedAnalyzer>;

namespace SafeMigrations.Analyzers.Tests.Rules;

public class SM0009AddCheckConstraintValidatedTests
{
    [Fact]
    public async Task AddCheckConstraint_on_existing_table_is_flagged_with_message()
    {
        var source = Migration(
            up: """
                {|#0:migrationBuilder.AddCheckConstraint(
                    name: "CK_Products_Price",
                    table: "Products",
                    sql: "\"Price\" > 0")|};
                {|SM0009:migrationBuilder.AddCheckConstraint("CK_Lines_Qty", "Lines", "\"Quantity\" > 0", "sales")|};
        """,
            down: """
                migrationBuilder.DropCheckConstraint(name: "CK_Products_Price", table: "Products");
                migrationBuilder.DropCheckConstraint(name: "CK_Lines_Qty", table: "Lines", schema: "sales");
        """);
        await Verify.VerifyAnalyzerAsync(source, Verify.Diagnostic("SM0009").WithLocation(0).WithArguments("AddCheckConstraint 'CK_Products_Price'", "Products"));
    }

    [Fact]
    public async Task Raw_check_without_not_valid_is_flagged()
    {
        var source = Migration("""
                migrationBuilder.Sql({|#0:"ALTER TABLE products ADD CONSTRAINT ck_products_price CHECK (price > 0);"|});
                migrationBuilder.Sql({|SM0009:"ALTER TABLE ONLY products ADD CHECK (price < 1000000)"|});
                migrationBuilder.Sql({|SM0009:@"ALTER TABLE ""Orders"" ADD CONSTRAINT ""CK_Orders_Status"" CHECK (""Status"" IN ('new', 'paid')) NO INHERIT"|});
        """);
        await Verify.VerifyAnalyzerAsync(source, Verify.Diagnostic("SM0009").WithLocation(0).WithArguments("ADD CONSTRAINT 'ck_products_price' CHECK", "products"));
    }

    [Fact]
    public async Task Inline_check_on_a_new_column_of_an_existing_table_is_flagged()
    {
        // The new column's check is evaluated against every existing row under ACCESS EXCLUSIVE.
        var source = Migration("""
                migrationBuilder.Sql({|#0:"ALTER TABLE orders ADD COLUMN discount numeric CHECK (discount >= 0);"|});
                migrationBuilder.Sql({|SM0009:"ALTER TABLE orders ADD COLUMN qty int NOT NULL DEFAULT 1 CONSTRAINT ck_qty CHECK (qty > 0)"|});
                migrationBuilder.Sql("ALTER TABLE orders ADD COLUMN note text;");
        """);
        await Verify.VerifyAnalyzerAsync(source, Verify.Diagnostic("SM0009").WithLocation(0).WithArguments("ADD COLUMN 'discount' ... CHECK", "orders"));
    }

    [Fact]
    public async Task Not_valid_alone_and_validate_alone_are_not_flagged()
    {
        var source = Migration("""
                migrationBuilder.Sql("ALTER TABLE orders ADD CONSTRAINT ck_orders_total CHECK (total >= 0) NOT VALID;");
                migrationBuilder.Sql("ALTER TABLE orders VALIDATE CONSTRAINT ck_orders_qty;");
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Not_valid_then_validate_in_the_same_transaction_is_flagged()
    {
        var source = Migration("""
                migrationBuilder.Sql("ALTER TABLE orders ADD CONSTRAINT ck_orders_qty CHECK (quantity > 0) NOT VALID;");
                migrationBuilder.Sql({|#0:"ALTER TABLE orders VALIDATE CONSTRAINT ck_orders_qty;"|});
                migrationBuilder.Sql({|SM0009:@"
                    ALTER TABLE customers ADD CONSTRAINT ck_email_not_null CHECK (email IS NOT NULL) NOT VALID;
                    ALTER TABLE customers VALIDATE CONSTRAINT ck_email_not_null;"|});
        """);
        await Verify.VerifyAnalyzerAsync(source, Verify.Diagnostic("SM0009").WithLocation(0).WithArguments(
            "VALIDATE CONSTRAINT 'ck_orders_qty' in the same transaction as its ADD ... NOT VALID", "orders"));
    }

    [Fact]
    public async Task Validate_in_its_own_transaction_is_not_flagged()
    {
        var source = Migration("""
                migrationBuilder.Sql("ALTER TABLE customers ADD CONSTRAINT ck_email_not_null CHECK (email IS NOT NULL) NOT VALID;");
                migrationBuilder.Sql("ALTER TABLE customers VALIDATE CONSTRAINT ck_email_not_null;", suppressTransaction: true);
                migrationBuilder.Sql("ALTER TABLE orders ADD CONSTRAINT ck_a CHECK (a > 0) NOT VALID; ALTER TABLE orders DROP CONSTRAINT ck_a;");
                migrationBuilder.Sql("ALTER TABLE orders VALIDATE CONSTRAINT ck_a;");
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Validate_after_a_commit_in_the_sql_text_is_not_flagged()
    {
        var source = Migration("""
                migrationBuilder.Sql(@"
                    ALTER TABLE customers ADD CONSTRAINT ck_email_not_null CHECK (email IS NOT NULL) NOT VALID;
                    COMMIT;
                    BEGIN;
                    ALTER TABLE customers VALIDATE CONSTRAINT ck_email_not_null;
                    COMMIT;", suppressTransaction: true);
                migrationBuilder.Sql("ALTER TABLE orders ADD CONSTRAINT ck_a CHECK (a > 0) NOT VALID; END; ALTER TABLE orders VALIDATE CONSTRAINT ck_a;");
                migrationBuilder.Sql("BEGIN; ALTER TABLE lines ADD CONSTRAINT ck_l CHECK (l > 0) NOT VALID; ROLLBACK;");
                migrationBuilder.Sql("ALTER TABLE lines VALIDATE CONSTRAINT ck_l;");
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Begin_savepoint_or_rollback_to_savepoint_do_not_end_the_lock()
    {
        var source = Migration("""
                migrationBuilder.Sql({|SM0009:"ALTER TABLE orders ADD CONSTRAINT ck_a CHECK (a > 0) NOT VALID; BEGIN; ALTER TABLE orders VALIDATE CONSTRAINT ck_a;"|});
                migrationBuilder.Sql({|SM0009:"ALTER TABLE lines ADD CONSTRAINT ck_l CHECK (l > 0) NOT VALID; SAVEPOINT s; ROLLBACK TO SAVEPOINT s; ALTER TABLE lines VALIDATE CONSTRAINT ck_l;"|});
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Foreign_key_validation_is_not_reported_as_a_check()
    {
        var source = Migration("""
                migrationBuilder.Sql("ALTER TABLE orders ADD CONSTRAINT fk_s FOREIGN KEY (s) REFERENCES stores (id) NOT VALID;");
                migrationBuilder.Sql("ALTER TABLE orders VALIDATE CONSTRAINT fk_s;");
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Checks_on_new_tables_and_drops_are_not_flagged()
    {
        var source = Migration("""
                migrationBuilder.CreateTable(
                    name: "Coupons",
                    columns: table => new
                    {
                        Id = table.Column<int>(type: "integer", nullable: false),
                        Code = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false)
                    },
                    constraints: table =>
                    {
                        table.PrimaryKey("PK_Coupons", x => x.Id);
                        table.CheckConstraint("CK_Coupons_Id", "\"Id\" > 0");
                    });
                migrationBuilder.AddCheckConstraint(name: "CK_Coupons_Code", table: "Coupons", sql: "length(\"Code\") > 3");
                migrationBuilder.Sql("CREATE TABLE staging (id int CHECK (id > 0)); ALTER TABLE staging ADD CONSTRAINT ck_s CHECK (id < 10);");
                migrationBuilder.Sql("ALTER TABLE staging ADD COLUMN n int CHECK (n > 0);");
                migrationBuilder.DropCheckConstraint(name: "CK_Products_Price", table: "Products");
                migrationBuilder.Sql("ALTER TABLE products DROP CONSTRAINT IF EXISTS ck_products_price;");
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Small_tables_are_exempt_and_down_checks_unrelated_to_up_are_flagged()
    {
        var source = Migration(
            up: """
                migrationBuilder.AddCheckConstraint(name: "CK_Countries_Code", table: "Countries", sql: "length(\"Code\") = 2");
                migrationBuilder.Sql("ALTER TABLE countries ADD CONSTRAINT ck_c CHECK (length(code) = 2);");
        """,
            down: """
                migrationBuilder.DropCheckConstraint(name: "CK_Countries_Code", table: "Countries");
                {|SM0009:migrationBuilder.AddCheckConstraint(name: "CK_Orders_Total", table: "Orders", sql: "\"Total\" >= 0")|};
        """);
        await Verify.VerifyAnalyzerAsync(source, "safe_migrations.small_tables = countries");
    }
}
