using System.Threading.Tasks;
using static SafeMigrations.Analyzers.Tests.Verifiers.MigrationSource;
using Verify = SafeMigrations.CodeFixes.Tests.Verifiers.CSharpCodeFixVerifier<SafeMigrations.CodeFixes.Rules.DropIndexNonConcurrentlyFixer>;

namespace SafeMigrations.CodeFixes.Tests.Rules;

public class SM0002DropIndexNonConcurrentlyFixerTests
{
    [Fact]
    public Task DropIndex_becomes_DropIndexConcurrently_and_Down_recreating_it_stays_clean() =>
        Verify.VerifyCodeFixAsync(
            Migration(
                up: """
                        {|SM0002:migrationBuilder.DropIndex(
                            name: "IX_Orders_CustomerId",
                            table: "Orders")|};
            """,
                down: """
                        migrationBuilder.CreateIndex(
                            name: "IX_Orders_CustomerId",
                            table: "Orders",
                            column: "CustomerId");
            """),
            Migration(
                up: """
                        // Dropped concurrently, outside the migration's transaction: reads and writes continue during the drop.
                        migrationBuilder.DropIndexConcurrently(
                            name: "IX_Orders_CustomerId",
                            table: "Orders");
            """,
                down: """
                        migrationBuilder.CreateIndex(
                            name: "IX_Orders_CustomerId",
                            table: "Orders",
                            column: "CustomerId");
            """));

    [Fact]
    public Task DropIndex_with_schema_keeps_it() =>
        Verify.VerifyCodeFixAsync(
            Migration(up: """
                        {|SM0002:migrationBuilder.DropIndex(
                            name: "IX_Orders_CustomerId",
                            schema: "sales",
                            table: "Orders")|};
            """),
            Migration(up: """
                        // Dropped concurrently, outside the migration's transaction: reads and writes continue during the drop.
                        migrationBuilder.DropIndexConcurrently(
                            name: "IX_Orders_CustomerId",
                            schema: "sales",
                            table: "Orders");
            """));

    [Fact]
    public Task Raw_drop_index_becomes_concurrent_in_its_own_suppressed_call() =>
        Verify.VerifyCodeFixAsync(
            Migration(up: """
                        migrationBuilder.Sql({|SM0002:"DROP INDEX IF EXISTS ix_orders_total;"|});
            """),
            Migration(up: """
                        // Dropped concurrently, outside the migration's transaction: reads and writes continue during the drop.
                        migrationBuilder.Sql("DROP INDEX CONCURRENTLY IF EXISTS ix_orders_total;", suppressTransaction: true);
            """));

    [Fact]
    public Task Raw_multi_index_drop_with_cascade_is_split_one_index_per_call() =>
        Verify.VerifyCodeFixAsync(
            Migration(up: """
                        migrationBuilder.Sql({|SM0002:@"ALTER TABLE orders ADD COLUMN note text; DROP INDEX sales.""IX_A"", ix_b CASCADE;"|});
            """),
            Migration(up: """
                        migrationBuilder.Sql("ALTER TABLE orders ADD COLUMN note text;");
                        // Dropped concurrently, outside the migration's transaction: reads and writes continue during the drop.
                        // CASCADE removed (DROP INDEX CONCURRENTLY refuses it): drop objects that depend on the index explicitly first.
                        migrationBuilder.Sql(@"DROP INDEX CONCURRENTLY sales.""IX_A"";", suppressTransaction: true);
                        migrationBuilder.Sql("DROP INDEX CONCURRENTLY ix_b;", suppressTransaction: true);
            """));

    [Fact]
    public Task Fix_all_fixes_builder_and_raw_drops() =>
        Verify.VerifyCodeFixAsync(
            Migration(up: """
                        {|SM0002:migrationBuilder.DropIndex(
                            name: "IX_Orders_A",
                            table: "Orders")|};

                        migrationBuilder.Sql({|SM0002:{|SM0002:"DROP INDEX ix_a; DROP INDEX ix_b;"|}|});
            """),
            Migration(up: """
                        // Dropped concurrently, outside the migration's transaction: reads and writes continue during the drop.
                        migrationBuilder.DropIndexConcurrently(
                            name: "IX_Orders_A",
                            table: "Orders");

                        // Dropped concurrently, outside the migration's transaction: reads and writes continue during the drop.
                        migrationBuilder.Sql("DROP INDEX CONCURRENTLY ix_a;", suppressTransaction: true);
                        // Dropped concurrently, outside the migration's transaction: reads and writes continue during the drop.
                        migrationBuilder.Sql("DROP INDEX CONCURRENTLY ix_b;", suppressTransaction: true);
            """));
}
