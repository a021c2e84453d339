using System.Threading.Tasks;
using static SafeMigrations.Analyzers.Tests.Verifiers.MigrationSource;
using Verify = SafeMigrations.CodeFixes.Tests.Verifiers.CSharpCodeFixVerifier<SafeMigrations.CodeFixes.Rules.UnbatchedDataChangeFixer>;

namespace SafeMigrations.CodeFixes.Tests.Rules;

public class SM0015UnbatchedDataChangeFixerTests
{
    [Fact]
    public Task Update_without_where_gets_a_predicate_that_settles_once_the_row_is_done() =>
        Verify.VerifyCodeFixAsync(
            Migration(up: """"
                        migrationBuilder.Sql({|SM0015:@"UPDATE ""Users"" SET ""Email"" = lower(""Email""), ""Active"" = true;"|});
            """"),
            Migration(up: """"
                        // Backfill: the rows are updated in keyset batches, each its own short transaction; 'where' turns false once a row is done.
                        migrationBuilder.Backfill(table: "Users", set: @"""Email"" = lower(""Email""), ""Active"" = true", where: @"""Email"" IS DISTINCT FROM (lower(""Email"")) OR ""Active"" IS DISTINCT FROM (true)");
            """"));

    [Fact]
    public Task Update_with_where_keeps_it_and_adds_the_settling_predicate() =>
        Verify.VerifyCodeFixAsync(
            Migration(up: """"
                        migrationBuilder.Sql({|SM0015:"UPDATE billing.orders SET status = 'archived' WHERE created_at < '2020-01-01' OR status = 'stale';"|});
            """"),
            Migration(up: """"
                        // Backfill: the rows are updated in keyset batches, each its own short transaction; 'where' turns false once a row is done.
                        migrationBuilder.Backfill(table: "orders", set: "status = 'archived'", where: "(created_at < '2020-01-01' OR status = 'stale') AND (status IS DISTINCT FROM ('archived'))", schema: "billing");
            """"));

    [Fact]
    public Task Time_dependent_value_uses_an_is_null_predicate_or_asks_for_review() =>
        Verify.VerifyCodeFixAsync(
            Migration(up: """"
                        migrationBuilder.Sql({|SM0015:{|SM0015:"UPDATE orders SET shipped_at = now() WHERE shipped_at IS NULL AND status = 'shipped'; UPDATE sessions SET token = gen_random_uuid();"|}|});
            """"),
            Migration(up: """"
                        // Backfill: the rows are updated in keyset batches, each its own short transaction; 'where' turns false once a row is done.
                        migrationBuilder.Backfill(table: "orders", set: "shipped_at = now()", where: "shipped_at IS NULL AND status = 'shipped'");
                        // Backfill: the rows are updated in keyset batches, each its own short transaction; 'where' turns false once a row is done.
                        // Review 'where': the engine verifies no row matches it afterwards, and these values change between batches.
                        migrationBuilder.Backfill(table: "sessions", set: "token = gen_random_uuid()", where: "TRUE");
            """"));

    [Fact]
    public Task Delete_becomes_DeleteInBatches_and_other_statements_stay_sql() =>
        Verify.VerifyCodeFixAsync(
            Migration(up: """"
                        migrationBuilder.Sql({|SM0015:{|SM0015:@"DELETE FROM ""AuditLog"" WHERE ""CreatedAt"" < now() - interval '1 year'; SELECT 1; DELETE FROM sessions;"|}|});
            """"),
            Migration(up: """"
                        // The rows are deleted in keyset batches, each its own short transaction.
                        migrationBuilder.DeleteInBatches(table: "AuditLog", where: @"""CreatedAt"" < now() - interval '1 year'");
                        migrationBuilder.Sql("SELECT 1;");
                        // The rows are deleted in keyset batches, each its own short transaction.
                        migrationBuilder.DeleteInBatches(table: "sessions", where: "TRUE");
            """"));

    [Fact]
    public Task Update_with_alias_from_and_returning_becomes_a_correlated_backfill() =>
        Verify.VerifyCodeFixAsync(
            Migration(up: """"
                        migrationBuilder.Sql({|SM0015:{|SM0015:"UPDATE orders AS o SET total = s.total, items = s.items FROM order_sums s WHERE s.order_id = o.id RETURNING o.id; UPDATE orders o SET note = upper(o.note) WHERE o.note IS NOT NULL;"|}|});
            """"),
            Migration(up: """"
                        // Backfill: the rows are updated in keyset batches, each its own short transaction; 'where' turns false once a row is done.
                        migrationBuilder.Backfill(table: "orders", set: @"(total, items) = (SELECT s.total, s.items FROM order_sums s WHERE s.order_id = ""orders"".id LIMIT 1)", where: @"EXISTS (SELECT 1 FROM order_sums s WHERE s.order_id = ""orders"".id) AND (total IS DISTINCT FROM (SELECT s.total FROM order_sums s WHERE s.order_id = ""orders"".id LIMIT 1) OR items IS DISTINCT FROM (SELECT s.items FROM order_sums s WHERE s.order_id = ""orders"".id LIMIT 1))");
                        // Backfill: the rows are updated in keyset batches, each its own short transaction; 'where' turns false once a row is done.
                        migrationBuilder.Backfill(table: "orders", set: @"note = upper(""orders"".note)", where: @"(""orders"".note IS NOT NULL) AND (note IS DISTINCT FROM (upper(""orders"".note)))");
            """"));

    [Fact]
    public Task Delete_using_becomes_an_exists_predicate() =>
        Verify.VerifyCodeFixAsync(
            Migration(up: """"
                        migrationBuilder.Sql({|SM0015:"DELETE FROM sessions s USING users u WHERE u.id = s.user_id AND u.disabled RETURNING s.id;"|});
            """"),
            Migration(up: """"
                        // The rows are deleted in keyset batches, each its own short transaction.
                        migrationBuilder.DeleteInBatches(table: "sessions", where: @"EXISTS (SELECT 1 FROM users u WHERE u.id = ""sessions"".user_id AND u.disabled)");
            """"));

    [Fact]
    public Task Sub_select_value_is_compared_like_any_other() =>
        Verify.VerifyCodeFixAsync(
            Migration(up: """"
                        migrationBuilder.Sql({|SM0015:"UPDATE orders SET total = (SELECT sum(l.price) FROM order_lines l WHERE l.order_id = orders.id);"|});
            """"),
            Migration(up: """"
                        // Backfill: the rows are updated in keyset batches, each its own short transaction; 'where' turns false once a row is done.
                        migrationBuilder.Backfill(table: "orders", set: "total = (SELECT sum(l.price) FROM order_lines l WHERE l.order_id = orders.id)", where: "total IS DISTINCT FROM ((SELECT sum(l.price) FROM order_lines l WHERE l.order_id = orders.id))");
            """"));
}
