using System.Threading.Tasks;
using static SafeMigrations.Analyzers.Tests.Verifiers.MigrationSource;
using Verify = SafeMigrations.CodeFixes.Tests.Verifiers.CSharpCodeFixVerifier<SafeMigrations.CodeFixes.Rules.SetNotNullFixer>;

namespace SafeMigrations.CodeFixes.Tests.Rules;

public class SM0006SetNotNullFixerTests
{
    private const string DownDropNotNull = """"
                        migrationBuilder.AlterColumn<string>(
                            name: "Email",
                            table: "Users",
                            type: "text",
                            nullable: true,
                            oldClrType: typeof(string),
                            oldType: "text");
            """";

    [Fact]
    public Task Nullability_only_AlterColumn_becomes_SetNotNullThroughCheck() =>
        Verify.VerifyCodeFixAsync(
            Migration(up: """"
                        {|SM0006:migrationBuilder.AlterColumn<string>(
                            name: "Email",
                            table: "Users",
                            type: "text",
                            nullable: false,
                            oldClrType: typeof(string),
                            oldType: "text",
                            oldNullable: true)|};
            """", down: DownDropNotNull),
            Migration(up: """"
                        // Verify: NOT NULL through a validated CHECK constraint (no full-table scan under ACCESS EXCLUSIVE).
                        migrationBuilder.SetNotNullThroughCheck(column: "Email", table: "Users");
            """", down: DownDropNotNull));

    [Fact]
    public Task Default_is_kept_on_the_nullable_column_and_the_one_shot_update_becomes_a_batched_backfill() =>
        Verify.VerifyCodeFixAsync(
            Migration(up: """"
                        {|SM0006:migrationBuilder.AlterColumn<string>(
                            name: "Email",
                            table: "Users",
                            schema: "app",
                            type: "text",
                            nullable: false,
                            defaultValue: "",
                            oldClrType: typeof(string),
                            oldType: "text",
                            oldNullable: true)|};
            """"),
            Migration(up: """"
                        // Expand: the column's other changes; it stays nullable until every row has a value.
                        migrationBuilder.AlterColumn<string>(
                            name: "Email",
                            table: "Users",
                            schema: "app",
                            type: "text",
                            nullable: true,
                            defaultValue: "",
                            oldClrType: typeof(string),
                            oldType: "text",
                            oldNullable: true);
                        // Backfill: existing rows get the column's default, in batches (SET ... = DEFAULT evaluates it per row).
                        migrationBuilder.Backfill(table: "Users", column: "Email", value: "DEFAULT", where: @"""Email"" IS NULL", schema: "app");
                        // Verify: NOT NULL through a validated CHECK constraint (no full-table scan under ACCESS EXCLUSIVE).
                        migrationBuilder.SetNotNullThroughCheck(column: "Email", table: "Users", schema: "app");
            """"));

    [Fact]
    public Task Omitted_nullable_means_not_null_and_a_safe_widening_is_kept() =>
        Verify.VerifyCodeFixAsync(
            Migration(up: """"
                        {|SM0006:migrationBuilder.AlterColumn<string>(
                            name: "Name",
                            table: "Users",
                            type: "character varying(200)",
                            maxLength: 200,
                            oldClrType: typeof(string),
                            oldType: "character varying(100)",
                            oldMaxLength: 100,
                            oldNullable: true)|};
            """"),
            Migration(up: """"
                        // Expand: the column's other changes; it stays nullable until every row has a value.
                        migrationBuilder.AlterColumn<string>(
                            name: "Name",
                            table: "Users",
                            type: "character varying(200)",
                            maxLength: 200,
                            oldClrType: typeof(string),
                            oldType: "character varying(100)",
                            oldMaxLength: 100,
                            oldNullable: true,
                            nullable: true);
                        // Verify: NOT NULL through a validated CHECK constraint (no full-table scan under ACCESS EXCLUSIVE).
                        migrationBuilder.SetNotNullThroughCheck(column: "Name", table: "Users");
            """"));

    [Fact]
    public Task Raw_set_not_null_becomes_SetNotNullThroughCheck_and_other_actions_stay_sql() =>
        Verify.VerifyCodeFixAsync(
            Migration(up: """"
                        migrationBuilder.Sql({|SM0006:{|SM0006:@"ALTER TABLE app.""Users"" ALTER COLUMN ""Email"" SET NOT NULL, ALTER COLUMN note SET DEFAULT '', ALTER COLUMN name SET NOT NULL; SELECT 1;"|}|});
            """"),
            Migration(up: """"
                        // Verify: NOT NULL through a validated CHECK constraint (no full-table scan under ACCESS EXCLUSIVE).
                        migrationBuilder.SetNotNullThroughCheck(column: "Email", table: "Users", schema: "app");
                        migrationBuilder.Sql(@"ALTER TABLE app.""Users"" ALTER COLUMN note SET DEFAULT '';");
                        // Verify: NOT NULL through a validated CHECK constraint (no full-table scan under ACCESS EXCLUSIVE).
                        migrationBuilder.SetNotNullThroughCheck(column: "name", table: "Users", schema: "app");
                        migrationBuilder.Sql("SELECT 1;");
            """"));

    [Fact]
    public Task Fix_all_fixes_builder_and_raw_forms() =>
        Verify.VerifyCodeFixAsync(
            Migration(up: """"
                        {|SM0006:migrationBuilder.AlterColumn<int>(
                            name: "Quantity",
                            table: "OrderLines",
                            type: "integer",
                            nullable: false,
                            oldClrType: typeof(int),
                            oldType: "integer",
                            oldNullable: true)|};
                        migrationBuilder.Sql({|SM0006:"ALTER TABLE orders ALTER COLUMN total SET NOT NULL;"|});
            """"),
            Migration(up: """"
                        // Verify: NOT NULL through a validated CHECK constraint (no full-table scan under ACCESS EXCLUSIVE).
                        migrationBuilder.SetNotNullThroughCheck(column: "Quantity", table: "OrderLines");
                        // Verify: NOT NULL through a validated CHECK constraint (no full-table scan under ACCESS EXCLUSIVE).
                        migrationBuilder.SetNotNullThroughCheck(column: "total", table: "orders");
            """"));

    [Fact]
    public Task Migration_without_the_SafeMigrations_import_gets_it() =>
        // dotnet ef writes no "using SafeMigrations;": the fixed code must still compile.
        Verify.VerifyCodeFixAsync(
            Migration(up: """"
                        migrationBuilder.Sql({|SM0006:"ALTER TABLE orders ALTER COLUMN total SET NOT NULL;"|});
            """").Replace("using SafeMigrations;\n", string.Empty),
            Migration(up: """"
                        // Verify: NOT NULL through a validated CHECK constraint (no full-table scan under ACCESS EXCLUSIVE).
                        migrationBuilder.SetNotNullThroughCheck(column: "total", table: "orders");
            """"));
}
