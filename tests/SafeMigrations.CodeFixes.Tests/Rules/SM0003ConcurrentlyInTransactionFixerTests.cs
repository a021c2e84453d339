using System.Threading.Tasks;
using static SafeMigrations.Analyzers.Tests.Verifiers.MigrationSource;
using Verify = SafeMigrations.CodeFixes.Tests.Verifiers.CSharpCodeFixVerifier<SafeMigrations.CodeFixes.Rules.ConcurrentlyInTransactionFixer>;

namespace SafeMigrations.CodeFixes.Tests.Rules;

public class SM0003ConcurrentlyInTransactionFixerTests
{
    [Fact]
    public Task Concurrent_index_in_the_migration_transaction_gets_suppressTransaction() =>
        Verify.VerifyCodeFixAsync(
            Migration(up: """
                        migrationBuilder.Sql({|SM0003:"CREATE INDEX CONCURRENTLY ix_orders_status ON orders (status);"|});
            """),
            Migration(up: """
                        migrationBuilder.Sql("CREATE INDEX CONCURRENTLY ix_orders_status ON orders (status);", suppressTransaction: true);
            """));

    [Fact]
    public Task Suppressed_multi_statement_call_is_split_so_each_concurrent_statement_runs_alone() =>
        Verify.VerifyCodeFixAsync(
            Migration(up: """
                        migrationBuilder.Sql({|SM0003:{|SM0003:"DROP INDEX CONCURRENTLY IF EXISTS ix_a; CREATE INDEX CONCURRENTLY ix_b ON orders (b);"|}|}, suppressTransaction: true);
            """),
            Migration(up: """
                        migrationBuilder.Sql("DROP INDEX CONCURRENTLY IF EXISTS ix_a;", suppressTransaction: true);
                        migrationBuilder.Sql("CREATE INDEX CONCURRENTLY ix_b ON orders (b);", suppressTransaction: true);
            """));
}
