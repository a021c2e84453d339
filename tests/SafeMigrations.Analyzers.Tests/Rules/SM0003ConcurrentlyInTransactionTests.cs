using System.Threading.Tasks;
using static SafeMigrations.Analyzers.Tests.Verifiers.MigrationSource;
using Verify = SafeMigrations.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<SafeMigrations.Analyzers.Rules.ConcurrentlyInTransactionAnalyzer>;

namespace SafeMigrations.Analyzers.Tests.Rules;

public class SM0003ConcurrentlyInTransactionTests
{
    [Fact]
    public async Task Concurrent_index_without_suppressTransaction_is_flagged()
    {
        var source = Migration("""
                migrationBuilder.Sql({|#0:"CREATE INDEX CONCURRENTLY ix_orders_total ON orders (total);"|});
                migrationBuilder.Sql({|SM0003:"DROP INDEX CONCURRENTLY ix_orders_code"|}, suppressTransaction: false);
                migrationBuilder.Sql({|SM0003:"REINDEX INDEX CONCURRENTLY ix_orders_code"|});
        """);
        await Verify.VerifyAnalyzerAsync(source, Verify.Diagnostic("SM0003").WithLocation(0).WithArguments(
            "CREATE INDEX CONCURRENTLY", "EF runs this Sql(...) call inside the migration's transaction (suppressTransaction is not true)"));
    }

    [Fact]
    public async Task Detach_partition_concurrently_inside_a_transaction_is_flagged()
    {
        var source = Migration("""
                migrationBuilder.Sql({|#0:"ALTER TABLE measurements DETACH PARTITION measurements_2020 CONCURRENTLY;"|});
                migrationBuilder.Sql("ALTER TABLE measurements DETACH PARTITION measurements_2019 CONCURRENTLY;", suppressTransaction: true);
                migrationBuilder.Sql("ALTER TABLE measurements DETACH PARTITION measurements_2018 FINALIZE;");
        """);
        await Verify.VerifyAnalyzerAsync(source, Verify.Diagnostic("SM0003").WithLocation(0).WithArguments(
            "ALTER TABLE ... DETACH PARTITION CONCURRENTLY", "EF runs this Sql(...) call inside the migration's transaction (suppressTransaction is not true)"));
    }

    [Fact]
    public async Task Concurrent_statement_alone_with_suppressTransaction_is_not_flagged()
    {
        var source = Migration("""
                migrationBuilder.Sql("CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_orders_total ON orders (total);", suppressTransaction: true);
                migrationBuilder.Sql(@"
                    -- drop the old one
                    DROP INDEX CONCURRENTLY IF EXISTS ix_orders_code;
                ", true);
                migrationBuilder.Sql("REFRESH MATERIALIZED VIEW CONCURRENTLY order_totals;");
                migrationBuilder.Sql("CREATE INDEX ix_plain ON orders (a);");
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Several_statements_in_one_suppressed_call_are_flagged()
    {
        var source = Migration("""
                migrationBuilder.Sql({|#0:"CREATE INDEX CONCURRENTLY ix_a ON orders (a); CREATE INDEX CONCURRENTLY ix_b ON orders (b);"|}, suppressTransaction: true);
        """);
        var reason = "this Sql(...) call sends 2 statements, which PostgreSQL runs as one implicit transaction block";
        await Verify.VerifyAnalyzerAsync(
            source,
            Verify.Diagnostic("SM0003").WithLocation(0).WithArguments("CREATE INDEX CONCURRENTLY", reason),
            Verify.Diagnostic("SM0003").WithLocation(0).WithArguments("CREATE INDEX CONCURRENTLY", reason));
    }

    [Fact]
    public async Task Not_exempt_in_down_on_new_tables_or_small_tables()
    {
        var source = Migration(
            up: """
                migrationBuilder.Sql("CREATE TABLE t (id int)");
                migrationBuilder.Sql({|SM0003:"CREATE INDEX CONCURRENTLY ix_t ON t (id)"|});
        """,
            down: """
                migrationBuilder.Sql({|SM0003:"DROP INDEX CONCURRENTLY ix_t"|});
        """);
        await Verify.VerifyAnalyzerAsync(source, "safe_migrations.small_tables = t");
    }

    [Fact]
    public async Task Builder_concurrent_index_and_unknown_sql_are_not_flagged()
    {
        var source = Migration("""
                migrationBuilder.CreateIndex(name: "IX_1", table: "Orders", column: "A")
                    .Annotation("Npgsql:CreatedConcurrently", true);
                var suppress = DateTime.Now.Year > 2000;
                migrationBuilder.Sql("CREATE INDEX CONCURRENTLY ix_a ON orders (a)", suppress);
                migrationBuilder.Sql(string.Concat("CREATE INDEX CONCURRENTLY ", "ix_b ON orders (b)"));
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }
}
