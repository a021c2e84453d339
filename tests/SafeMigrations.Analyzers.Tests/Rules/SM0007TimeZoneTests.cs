using System.Threading.Tasks;
using SafeMigrations.Analyzers.Rules;
using static SafeMigrations.Analyzers.Tests.Verifiers.MigrationSource;
using Verify = SafeMigrations.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<SafeMigrations.Analyzers.Rules.AlterColumnTypeRewritesTableAnalyzer>;

namespace SafeMigrations.Analyzers.Tests.Rules;

/// <summary>
/// SM0007 on timestamp ↔ timestamptz: since PostgreSQL 12 no rewrite when the session TimeZone is UTC (measured on 15:
/// relfilenode kept under UTC, changed under Europe/Berlin, both directions), so a UTC SET before the alter in the
/// same transaction makes it safe; EF commits that transaction before a suppressTransaction command.
/// </summary>
public class SM0007TimeZoneTests
{
    private const string ToTimestamptz = """migrationBuilder.AlterColumn<DateTime>(name: "At", table: "Orders", type: "timestamp with time zone", nullable: false, oldClrType: typeof(DateTime), oldType: "timestamp without time zone")""";

    [Fact]
    public async Task Message_says_the_rewrite_depends_on_the_session_time_zone()
    {
        var source = Migration("{|#0:" + ToTimestamptz + "|};");
        await Verify.VerifyAnalyzerAsync(source, Verify.Diagnostic("SM0007").WithLocation(0).WithArguments(
            "AlterColumn", "At", "Orders", "from timestamp without time zone to timestamp with time zone" + AlterColumnTypeRewritesTableAnalyzer.TimeZoneCondition));
    }

