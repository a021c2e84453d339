using System.Threading.Tasks;
using static SafeMigrations.Analyzers.Tests.Verifiers.MigrationSource;
using Verify = SafeMigrations.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<SafeMigrations.Analyzers.Rules.SetNotNullAnalyzer>;

namespace SafeMigrations.Analyzers.Tests.Rules;

public class SM0006SetNotNullTests
{
    private const string UpdateNote =
        ", and before it EF runs one UPDATE that sets every NULL to the default over the whole table, holding row locks until commit (backfill in batches instead)";

    [Fact]
    public async Task Nullable_to_required_is_flagged_with_message()
    {
        var source = Migration("""
                {|#0:migrationBuilder.AlterColumn<string>(
                    name: "Email",
                    table: "Users",
                    type: "text",
                    nullable: false,
                    oldClrType: typeof(string),
                    oldType: "text",
                    oldNullable: true)|};
        """);
        await Verify.VerifyAnalyzerAsync(source, Verify.Diagnostic("SM0006").WithLocation(0).WithArguments("AlterColumn", "Email", "Users", ""));
    }

    [Fact]
    public async Task Default_filling_update_is_mentioned()
    {
        var source = Migration("""
                {|#0:migrationBuilder.AlterColumn<string>(name: "Status", table: "Orders", type: "text", nullable: false, defaultValue: "", oldClrType: typeof(string), oldType: "text", oldNullable: true)|};
                {|#1:migrationBuilder.AlterColumn<DateTime>(name: "At", table: "Orders", type: "timestamp with time zone", nullable: false, defaultValueSql: "now()", oldClrType: typeof(DateTime), oldType: "timestamp with time zone", oldNullable: true)|};
        """);
        await Verify.VerifyAnalyzerAsync(
            source,
            Verify.Diagnostic("SM0006").WithLocation(0).WithArguments("AlterColumn", "Status", "Orders", UpdateNote),
            Verify.Diagnostic("SM0006").WithLocation(1).WithArguments("AlterColumn", "At", "Orders", UpdateNote));
    }

