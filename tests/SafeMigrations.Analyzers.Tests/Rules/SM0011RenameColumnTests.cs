using System.Threading.Tasks;
using static SafeMigrations.Analyzers.Tests.Verifiers.MigrationSource;
using Verify = SafeMigrations.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<SafeMigrations.Analyzers.Rules.RenameColumnAnalyzer>;

namespace SafeMigrations.Analyzers.Tests.Rules;

public class SM0011RenameColumnTests
{
    [Fact]
    public async Task RenameColumn_is_flagged_with_message_and_its_down_rename_back_is_not()
    {
        var source = Migration(
            up: """
                {|#0:migrationBuilder.RenameColumn(
                    name: "Name",
                    table: "Customers",
                    newName: "FullName")|};
                {|SM0011:migrationBuilder.RenameColumn("Qty", "Lines", "Quantity", "sales")|};
        """,
            down: """
                migrationBuilder.RenameColumn(
                    name: "FullName",
                    table: "Customers",
                    newName: "Name");
                migrationBuilder.RenameColumn(name: "Quantity", table: "Lines", newName: "Qty", schema: "sales");
        """);
        await Verify.VerifyAnalyzerAsync(source, Verify.Diagnostic("SM0011").WithLocation(0).WithArguments("RenameColumn", "Name", "Customers", "FullName"));
    }

    [Fact]
    public async Task Raw_rename_column_is_flagged_and_its_down_rename_back_is_not()
    {
        var source = Migration(
            up: """
                migrationBuilder.Sql({|#0:"ALTER TABLE customers RENAME COLUMN name TO full_name;"|});
                migrationBuilder.Sql({|SM0011:"ALTER TABLE \"Orders\" RENAME \"Total\" TO \"GrandTotal\""|});
        """,
            down: """
                migrationBuilder.Sql("ALTER TABLE customers RENAME COLUMN full_name TO name;");
                migrationBuilder.Sql("ALTER TABLE \"Orders\" RENAME COLUMN \"GrandTotal\" TO \"Total\"");
        """);
        await Verify.VerifyAnalyzerAsync(source, Verify.Diagnostic("SM0011").WithLocation(0).WithArguments("RENAME COLUMN", "name", "customers", "full_name"));
    }

    [Fact]
    public async Task Small_tables_are_not_exempt_and_a_down_rename_unrelated_to_up_is_flagged()
    {
        var source = Migration(
            up: """
                {|SM0011:migrationBuilder.RenameColumn(name: "Code", table: "Countries", newName: "IsoCode")|};
        """,
            down: """
                migrationBuilder.RenameColumn(name: "IsoCode", table: "Countries", newName: "Code");
                {|SM0011:migrationBuilder.RenameColumn(name: "Name", table: "Countries", newName: "Title")|};
        """);
        await Verify.VerifyAnalyzerAsync(source, "safe_migrations.small_tables = countries");
    }

    [Fact]
    public async Task Contract_phase_is_exempt()
    {
        var marked = Migration("""
                migrationBuilder.RenameColumn(name: "Name", table: "Customers", newName: "FullName").InContractPhase();
                migrationBuilder.RenameColumn(name: "Note", table: "Customers", newName: "Remark")
                    .Annotation("SafeMigrations:Phase", "Contract");
        """);
        await Verify.VerifyAnalyzerAsync(marked);

        var contractClass = Migration("""
                migrationBuilder.RenameColumn(name: "Name", table: "Customers", newName: "FullName");
                migrationBuilder.Sql("ALTER TABLE customers RENAME COLUMN note TO remark;");
        """, classAttributes: "[ContractPhase]");
        await Verify.VerifyAnalyzerAsync(contractClass);
    }

    [Fact]
    public async Task Columns_of_new_tables_and_columns_added_earlier_are_not_flagged()
    {
        var source = Migration("""
                migrationBuilder.CreateTable(
                    name: "Coupons",
                    columns: table => new
                    {
                        Id = table.Column<int>(type: "integer", nullable: false),
                        Code = table.Column<string>(type: "text", nullable: false)
                    });
                migrationBuilder.RenameColumn(name: "Code", table: "Coupons", newName: "CouponCode");
                migrationBuilder.Sql("CREATE TABLE staging (id int, v text); ALTER TABLE staging RENAME COLUMN v TO value;");
                migrationBuilder.AddColumn<string>(name: "Nick", table: "Customers", type: "text", nullable: true);
                migrationBuilder.RenameColumn(name: "Nick", table: "Customers", newName: "Nickname");
                migrationBuilder.Sql("ALTER TABLE orders ADD COLUMN tmp int; ALTER TABLE orders RENAME COLUMN tmp TO priority;");
                {|SM0011:migrationBuilder.RenameColumn(name: "Email", table: "Customers", newName: "EmailAddress")|};
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Index_constraint_and_table_renames_are_not_column_renames()
    {
        var source = Migration("""
                migrationBuilder.RenameIndex(name: "IX_Orders_CreatedAt", table: "Orders", newName: "IX_Orders_Created");
                migrationBuilder.RenameTable(name: "Carts", newName: "Baskets");
                migrationBuilder.RenameColumn(name: "Name", table: "Customers", newName: "Name");
                migrationBuilder.Sql("ALTER INDEX ix_a RENAME TO ix_b; ALTER TABLE orders RENAME CONSTRAINT ck_a TO ck_b; ALTER TABLE carts RENAME TO baskets;");
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }
}