    [Theory]
    [InlineData("SET LOCAL TimeZone = 'UTC'")]
    [InlineData("SET TIME ZONE 'UTC'")]
    [InlineData("SET timezone TO 'UTC'")]
    [InlineData("SET LOCAL TimeZone = 'Etc/UTC';")]
    [InlineData("SET TimeZone = 'GMT'")]
    public async Task A_utc_set_before_the_alter_in_the_same_transaction_is_not_flagged(string set)
    {
        var source = Migration($$"""
                migrationBuilder.Sql("{{set}}");
                {{ToTimestamptz}};
                migrationBuilder.AlterColumn<DateTime>(name: "Seen", table: "Orders", type: "timestamp without time zone", nullable: true, oldClrType: typeof(DateTime), oldType: "timestamp with time zone", oldNullable: true);
                migrationBuilder.AlterColumn<DateTime>(name: "Shipped", table: "Orders", type: "timestamptz", nullable: true, oldClrType: typeof(DateTime), oldType: "timestamp(3)", oldNullable: true);
                migrationBuilder.Sql("ALTER TABLE orders ALTER COLUMN created TYPE timestamptz");
                migrationBuilder.Sql("ALTER TABLE orders ALTER COLUMN updated TYPE timestamp with time zone USING updated::timestamptz");
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task A_set_in_the_same_sql_call_before_a_raw_alter_counts()
    {
        await Verify.VerifyAnalyzerAsync(Migration("""
                migrationBuilder.Sql("SET LOCAL TimeZone = 'UTC'; ALTER TABLE orders ALTER COLUMN created TYPE timestamptz;");
        """));
        await Verify.VerifyAnalyzerAsync(Migration("""
                migrationBuilder.Sql({|SM0007:"ALTER TABLE orders ALTER COLUMN created TYPE timestamptz; SET LOCAL TimeZone = 'UTC';"|});
        """));
    }

    [Fact]
    public async Task A_set_after_the_alter_is_flagged()
    {
        var source = Migration($$"""
                {|SM0007:{{ToTimestamptz}}|};
                migrationBuilder.Sql("SET LOCAL TimeZone = 'UTC'");
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Set_local_in_a_suppressed_command_is_lost()
    {
        // EF runs a suppressTransaction command in autocommit: SET LOCAL there only warns.
        var source = Migration($$"""
                migrationBuilder.Sql("SET LOCAL TimeZone = 'UTC'", suppressTransaction: true);
                {|SM0007:{{ToTimestamptz}}|};
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task A_suppressed_command_between_set_local_and_the_alter_commits_it_away()
    {
        var source = Migration($$"""
                migrationBuilder.Sql("SET LOCAL TimeZone = 'UTC'");
                migrationBuilder.Sql("CREATE INDEX CONCURRENTLY ix_orders_note ON orders (note)", suppressTransaction: true);
                {|SM0007:{{ToTimestamptz}}|};
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task A_session_set_lasts_across_suppressed_commands()
    {
        // EF keeps one connection open for the migration's commands: a plain SET stays on the session.
        var source = Migration($$"""
                migrationBuilder.Sql("SET TimeZone = 'UTC'", suppressTransaction: true);
                migrationBuilder.Sql("CREATE INDEX CONCURRENTLY ix_orders_note ON orders (note)", suppressTransaction: true);
                {{ToTimestamptz}};
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Theory]
    [InlineData("SET LOCAL TimeZone = 'Europe/Berlin'")]
    [InlineData("SET TimeZone = 'Africa/Abidjan'")]
    [InlineData("SET LOCAL search_path = 'UTC'")]
    [InlineData("SELECT set_config('TimeZone', 'UTC', true)")]
    public async Task Other_zones_and_look_alikes_are_still_flagged(string set)
    {
        var source = Migration($$"""
                migrationBuilder.Sql("{{set}}");
                {|SM0007:{{ToTimestamptz}}|};
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task A_later_reset_or_non_utc_set_ends_it()
    {
        var source = Migration($$"""
                migrationBuilder.Sql("SET LOCAL TimeZone = 'UTC'");
                migrationBuilder.Sql("RESET TimeZone");
                {|SM0007:{{ToTimestamptz}}|};
                migrationBuilder.Sql("SET TimeZone = 'UTC'");
                migrationBuilder.Sql("SET LOCAL TimeZone = 'America/New_York'");
                {|SM0007:migrationBuilder.AlterColumn<DateTime>(name: "Seen", table: "Orders", type: "timestamp without time zone", nullable: true, oldClrType: typeof(DateTime), oldType: "timestamp with time zone", oldNullable: true)|};
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task A_precision_below_6_rewrites_even_under_utc()
    {
        var source = Migration("""
                migrationBuilder.Sql("SET LOCAL TimeZone = 'UTC'");
                {|#0:migrationBuilder.AlterColumn<DateTime>(name: "At", table: "Orders", type: "timestamp(3) with time zone", precision: 3, nullable: false, oldClrType: typeof(DateTime), oldType: "timestamp(3) without time zone", oldPrecision: 3)|};
                migrationBuilder.Sql({|SM0007:"ALTER TABLE orders ALTER COLUMN created TYPE timestamptz(3)"|});
        """);
        await Verify.VerifyAnalyzerAsync(source, Verify.Diagnostic("SM0007").WithLocation(0).WithArguments(
            "AlterColumn", "At", "Orders", "from timestamp(3) without time zone to timestamp(3) with time zone (to a precision below 6, which rewrites even when the session TimeZone is UTC)"));
    }

    [Fact]
    public async Task Raw_alter_to_timestamptz_without_utc_says_why()
    {
        var source = Migration("""
                migrationBuilder.Sql({|#0:"ALTER TABLE orders ALTER COLUMN created TYPE timestamptz"|});
                migrationBuilder.Sql({|SM0007:"ALTER TABLE orders ALTER COLUMN created TYPE timestamptz USING created AT TIME ZONE 'UTC'"|});
        """);
        await Verify.VerifyAnalyzerAsync(source, Verify.Diagnostic("SM0007").WithLocation(0).WithArguments(
            "ALTER COLUMN ... TYPE", "created", "orders", "to timestamptz" + AlterColumnTypeRewritesTableAnalyzer.TimeZoneCondition));
    }

    [Fact]
    public async Task Before_postgres_12_a_utc_set_does_not_help()
    {
        var source = Migration($$"""
                migrationBuilder.Sql("SET LOCAL TimeZone = 'UTC'");
                {|SM0007:{{ToTimestamptz}}|};
        """);
        await Verify.VerifyAnalyzerAsync(source, editorConfig: "safe_migrations.postgres_version = 11");
    }

    [Fact]
    public async Task Fifty_one_columns_after_one_set_are_not_flagged()
    {
        var alters = new System.Text.StringBuilder();
        for (var i = 0; i < 51; i++)
        {
            alters.AppendLine($$"""            migrationBuilder.AlterColumn<DateTime>(name: "At{{i}}", table: "T{{i % 22}}", type: "timestamp with time zone", nullable: false, oldClrType: typeof(DateTime), oldType: "timestamp without time zone");""");
        }

        await Verify.VerifyAnalyzerAsync(Migration("migrationBuilder.Sql(\"SET LOCAL TimeZone = 'UTC'\");\n" + alters));
    }
}