    [Fact]
    public async Task Omitted_nullable_means_required()
    {
        var source = Migration("""
                {|SM0006:migrationBuilder.AlterColumn<int>(name: "Count", table: "Orders", oldNullable: true)|};
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Raw_set_not_null_is_flagged()
    {
        var source = Migration("""
                migrationBuilder.Sql({|SM0006:"ALTER TABLE orders ALTER COLUMN status SET NOT NULL;"|});
                migrationBuilder.Sql({|SM0006:"ALTER TABLE \"Orders\" ALTER COLUMN \"Status\" TYPE text, ALTER COLUMN \"Status\" SET NOT NULL"|});
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Safe_look_alikes_are_not_flagged()
    {
        var source = Migration("""
                migrationBuilder.AlterColumn<string>(name: "Email", table: "Users", type: "text", nullable: true, oldClrType: typeof(string), oldType: "text");
                migrationBuilder.AlterColumn<string>(name: "Name", table: "Users", type: "text", nullable: true, oldClrType: typeof(string), oldType: "text", oldNullable: false);
                migrationBuilder.AlterColumn<bool>(name: "Active", table: "Users", type: "boolean", nullable: false, defaultValue: false, oldClrType: typeof(bool), oldType: "boolean", oldDefaultValue: true);
                migrationBuilder.AlterColumn<string>(name: "Code", table: "Users", type: "character varying(320)", maxLength: 320, nullable: false, oldClrType: typeof(string), oldType: "character varying(200)", oldMaxLength: 200);
                migrationBuilder.AlterColumn<int>(name: "Level", table: "Users", nullable: false, oldNullable: IsNullable());
                migrationBuilder.Sql("ALTER TABLE users ALTER COLUMN email DROP NOT NULL; ALTER TABLE users ALTER COLUMN active SET DEFAULT false");
        """, members: """
                private static bool IsNullable() => true;
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Validated_check_earlier_in_the_method_proves_not_null()
    {
        var source = Migration("""
                migrationBuilder.Sql("ALTER TABLE orders ADD CONSTRAINT ck_orders_status_nn CHECK (status IS NOT NULL) NOT VALID");
                migrationBuilder.Sql("ALTER TABLE orders VALIDATE CONSTRAINT ck_orders_status_nn");
                migrationBuilder.Sql("ALTER TABLE orders ALTER COLUMN status SET NOT NULL");
                migrationBuilder.Sql("ALTER TABLE orders DROP CONSTRAINT ck_orders_status_nn");

                migrationBuilder.Sql("ALTER TABLE \"Orders\" VALIDATE CONSTRAINT \"CK_Orders_Code_NotNull\"");
                migrationBuilder.AlterColumn<string>(name: "Code", table: "Orders", type: "text", nullable: false, oldClrType: typeof(string), oldType: "text", oldNullable: true);

                migrationBuilder.AddCheckConstraint(name: "CK_Users_Email", table: "Users", sql: "\"Email\" IS NOT NULL");
                migrationBuilder.AlterColumn<string>(name: "Email", table: "Users", type: "text", nullable: false, oldClrType: typeof(string), oldType: "text", oldNullable: true);

                migrationBuilder.Sql("ALTER TABLE items ADD CONSTRAINT ck_items_sku CHECK (sku IS NOT NULL); ALTER TABLE items ALTER COLUMN sku SET NOT NULL;");
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Checks_that_do_not_prove_the_column_are_no_proof()
    {
        var source = Migration("""
                migrationBuilder.Sql("ALTER TABLE orders ADD CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID");
                migrationBuilder.Sql("ALTER TABLE orders VALIDATE CONSTRAINT fk_orders_customer");
                migrationBuilder.Sql({|SM0006:"ALTER TABLE orders ALTER COLUMN status SET NOT NULL"|});
                migrationBuilder.Sql("ALTER TABLE orders ADD CONSTRAINT ck_orders_a CHECK (a IS NOT NULL OR b IS NOT NULL)");
                migrationBuilder.Sql({|SM0006:"ALTER TABLE orders ALTER COLUMN a SET NOT NULL"|});
                migrationBuilder.Sql("ALTER TABLE orders ADD CONSTRAINT ck_orders_c CHECK (c IS NOT NULL) NOT VALID");
                migrationBuilder.Sql({|SM0006:"ALTER TABLE orders ALTER COLUMN c SET NOT NULL"|});
                migrationBuilder.Sql({|SM0006:"ALTER TABLE items ALTER COLUMN d SET NOT NULL"|});
                migrationBuilder.Sql("ALTER TABLE items VALIDATE CONSTRAINT ck_items_d");
                migrationBuilder.AddCheckConstraint(name: "CK_Orders_E", table: "Orders", sql: "\"E\" IS NOT NULL");
                {|SM0006:migrationBuilder.AlterColumn<string>(name: "E", table: "Orders", type: "text", nullable: false, defaultValue: "", oldClrType: typeof(string), oldType: "text", oldNullable: true)|};
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Before_postgres_12_a_validated_check_is_no_proof()
    {
        var source = Migration("""
                migrationBuilder.Sql("ALTER TABLE orders VALIDATE CONSTRAINT ck_orders_status_nn");
                migrationBuilder.Sql({|SM0006:"ALTER TABLE orders ALTER COLUMN status SET NOT NULL"|});
        """);
        await Verify.VerifyAnalyzerAsync(source, "safe_migrations.postgres_version = 11");
    }

    [Fact]
    public async Task New_tables_and_small_tables_are_exempt()
    {
        var source = Migration("""
                migrationBuilder.CreateTable(
                    name: "Tags",
                    columns: table => new { Name = table.Column<string>(type: "text", nullable: true) });
                migrationBuilder.AlterColumn<string>(name: "Name", table: "Tags", type: "text", nullable: false, oldClrType: typeof(string), oldType: "text", oldNullable: true);
                migrationBuilder.Sql("CREATE TABLE audit (id int); ALTER TABLE audit ALTER COLUMN id SET NOT NULL");
                migrationBuilder.AlterColumn<string>(name: "Code", table: "Countries", type: "text", nullable: false, oldClrType: typeof(string), oldType: "text", oldNullable: true);
        """);
        await Verify.VerifyAnalyzerAsync(source, "safe_migrations.small_tables = countries");
    }

    [Fact]
    public async Task Down_reverting_Up_is_not_flagged_but_other_columns_are()
    {
        var source = Migration(
            up: """
                migrationBuilder.AlterColumn<string>(name: "Email", table: "Users", type: "text", nullable: true, oldClrType: typeof(string), oldType: "text");
                migrationBuilder.Sql("ALTER TABLE users ALTER COLUMN phone DROP NOT NULL");
        """,
            down: """
                migrationBuilder.AlterColumn<string>(name: "Email", table: "Users", type: "text", nullable: false, defaultValue: "", oldClrType: typeof(string), oldType: "text", oldNullable: true);
                migrationBuilder.Sql("ALTER TABLE users ALTER COLUMN phone SET NOT NULL");
                {|SM0006:migrationBuilder.AlterColumn<string>(name: "Name", table: "Users", type: "text", nullable: false, oldClrType: typeof(string), oldType: "text", oldNullable: true)|};
                migrationBuilder.Sql({|SM0006:"ALTER TABLE users ALTER COLUMN city SET NOT NULL"|});
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }
}
