using System.Threading.Tasks;
using static SafeMigrations.Analyzers.Tests.Verifiers.MigrationSource;
using Verify = SafeMigrations.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<SafeMigrations.Analyzers.Rules.DropColumnOutsideContractAnalyzer>;

namespace SafeMigrations.Analyzers.Tests.Rules;

public class SM0013DropColumnOutsideContractTests
{
    [Fact]
    public async Task DropColumn_is_flagged_with_message()
    {
        var source = Migration("""
                {|#0:migrationBuilder.DropColumn(
                    name: "LegacyName",
                    table: "Customers")|};
        """);
        await Verify.VerifyAnalyzerAsync(source, Verify.Diagnostic("SM0013").WithLocation(0).WithArguments("column 'LegacyName'", "Customers"));
    }

    [Fact]
    public async Task DropColumn_positional_and_with_schema_is_flagged()
    {
        var source = Migration("""
                {|#0:migrationBuilder.DropColumn("Notes", "Orders", "sales")|};
        """);
        await Verify.VerifyAnalyzerAsync(source, Verify.Diagnostic("SM0013").WithLocation(0).WithArguments("column 'Notes'", "sales.Orders"));
    }

    [Fact]
    public async Task Raw_drop_column_forms_are_flagged()
    {
        var source = Migration("""
                migrationBuilder.Sql({|SM0013:"ALTER TABLE orders DROP COLUMN legacy;"|});
                migrationBuilder.Sql({|SM0013:"ALTER TABLE IF EXISTS \"Orders\" DROP COLUMN IF EXISTS \"Legacy\" CASCADE;"|});
                migrationBuilder.Sql({|SM0013:"ALTER TABLE ONLY orders DROP notes"|});
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Several_raw_drops_in_one_statement_give_one_diagnostic_naming_them()
    {
        var source = Migration("""
                migrationBuilder.Sql({|#0:"ALTER TABLE orders DROP COLUMN a, DROP COLUMN b, ADD COLUMN c int;"|});
        """);
        await Verify.VerifyAnalyzerAsync(source, Verify.Diagnostic("SM0013").WithLocation(0).WithArguments("columns 'a', 'b'", "orders"));
    }

    [Fact]
    public async Task Contract_phase_is_not_flagged()
    {
        var source = Migration("""
                migrationBuilder.DropColumn(name: "LegacyName", table: "Customers").InContractPhase();
                migrationBuilder.Sql("ALTER TABLE orders DROP COLUMN legacy;").InContractPhase();
                migrationBuilder.DropColumn(name: "Old", table: "Customers")
                    .Annotation("SafeMigrations:Phase", "Contract");
                {|SM0013:migrationBuilder.DropColumn(name: "Other", table: "Customers")|};
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Contract_phase_class_is_not_flagged()
    {
        var source = Migration(
            up: """
                migrationBuilder.DropColumn(name: "LegacyName", table: "Customers");
                migrationBuilder.Sql("ALTER TABLE orders DROP COLUMN legacy;");
        """,
            classAttributes: "[ContractPhase]");
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Down_dropping_the_column_its_Up_added_is_not_flagged()
    {
        var source = Migration(
            up: """
                migrationBuilder.AddColumn<string>(name: "Nickname", table: "Customers", type: "text", nullable: true);
                migrationBuilder.Sql("ALTER TABLE orders ADD COLUMN note text;");
        """,
            down: """
                migrationBuilder.DropColumn(name: "Nickname", table: "Customers");
                migrationBuilder.Sql("ALTER TABLE orders DROP COLUMN note;");
                {|SM0013:migrationBuilder.DropColumn(name: "Email", table: "Customers")|};
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Up_dropping_a_column_and_Down_adding_it_back_flags_only_Up()
    {
        // EF's generated pair: Up drops, Down re-adds. The re-add is not a drop.
        var source = Migration(
            up: """
                {|SM0013:migrationBuilder.DropColumn(name: "Fax", table: "Customers")|};
        """,
            down: """
                migrationBuilder.AddColumn<string>(name: "Fax", table: "Customers", type: "text", nullable: true);
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Column_of_a_table_created_earlier_is_not_flagged()
    {
        var source = Migration("""
                migrationBuilder.CreateTable(
                    name: "Tags",
                    columns: table => new
                    {
                        Id = table.Column<int>(type: "integer", nullable: false),
                        Tmp = table.Column<string>(type: "text", nullable: true)
                    });
                migrationBuilder.DropColumn(name: "Tmp", table: "Tags");
                migrationBuilder.Sql("CREATE TABLE staging (id int, junk text); ALTER TABLE staging DROP COLUMN junk;");
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Small_tables_are_not_exempt()
    {
        var source = Migration("""
                {|SM0013:migrationBuilder.DropColumn(name: "Code", table: "Countries")|};
                migrationBuilder.Sql({|SM0013:"ALTER TABLE countries DROP COLUMN code;"|});
        """);
        await Verify.VerifyAnalyzerAsync(source, "safe_migrations.small_tables = countries");
    }

    [Fact]
    public async Task Safe_look_alikes_are_not_flagged()
    {
        var source = Migration("""
                migrationBuilder.DropIndex(name: "IX_Orders_Code", table: "Orders");
                migrationBuilder.DropForeignKey(name: "FK_Orders_Customers", table: "Orders");
                migrationBuilder.AlterColumn<string>(name: "Status", table: "Orders", type: "text", nullable: true, oldClrType: typeof(string), oldType: "text");
                migrationBuilder.Sql("ALTER TABLE orders DROP CONSTRAINT ck_total, ALTER COLUMN status DROP DEFAULT, ALTER COLUMN note DROP NOT NULL;");
                migrationBuilder.Sql("-- ALTER TABLE orders DROP COLUMN legacy\nSELECT 1;");
                migrationBuilder.Sql("COMMENT ON COLUMN orders.legacy IS 'ALTER TABLE orders DROP COLUMN legacy';");
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }
}
