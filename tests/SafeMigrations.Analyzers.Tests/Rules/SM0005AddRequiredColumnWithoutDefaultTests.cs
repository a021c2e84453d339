using System.Threading.Tasks;
using static SafeMigrations.Analyzers.Tests.Verifiers.MigrationSource;
using Verify = SafeMigrations.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<SafeMigrations.Analyzers.Rules.AddRequiredColumnWithoutDefaultAnalyzer>;

namespace SafeMigrations.Analyzers.Tests.Rules;

public class SM0005AddRequiredColumnWithoutDefaultTests
{
    [Fact]
    public async Task Required_column_without_default_is_flagged_with_message()
    {
        var source = Migration("""
                {|#0:migrationBuilder.AddColumn<string>(
                    name: "Status",
                    table: "Orders",
                    type: "text",
                    nullable: false)|};
        """);
        await Verify.VerifyAnalyzerAsync(source, Verify.Diagnostic("SM0005").WithLocation(0).WithArguments("AddColumn 'Status'", "Orders"));
    }

    [Fact]
    public async Task Omitted_nullable_means_required()
    {
        var source = Migration("""
                {|SM0005:migrationBuilder.AddColumn<int>(name: "Count", table: "Orders")|};
                {|SM0005:migrationBuilder.AddColumn<int>("Total", "Orders", "integer")|};
                {|SM0005:migrationBuilder.AddColumn<string>(name: "Code", table: "Orders", type: "text", nullable: false, defaultValue: null, defaultValueSql: "NULL")|};
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Raw_not_null_without_default_is_flagged()
    {
        var source = Migration("""
                migrationBuilder.Sql({|SM0005:"ALTER TABLE orders ADD COLUMN status text NOT NULL;"|});
                migrationBuilder.Sql({|SM0005:"ALTER TABLE orders ADD COLUMN code text DEFAULT NULL NOT NULL"|});
                migrationBuilder.Sql({|SM0005:"ALTER TABLE orders ADD COLUMN note text, ADD COLUMN kind int NOT NULL"|});
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Nullable_defaulted_and_generated_columns_are_not_flagged()
    {
        var source = Migration("""
                migrationBuilder.AddColumn<string>(name: "Note", table: "Orders", type: "text", nullable: true);
                migrationBuilder.AddColumn<string>(name: "Status", table: "Orders", type: "text", nullable: false, defaultValue: "");
                migrationBuilder.AddColumn<int>(name: "Count", table: "Orders", type: "integer", nullable: false, defaultValue: 0);
                migrationBuilder.AddColumn<bool>(name: "Active", table: "Orders", type: "boolean", nullable: false, defaultValue: false);
                migrationBuilder.AddColumn<DateTime>(name: "At", table: "Orders", type: "timestamp with time zone", nullable: false, defaultValue: new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified));
                migrationBuilder.AddColumn<DateTime>(name: "Created", table: "Orders", type: "timestamp with time zone", nullable: false, defaultValueSql: "now()");
                migrationBuilder.AddColumn<decimal>(name: "Total", table: "Orders", type: "numeric", nullable: false, computedColumnSql: "\"Price\" * 2", stored: true);
                migrationBuilder.AddColumn<long>(name: "Seq", table: "Orders", type: "bigint", nullable: false)
                    .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn);
                migrationBuilder.AddColumn<int>(name: "Number", table: "Orders", type: "serial", nullable: false);
                migrationBuilder.AddColumn<int>(name: "Level", table: "Orders", type: "integer", nullable: false, defaultValue: GetLevel());
                migrationBuilder.AddColumn<int>(name: "Maybe", table: "Orders", type: "integer", nullable: IsOptional());
                migrationBuilder.Sql("ALTER TABLE orders ADD COLUMN a text NOT NULL DEFAULT '', ADD COLUMN b int, ADD COLUMN c bigint GENERATED ALWAYS AS IDENTITY, ADD COLUMN d serial NOT NULL, ADD COLUMN e int NOT NULL GENERATED ALWAYS AS (1) STORED");
        """, members: """
                private static int GetLevel() => 1;
                private static bool IsOptional() => false;
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Columns_on_a_table_created_earlier_are_not_flagged()
    {
        var source = Migration("""
                migrationBuilder.CreateTable(
                    name: "Tags",
                    columns: table => new { Id = table.Column<int>(type: "integer", nullable: false) });
                migrationBuilder.AddColumn<string>(name: "Name", table: "Tags", type: "text", nullable: false);
                migrationBuilder.Sql("CREATE TABLE audit (id int); ALTER TABLE audit ADD COLUMN kind text NOT NULL");
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Small_tables_and_contract_phase_do_not_exempt()
    {
        // A small table with one row still makes ADD COLUMN ... NOT NULL fail.
        var source = Migration("""
                {|SM0005:migrationBuilder.AddColumn<string>(name: "Iso3", table: "Countries", type: "text", nullable: false)|};
                {|SM0005:migrationBuilder.AddColumn<string>(name: "Iso2", table: "Countries", type: "text", nullable: false)|}.InContractPhase();
        """);
        await Verify.VerifyAnalyzerAsync(source, "safe_migrations.small_tables = countries");
    }

    [Fact]
    public async Task Down_readding_a_column_Up_dropped_is_not_flagged_but_other_adds_are()
    {
        var source = Migration(
            up: """
                migrationBuilder.DropColumn(name: "Legacy", table: "Orders").InContractPhase();
        """,
            down: """
                migrationBuilder.AddColumn<string>(name: "Legacy", table: "Orders", type: "text", nullable: false);
                {|SM0005:migrationBuilder.AddColumn<string>(name: "Other", table: "Orders", type: "text", nullable: false)|};
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }
}
