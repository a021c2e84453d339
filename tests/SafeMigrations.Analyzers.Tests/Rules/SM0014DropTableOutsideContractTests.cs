using System.Threading.Tasks;
using static SafeMigrations.Analyzers.Tests.Verifiers.MigrationSource;
using Verify = SafeMigrations.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<SafeMigrations.Analyzers.Rules.DropTableOutsideContractAnalyzer>;

namespace SafeMigrations.Analyzers.Tests.Rules;

public class SM0014DropTableOutsideContractTests
{
    [Fact]
    public async Task DropTable_is_flagged_with_message()
    {
        var source = Migration("""
                {|#0:migrationBuilder.DropTable(
                    name: "LegacyOrders")|};
                {|#1:migrationBuilder.DropTable(name: "AuditLog", schema: "audit")|};
        """);
        await Verify.VerifyAnalyzerAsync(
            source,
            Verify.Diagnostic("SM0014").WithLocation(0).WithArguments("table 'LegacyOrders'"),
            Verify.Diagnostic("SM0014").WithLocation(1).WithArguments("table 'audit.AuditLog'"));
    }

    [Fact]
    public async Task Raw_drop_table_forms_are_flagged()
    {
        var source = Migration("""
                migrationBuilder.Sql({|SM0014:"DROP TABLE legacy_orders;"|});
                migrationBuilder.Sql({|SM0014:"DROP TABLE IF EXISTS \"AuditLog\" CASCADE;"|});
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Raw_drop_of_several_tables_names_the_existing_ones()
    {
        var source = Migration("""
                migrationBuilder.Sql("CREATE TABLE scratch (id int);");
                migrationBuilder.Sql({|#0:"DROP TABLE IF EXISTS scratch, old_a, audit.old_b;"|});
        """);
        await Verify.VerifyAnalyzerAsync(source, Verify.Diagnostic("SM0014").WithLocation(0).WithArguments("tables 'old_a', 'audit.old_b'"));
    }

    [Fact]
    public async Task Contract_phase_is_not_flagged()
    {
        var source = Migration("""
                migrationBuilder.DropTable(name: "LegacyOrders").InContractPhase();
                migrationBuilder.Sql("DROP TABLE legacy_orders;").InContractPhase();
                {|SM0014:migrationBuilder.DropTable(name: "Other")|};
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Contract_phase_class_is_not_flagged()
    {
        var source = Migration(
            up: """
                migrationBuilder.DropTable(name: "LegacyOrders");
                migrationBuilder.Sql("DROP TABLE legacy_orders;");
        """,
            classAttributes: "[ContractPhase]");
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Down_dropping_the_tables_its_Up_created_is_not_flagged()
    {
        // The shape of every generated "create table" migration: Down drops what Up created.
        var source = Migration(
            up: """
                migrationBuilder.CreateTable(
                    name: "Tags",
                    columns: table => new
                    {
                        Id = table.Column<int>(type: "integer", nullable: false)
                            .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                        Name = table.Column<string>(type: "text", nullable: false)
                    },
                    constraints: table =>
                    {
                        table.PrimaryKey("PK_Tags", x => x.Id);
                    });
                migrationBuilder.CreateTable(
                    name: "Notes",
                    schema: "crm",
                    columns: table => new { Id = table.Column<int>(type: "integer", nullable: false) });
                migrationBuilder.Sql("CREATE TABLE outbox (id bigint PRIMARY KEY); CREATE TABLE inbox (id bigint);");
        """,
            down: """
                migrationBuilder.DropTable(name: "Tags");
                migrationBuilder.DropTable(name: "Notes", schema: "crm");
                migrationBuilder.Sql("DROP TABLE outbox, inbox;");
                {|SM0014:migrationBuilder.DropTable(name: "Customers")|};
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Up_dropping_a_table_and_Down_recreating_it_flags_only_Up()
    {
        var source = Migration(
            up: """
                {|SM0014:migrationBuilder.DropTable(name: "Legacy")|};
        """,
            down: """
                migrationBuilder.CreateTable(
                    name: "Legacy",
                    columns: table => new { Id = table.Column<int>(type: "integer", nullable: false) });
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Table_created_earlier_in_the_same_method_is_not_flagged()
    {
        var source = Migration("""
                migrationBuilder.CreateTable(
                    name: "Staging",
                    columns: table => new { Id = table.Column<int>(type: "integer", nullable: false) });
                migrationBuilder.DropTable(name: "Staging");
                migrationBuilder.Sql("CREATE TEMP TABLE ids AS SELECT id FROM orders; DROP TABLE ids;");
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Drop_before_the_create_is_flagged()
    {
        var source = Migration("""
                {|SM0014:migrationBuilder.DropTable(name: "Staging")|};
                migrationBuilder.CreateTable(
                    name: "Staging",
                    columns: table => new { Id = table.Column<int>(type: "integer", nullable: false) });
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Small_tables_are_not_exempt()
    {
        var source = Migration("""
                {|SM0014:migrationBuilder.DropTable(name: "Countries")|};
        """);
        await Verify.VerifyAnalyzerAsync(source, "safe_migrations.small_tables = countries");
    }

    [Fact]
    public async Task Safe_look_alikes_are_not_flagged()
    {
        var source = Migration("""
                migrationBuilder.DropIndex(name: "IX_Orders_Code", table: "Orders");
                migrationBuilder.DropColumn(name: "Legacy", table: "Orders");
                migrationBuilder.Sql("DROP VIEW IF EXISTS order_totals; DROP TRIGGER IF EXISTS trg ON orders; DROP FUNCTION IF EXISTS f();");
                migrationBuilder.Sql("-- DROP TABLE orders\nSELECT 1;");
                migrationBuilder.Sql("CREATE FUNCTION cleanup() RETURNS void LANGUAGE sql AS $body$ DROP TABLE tmp_data; $body$;");
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }
}
