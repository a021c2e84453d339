using System.Threading.Tasks;
using static SafeMigrations.Analyzers.Tests.Verifiers.MigrationSource;
using Verify = SafeMigrations.CodeFixes.Tests.Verifiers.CSharpCodeFixVerifier<SafeMigrations.CodeFixes.Rules.CreateIndexNonConcurrentlyFixer>;

namespace SafeMigrations.CodeFixes.Tests.Rules;

public class SM0001CreateIndexNonConcurrentlyFixerTests
{
    [Fact]
    public Task CreateIndex_gets_the_Npgsql_concurrent_annotation() =>
        Verify.VerifyCodeFixAsync(
            Migration(up: """
                        {|SM0001:migrationBuilder.CreateIndex(
                            name: "IX_Orders_CustomerId",
                            table: "Orders",
                            column: "CustomerId")|};
            """),
            Migration(up: """
                        // Built concurrently, outside the migration's transaction: writes continue during the build.
                        migrationBuilder.CreateIndex(
                            name: "IX_Orders_CustomerId",
                            table: "Orders",
                            column: "CustomerId")
                            .Annotation("Npgsql:CreatedConcurrently", true);
            """));

    [Fact]
    public Task CreateIndex_with_existing_annotations_keeps_them() =>
        Verify.VerifyCodeFixAsync(
            Migration(up: """
                        {|SM0001:migrationBuilder.CreateIndex(
                            name: "IX_Orders_Tags",
                            table: "Orders",
                            column: "Tags")|}
                            .Annotation("Npgsql:IndexMethod", "gin");
            """),
            Migration(up: """
                        // Built concurrently, outside the migration's transaction: writes continue during the build.
                        migrationBuilder.CreateIndex(
                            name: "IX_Orders_Tags",
                            table: "Orders",
                            column: "Tags")
                            .Annotation("Npgsql:IndexMethod", "gin")
                            .Annotation("Npgsql:CreatedConcurrently", true);
            """));

    [Fact]
    public Task Raw_create_index_becomes_concurrent_in_its_own_suppressed_call() =>
        Verify.VerifyCodeFixAsync(
            Migration(up: """
                        migrationBuilder.Sql({|SM0001:@"CREATE UNIQUE INDEX ""IX_users_email"" ON ""users"" (lower(""email""));"|});
            """),
            Migration(up: """
                        // Built concurrently, outside the migration's transaction: writes continue during the build.
                        migrationBuilder.Sql(@"CREATE UNIQUE INDEX CONCURRENTLY ""IX_users_email"" ON ""users"" (lower(""email""));", suppressTransaction: true);
            """));

    [Fact]
    public Task Multi_statement_call_is_split_and_other_statements_keep_their_transaction() =>
        Verify.VerifyCodeFixAsync(
            Migration(up: """
                        migrationBuilder.Sql({|SM0001:{|SM0001:"ALTER TABLE orders ADD COLUMN note text; CREATE INDEX ix_orders_note ON orders (note); CREATE INDEX ix_orders_total ON orders (total);"|}|});
            """),
            Migration(up: """
                        migrationBuilder.Sql("ALTER TABLE orders ADD COLUMN note text;");
                        // Built concurrently, outside the migration's transaction: writes continue during the build.
                        migrationBuilder.Sql("CREATE INDEX CONCURRENTLY ix_orders_note ON orders (note);", suppressTransaction: true);
                        // Built concurrently, outside the migration's transaction: writes continue during the build.
                        migrationBuilder.Sql("CREATE INDEX CONCURRENTLY ix_orders_total ON orders (total);", suppressTransaction: true);
            """));

    [Fact]
    public Task Fix_all_fixes_every_index_in_the_document() =>
        Verify.VerifyCodeFixAsync(
            Migration(up: """
                        {|SM0001:migrationBuilder.CreateIndex(
                            name: "IX_Orders_A",
                            table: "Orders",
                            column: "A")|};

                        {|SM0001:migrationBuilder.CreateIndex(
                            name: "IX_Orders_B",
                            table: "Orders",
                            column: "B")|};
            """),
            Migration(up: """
                        // Built concurrently, outside the migration's transaction: writes continue during the build.
                        migrationBuilder.CreateIndex(
                            name: "IX_Orders_A",
                            table: "Orders",
                            column: "A")
                            .Annotation("Npgsql:CreatedConcurrently", true);

                        // Built concurrently, outside the migration's transaction: writes continue during the build.
                        migrationBuilder.CreateIndex(
                            name: "IX_Orders_B",
                            table: "Orders",
                            column: "B")
                            .Annotation("Npgsql:CreatedConcurrently", true);
            """));
}
