using System.Threading.Tasks;
using static SafeMigrations.Analyzers.Tests.Verifiers.MigrationSource;
using Verify = SafeMigrations.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<SafeMigrations.Analyzers.Rules.AlterColumnTypeRewritesTableAnalyzer>;

namespace SafeMigrations.Analyzers.Tests.Rules;

public class SM0007AlterColumnTypeRewritesTableTests
{
    [Fact]
    public async Task Int_to_bigint_is_flagged_with_message()
    {
        var source = Migration("""
                {|#0:migrationBuilder.AlterColumn<long>(
                    name: "Total",
                    table: "Orders",
                    type: "bigint",
                    nullable: false,
                    oldClrType: typeof(int),
                    oldType: "integer")|};
        """);
        await Verify.VerifyAnalyzerAsync(source, Verify.Diagnostic("SM0007").WithLocation(0).WithArguments("AlterColumn", "Total", "Orders", "from integer to bigint"));
    }

    [Fact]
    public async Task Rewriting_changes_are_flagged()
    {
        var source = Migration("""
                {|SM0007:migrationBuilder.AlterColumn<string>(name: "Code", table: "Orders", type: "character varying(100)", maxLength: 100, nullable: false, oldClrType: typeof(string), oldType: "character varying(200)", oldMaxLength: 200)|};
                {|SM0007:migrationBuilder.AlterColumn<string>(name: "Note", table: "Orders", type: "character varying(50)", maxLength: 50, nullable: true, oldClrType: typeof(string), oldType: "text", oldNullable: true)|};
                {|SM0007:migrationBuilder.AlterColumn<decimal>(name: "Price", table: "Products", type: "numeric(12,3)", precision: 12, scale: 3, nullable: false, oldClrType: typeof(decimal), oldType: "numeric(10,2)", oldPrecision: 10, oldScale: 2)|};
                {|SM0007:migrationBuilder.AlterColumn<int>(name: "Number", table: "Orders", type: "integer", nullable: false, oldClrType: typeof(string), oldType: "text")|};
                {|SM0007:migrationBuilder.AlterColumn<DateTime>(name: "At", table: "Orders", type: "timestamp with time zone", nullable: false, oldClrType: typeof(DateTime), oldType: "timestamp without time zone")|};
                {|SM0007:migrationBuilder.AlterColumn<DateTime>(name: "Seen", table: "Orders", type: "timestamp without time zone", nullable: false, oldClrType: typeof(DateTime), oldType: "timestamp with time zone")|};
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Missing_oldType_assumes_a_rewrite_unless_the_target_is_text_or_unbounded_varchar()
    {
        var source = Migration("""
                {|#0:migrationBuilder.AlterColumn<long>(name: "Total", table: "Orders", type: "bigint", nullable: false)|};
                migrationBuilder.AlterColumn<string>(name: "Note", table: "Orders", type: "text", nullable: true);
                migrationBuilder.AlterColumn<string>(name: "Memo", table: "Orders", type: "character varying", nullable: true);
                migrationBuilder.AlterColumn<string>(name: "Name", table: "Orders", nullable: true);
                migrationBuilder.AlterColumn<string>(name: "Other", table: "Orders", type: "bigint", oldType: GetOldType());
        """, members: """
                private static string GetOldType() => "bigint";
        """);
        await Verify.VerifyAnalyzerAsync(source, Verify.Diagnostic("SM0007").WithLocation(0).WithArguments(
            "AlterColumn", "Total", "Orders", "to bigint without oldType (the old type is unknown, so a rewrite is assumed)"));
    }

    [Fact]
    public async Task Raw_type_changes_are_flagged()
    {
        var source = Migration("""
                migrationBuilder.Sql({|SM0007:"ALTER TABLE orders ALTER COLUMN total TYPE bigint;"|});
                migrationBuilder.Sql({|SM0007:"ALTER TABLE orders ALTER COLUMN total SET DATA TYPE numeric(12,3)"|});
                migrationBuilder.Sql({|SM0007:"ALTER TABLE orders ALTER COLUMN number TYPE integer USING number::integer"|});
                migrationBuilder.Sql({|SM0007:"ALTER TABLE orders ALTER COLUMN note TYPE text USING upper(note)"|});
                migrationBuilder.Sql({|SM0007:"ALTER TABLE orders ALTER COLUMN note TYPE text USING note || ''"|});
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Using_that_only_casts_the_column_is_judged_like_no_using()
    {
        var source = Migration("""
                migrationBuilder.Sql("ALTER TABLE invoices ALTER COLUMN \"Number\" TYPE text USING \"Number\"::text;");
                migrationBuilder.Sql("ALTER TABLE invoices ALTER COLUMN note TYPE text USING CAST(note AS text)");
                migrationBuilder.Sql("ALTER TABLE invoices ALTER COLUMN note TYPE character varying USING note::varchar");
                migrationBuilder.Sql({|#0:"ALTER TABLE invoices ALTER COLUMN total TYPE bigint USING total::bigint"|});
        """);
        await Verify.VerifyAnalyzerAsync(
            source,
            Verify.Diagnostic("SM0007").WithLocation(0).WithArguments("ALTER COLUMN ... TYPE", "total", "invoices", "to bigint (the old type is unknown, so a rewrite is assumed)"));
    }

    [Fact]
    public async Task Safe_type_changes_are_not_flagged()
    {
        var source = Migration("""
                migrationBuilder.AlterColumn<string>(name: "Status", table: "Orders", type: "text", nullable: false, defaultValue: "", oldClrType: typeof(string), oldType: "text", oldNullable: true);
                migrationBuilder.AlterColumn<string>(name: "Email", table: "Users", type: "character varying(320)", maxLength: 320, nullable: false, oldClrType: typeof(string), oldType: "character varying(200)", oldMaxLength: 200);
                migrationBuilder.AlterColumn<string>(name: "Bio", table: "Users", type: "text", nullable: true, oldClrType: typeof(string), oldType: "character varying(500)", oldMaxLength: 500, oldNullable: true);
                migrationBuilder.AlterColumn<decimal>(name: "Price", table: "Products", type: "numeric(14,2)", precision: 14, scale: 2, nullable: false, oldClrType: typeof(decimal), oldType: "numeric(10,2)", oldPrecision: 10, oldScale: 2);
                migrationBuilder.AlterColumn<int>(name: "Count", table: "Orders", type: "integer", nullable: false, defaultValue: 0, oldClrType: typeof(int), oldType: "integer");
                migrationBuilder.AlterColumn<int>(name: "Legacy", table: "Orders", type: "int4", nullable: false, oldClrType: typeof(int), oldType: "integer");
                migrationBuilder.Sql("ALTER TABLE users ALTER COLUMN bio TYPE text; ALTER TABLE users ALTER COLUMN memo SET DATA TYPE varchar");
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task New_tables_and_small_tables_are_exempt()
    {
        var source = Migration("""
                migrationBuilder.CreateTable(
                    name: "Tags",
                    columns: table => new { Id = table.Column<int>(type: "integer", nullable: false) });
                migrationBuilder.AlterColumn<long>(name: "Id", table: "Tags", type: "bigint", nullable: false, oldClrType: typeof(int), oldType: "integer");
                migrationBuilder.Sql("CREATE TABLE audit (id int); ALTER TABLE audit ALTER COLUMN id TYPE bigint");
                migrationBuilder.AlterColumn<long>(name: "Id", table: "Countries", type: "bigint", nullable: false, oldClrType: typeof(int), oldType: "integer");
        """);
        await Verify.VerifyAnalyzerAsync(source, "safe_migrations.small_tables = countries");
    }

    [Fact]
    public async Task Down_reverting_Up_is_not_flagged_but_other_columns_are()
    {
        var source = Migration(
            up: """
                migrationBuilder.AlterColumn<string>(name: "Email", table: "Users", type: "character varying(320)", maxLength: 320, nullable: false, oldClrType: typeof(string), oldType: "character varying(200)", oldMaxLength: 200);
                migrationBuilder.Sql("ALTER TABLE users ALTER COLUMN bio TYPE text");
        """,
            down: """
                migrationBuilder.AlterColumn<string>(name: "Email", table: "Users", type: "character varying(200)", maxLength: 200, nullable: false, oldClrType: typeof(string), oldType: "character varying(320)", oldMaxLength: 320);
                migrationBuilder.Sql("ALTER TABLE users ALTER COLUMN bio TYPE varchar(500)");
                {|SM0007:migrationBuilder.AlterColumn<string>(name: "Name", table: "Users", type: "character varying(50)", maxLength: 50, nullable: false, oldClrType: typeof(string), oldType: "text")|};
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }
}
