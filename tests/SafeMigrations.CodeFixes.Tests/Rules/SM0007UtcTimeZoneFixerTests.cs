using System.Text;
using System.Threading;
using System.Threading.Tasks;
using static SafeMigrations.Analyzers.Tests.Verifiers.MigrationSource;
using Verify = SafeMigrations.CodeFixes.Tests.Verifiers.CSharpCodeFixVerifier<SafeMigrations.CodeFixes.Rules.AlterColumnTypeRewritesTableFixer>;

namespace SafeMigrations.CodeFixes.Tests.Rules;

/// <summary>SM0007's first action on timestamp ↔ timestamptz: SET LOCAL TimeZone = 'UTC' before the change, once per migration.</summary>
public class SM0007UtcTimeZoneFixerTests
{
    private const string UtcKey = "SM0007.UtcTimeZone";
    private const string Comment = "// Valid only when the stored timestamps are UTC: with TimeZone UTC, PostgreSQL 12+ changes timestamp <-> timestamptz without rewriting the table.";
    private const string Set = "migrationBuilder.Sql(\"SET LOCAL TimeZone = 'UTC'\");";

    private static Task VerifyAsync(string source, string fixedSource, string key = UtcKey, int index = 0)
    {
        var test = new Verify.Test { TestCode = source, FixedCode = fixedSource, CodeActionEquivalenceKey = key, CodeActionIndex = index };
        return test.RunAsync(CancellationToken.None);
    }

    private static string Alter(string column, string type, string oldType) =>
        $$"""migrationBuilder.AlterColumn<DateTime>(name: "{{column}}", table: "Orders", type: "{{type}}", nullable: false, oldClrType: typeof(DateTime), oldType: "{{oldType}}")""";

    [Fact]
    public Task Set_goes_before_the_change_in_up_and_before_its_reverse_in_down() =>
        VerifyAsync(
            Migration(
                up: "            {|SM0007:" + Alter("At", "timestamp with time zone", "timestamp without time zone") + "|};",
                down: "            " + Alter("At", "timestamp without time zone", "timestamp with time zone") + ";"),
            Migration(
                up: "            " + Comment + "\n            " + Set + "\n            " + Alter("At", "timestamp with time zone", "timestamp without time zone") + ";",
                down: "            " + Comment + "\n            " + Set + "\n            " + Alter("At", "timestamp without time zone", "timestamp with time zone") + ";"));

    [Fact]
    public Task Fifty_one_columns_get_one_set_and_a_suppressed_command_between_gets_another()
    {
        var source = new StringBuilder();
        var fixedSource = new StringBuilder("            " + Comment + "\n            " + Set + "\n");
        for (var i = 0; i < 51; i++)
        {
            var alter = Alter("At" + i, "timestamp with time zone", "timestamp without time zone");
            source.Append("            {|SM0007:" + alter + "|};\n");
            fixedSource.Append("            " + alter + ";\n");
        }

        const string Concurrent = "            migrationBuilder.Sql(\"CREATE INDEX CONCURRENTLY ix_orders_note ON \\\"Orders\\\" (note)\", suppressTransaction: true);\n";
        source.Append(Concurrent);
        fixedSource.Append(Concurrent);
        var last = Alter("Seen", "timestamp without time zone", "timestamp with time zone");
        source.Append("            {|SM0007:" + last + "|};");
        fixedSource.Append("            " + Comment + "\n            " + Set + "\n            " + last + ";");
        return VerifyAsync(Migration(source.ToString()), Migration(fixedSource.ToString()));
    }

    [Fact]
    public Task Raw_alter_to_timestamptz_gets_the_set_before_its_sql_call() =>
        VerifyAsync(
            Migration("""
                        migrationBuilder.Sql({|SM0007:"ALTER TABLE orders ALTER COLUMN created TYPE timestamptz USING created::timestamptz;"|});
            """),
            Migration($$"""
                        {{Comment}}
                        {{Set}}
                        migrationBuilder.Sql("ALTER TABLE orders ALTER COLUMN created TYPE timestamptz USING created::timestamptz;");
            """));

    [Fact]
    public Task The_new_column_recipe_is_still_offered_second() =>
        VerifyAsync(
            Migration("            {|SM0007:" + Alter("At", "timestamp with time zone", "timestamp without time zone") + "|};"),
            Migration(""""
                        // Expand: a new column of the new type, kept up to date from the old one by a trigger on every write.
                        migrationBuilder.AddColumn<DateTime>(
                            name: "At_new",
                            table: "Orders",
                            type: "timestamp with time zone",
                            nullable: true);
                        migrationBuilder.CreateSyncTrigger(table: "Orders", fromColumn: "At", toColumn: "At_new", convertSql: @"NEW.""At""::timestamp with time zone");
                        // Backfill: existing rows get the converted value, in batches.
                        migrationBuilder.Backfill(table: "Orders", set: @"""At_new"" = ""At""::timestamp with time zone", where: @"""At_new"" IS NULL AND ""At"" IS NOT NULL");
                        // Verify: NOT NULL through a validated CHECK constraint (no full-table scan under ACCESS EXCLUSIVE).
                        migrationBuilder.SetNotNullThroughCheck(column: "At_new", table: "Orders");
                        // Expand: swap the columns in one short transaction; the old one, renamed "At_old", stays in sync for the running version.
                        migrationBuilder.SwapColumns(table: "Orders", column: "At", replacementColumn: "At_new");
                        // Contract: once no running version reads the old column, drop its sync trigger and the column.
                        migrationBuilder.DropSyncTrigger(table: "Orders", fromColumn: "At", toColumn: "At_old").InContractPhase();
                        migrationBuilder.DropColumn(
                            name: "At_old",
                            table: "Orders")
                            .InContractPhase();
            """"),
            key: "SM0007",
            index: 1);
}
