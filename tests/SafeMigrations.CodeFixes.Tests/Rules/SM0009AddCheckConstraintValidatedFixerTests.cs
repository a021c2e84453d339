using System.Threading.Tasks;
using static SafeMigrations.Analyzers.Tests.Verifiers.MigrationSource;
using Verify = SafeMigrations.CodeFixes.Tests.Verifiers.CSharpCodeFixVerifier<SafeMigrations.CodeFixes.Rules.AddCheckConstraintValidatedFixer>;

namespace SafeMigrations.CodeFixes.Tests.Rules;

public class SM0009AddCheckConstraintValidatedFixerTests
{
    [Fact]
    public Task AddCheckConstraint_becomes_not_valid_plus_validate() =>
        Verify.VerifyCodeFixAsync(
            Migration(up: """
                        {|SM0009:migrationBuilder.AddCheckConstraint(
                            name: "CK_Products_Price",
                            table: "Products",
                            sql: "\"Price\" >= 0",
                            schema: "shop")|};
            """),
            Migration(up: """
                        // Expand: add the check constraint NOT VALID: a brief lock and no scan; new and updated rows are checked at once.
                        migrationBuilder.AddCheckConstraintNotValid(
                            name: "CK_Products_Price",
                            table: "Products",
                            sql: "\"Price\" >= 0",
                            schema: "shop");
                        // Verify: validate the existing rows after the migration's transaction commits, under SHARE UPDATE EXCLUSIVE (reads and writes continue).
                        migrationBuilder.ValidateConstraint(name: "CK_Products_Price", table: "Products", schema: "shop");
            """));

    [Fact]
    public Task Raw_named_check_gets_not_valid_and_a_separate_validation() =>
        Verify.VerifyCodeFixAsync(
            Migration(up: """
                        migrationBuilder.Sql({|SM0009:@"ALTER TABLE ""Products"" ADD CONSTRAINT ""CK_Price"" CHECK (""Price"" >= 0);"|});
            """),
            Migration(up: """
                        // Expand: add the check constraint NOT VALID: a brief lock and no scan; new and updated rows are checked at once.
                        migrationBuilder.Sql(@"ALTER TABLE ""Products"" ADD CONSTRAINT ""CK_Price"" CHECK (""Price"" >= 0) NOT VALID;");
                        // Verify: validate the existing rows after the migration's transaction commits, under SHARE UPDATE EXCLUSIVE (reads and writes continue).
                        migrationBuilder.ValidateConstraint(name: "CK_Price", table: "Products");
            """));

    [Fact]
    public Task Raw_unnamed_checks_get_the_names_PostgreSQL_would_give_them() =>
        Verify.VerifyCodeFixAsync(
            Migration(up: """
                        migrationBuilder.Sql({|SM0009:{|SM0009:"ALTER TABLE products ADD CHECK (price >= 0), ADD CHECK (lower(sku) <> sku OR price > 0);"|}|});
            """),
            Migration(up: """
                        // Expand: add the check constraint NOT VALID: a brief lock and no scan; new and updated rows are checked at once.
                        migrationBuilder.Sql("ALTER TABLE products ADD CONSTRAINT products_price_check CHECK (price >= 0) NOT VALID, ADD CONSTRAINT products_check CHECK (lower(sku) <> sku OR price > 0) NOT VALID;");
                        // Verify: validate the existing rows after the migration's transaction commits, under SHARE UPDATE EXCLUSIVE (reads and writes continue).
                        migrationBuilder.ValidateConstraint(name: "products_price_check", table: "products");
                        migrationBuilder.ValidateConstraint(name: "products_check", table: "products");
            """));

    [Fact]
    public Task Inline_check_on_add_column_is_split_into_a_not_valid_table_constraint() =>
        Verify.VerifyCodeFixAsync(
            Migration(up: """
                        migrationBuilder.Sql({|SM0009:"ALTER TABLE products ADD COLUMN stock integer NOT NULL DEFAULT 0 CONSTRAINT ck_stock CHECK (stock >= 0);"|});
            """),
            Migration(up: """
                        // Expand: add the check constraint NOT VALID: a brief lock and no scan; new and updated rows are checked at once.
                        migrationBuilder.Sql("ALTER TABLE products ADD COLUMN stock integer NOT NULL DEFAULT 0, ADD CONSTRAINT ck_stock CHECK (stock >= 0) NOT VALID;");
                        // Verify: validate the existing rows after the migration's transaction commits, under SHARE UPDATE EXCLUSIVE (reads and writes continue).
                        migrationBuilder.ValidateConstraint(name: "ck_stock", table: "products");
            """));

    [Fact]
    public Task Validate_in_a_suppressed_call_with_its_add_moves_to_its_own_step() =>
        Verify.VerifyCodeFixAsync(
            Migration(up: """
                        migrationBuilder.Sql({|SM0009:"ALTER TABLE products ADD CONSTRAINT ck_price CHECK (price >= 0) NOT VALID; ALTER TABLE products VALIDATE CONSTRAINT ck_price, ALTER COLUMN price SET DEFAULT 0;"|}, suppressTransaction: true);
            """),
            Migration(up: """
                        migrationBuilder.Sql(@"ALTER TABLE products ADD CONSTRAINT ck_price CHECK (price >= 0) NOT VALID;
                        ALTER TABLE products ALTER COLUMN price SET DEFAULT 0;", suppressTransaction: true);
                        // Verify: validate the existing rows after the migration's transaction commits, under SHARE UPDATE EXCLUSIVE (reads and writes continue).
                        migrationBuilder.ValidateConstraint(name: "ck_price", table: "products");
            """));
}
