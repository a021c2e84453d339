using System.Threading;
using System.Threading.Tasks;
using static SafeMigrations.Analyzers.Tests.Verifiers.MigrationSource;
using Verify = SafeMigrations.CodeFixes.Tests.Verifiers.CSharpCodeFixVerifier<SafeMigrations.CodeFixes.Rules.HeavyLockStatementFixer>;

namespace SafeMigrations.CodeFixes.Tests.Rules;

public class SM0016HeavyLockStatementFixerTests
{
    [Fact]
    public Task Reindex_becomes_concurrent_in_its_own_suppressed_call() =>
        Verify.VerifyCodeFixAsync(
            Migration(up: """
                        migrationBuilder.Sql({|SM0016:{|SM0016:"UPDATE orders SET total = 0 WHERE id = 1; REINDEX INDEX ix_orders_total; REINDEX (VERBOSE) TABLE orders;"|}|});
            """),
            Migration(up: """
                        migrationBuilder.Sql("UPDATE orders SET total = 0 WHERE id = 1;");
                        // Rebuilt concurrently, outside the migration's transaction: reads and writes continue during the rebuild.
                        migrationBuilder.Sql("REINDEX INDEX CONCURRENTLY ix_orders_total;", suppressTransaction: true);
                        // Rebuilt concurrently, outside the migration's transaction: reads and writes continue during the rebuild.
                        migrationBuilder.Sql("REINDEX (VERBOSE) TABLE CONCURRENTLY orders;", suppressTransaction: true);
            """));

    [Fact]
    public Task Refresh_materialized_view_becomes_concurrent() =>
        Verify.VerifyCodeFixAsync(
            Migration(up: """
                        migrationBuilder.Sql({|SM0016:"REFRESH MATERIALIZED VIEW reporting.daily_sales;"|});
            """),
            Migration(up: """
                        // Refreshed concurrently, outside the migration's transaction: reads of the view continue (needs a unique index on the view, and a populated view).
                        migrationBuilder.Sql("REFRESH MATERIALIZED VIEW CONCURRENTLY reporting.daily_sales;", suppressTransaction: true);
            """));

    [Fact]
    public Task Vacuum_full_becomes_plain_vacuum_analyze() =>
        Verify.VerifyCodeFixAsync(
            Migration(up: """
                        migrationBuilder.Sql({|SM0016:"VACUUM FULL VERBOSE orders, order_lines;"|}, suppressTransaction: true);
            """),
            Migration(up: """
                        // Plain VACUUM instead of VACUUM FULL, outside the transaction: dead rows become reusable without locking the table (the file does not shrink; use pg_repack outside migrations for that).
                        migrationBuilder.Sql("VACUUM (ANALYZE) orders, order_lines;", suppressTransaction: true);
            """));

    [Fact]
    public Task Cluster_keeps_only_the_clustering_mark() =>
        Verify.VerifyCodeFixAsync(
            Migration(up: """
                        migrationBuilder.Sql({|SM0016:@"CLUSTER ""Orders"" USING ""IX_Orders_CreatedAt"";"|});
            """),
            Migration(up: """
                        // CLUSTER rewrites the table under ACCESS EXCLUSIVE; reorder it online with pg_repack, outside migrations.
                        migrationBuilder.Sql(@"ALTER TABLE ""Orders"" CLUSTER ON ""IX_Orders_CreatedAt"";");
            """));

    [Fact]
    public Task Truncate_becomes_committed_delete_batches() =>
        Verify.VerifyCodeFixAsync(
            Migration(up: """
                        migrationBuilder.Sql({|SM0016:"TRUNCATE TABLE audit_log;"|});
            """),
            Migration(up: """
                        // Backfill: delete the rows in committed batches instead of TRUNCATE's ACCESS EXCLUSIVE lock; reads and writes continue.
                        migrationBuilder.Sql(@"DO $batches$
                        BEGIN
                            LOOP
                                DELETE FROM audit_log WHERE ctid = ANY (ARRAY(SELECT ctid FROM audit_log LIMIT 10000));
                                EXIT WHEN NOT FOUND;
                                COMMIT;
                            END LOOP;
                        END
                        $batches$;", suppressTransaction: true);
            """));

    [Fact]
    public Task Lock_table_is_removed_with_a_comment() =>
        Verify.VerifyCodeFixAsync(
            Migration(up: """
                        migrationBuilder.Sql({|SM0016:"LOCK TABLE orders IN SHARE MODE; INSERT INTO archive SELECT * FROM orders WHERE id = 1;"|});
            """),
            Migration(up: """
                        // Removed LOCK TABLE orders IN SHARE MODE: an explicit lock is held until the migration commits and blocks the application for all of it; each statement takes the lock it needs.
                        migrationBuilder.Sql("INSERT INTO archive SELECT * FROM orders WHERE id = 1;");
            """));

    [Fact]
    public Task Set_tablespace_has_no_online_form_and_is_acknowledged() =>
        Verify.VerifyCodeFixAsync(
            Migration(up: """
                        migrationBuilder.Sql({|SM0016:"ALTER TABLE orders SET TABLESPACE fast_ssd;"|});
            """),
            Migration(up: """
                        // No online form: SET TABLESPACE copies the table under ACCESS EXCLUSIVE; pg_repack --tablespace moves it online, outside migrations.
                        #pragma warning disable SM0016 // runs under its lock: schedule it in a maintenance window
                        migrationBuilder.Sql("ALTER TABLE orders SET TABLESPACE fast_ssd;");
                        #pragma warning restore SM0016
            """));

    [Fact]
    public Task Detach_partition_becomes_concurrent_in_its_own_suppressed_call_from_postgres_14()
    {
        const string EditorConfig = "root = true\n\n[*.cs]\nsafe_migrations.postgres_version = 14\n";
        var test = new Verify.Test
        {
            TestCode = Migration(up: """
                        migrationBuilder.Sql({|SM0016:"UPDATE measurements SET v = 0 WHERE id = 1; ALTER TABLE measurements DETACH PARTITION measurements_2020;"|});
            """),
            FixedCode = Migration(up: """
                        migrationBuilder.Sql("UPDATE measurements SET v = 0 WHERE id = 1;");
                        // Detached concurrently, outside the migration's transaction: SHARE UPDATE EXCLUSIVE on the parent instead of ACCESS EXCLUSIVE on both tables (not possible while the parent has a default partition).
                        migrationBuilder.Sql("ALTER TABLE measurements DETACH PARTITION measurements_2020 CONCURRENTLY;", suppressTransaction: true);
            """),
        };
        test.TestState.AnalyzerConfigFiles.Add(("/.editorconfig", EditorConfig));
        test.FixedState.AnalyzerConfigFiles.Add(("/.editorconfig", EditorConfig));
        test.BatchFixedState.AnalyzerConfigFiles.Add(("/.editorconfig", EditorConfig));
        return test.RunAsync(CancellationToken.None);
    }

    [Fact]
    public Task Detach_partition_before_postgres_14_is_acknowledged() =>
        Verify.VerifyCodeFixAsync(
            Migration(up: """
                        migrationBuilder.Sql({|SM0016:"ALTER TABLE measurements DETACH PARTITION measurements_2020;"|});
            """),
            Migration(up: """
                        // No online form: DETACH PARTITION CONCURRENTLY needs PostgreSQL 14 (safe_migrations.postgres_version is 12).
                        #pragma warning disable SM0016 // runs under its lock: schedule it in a maintenance window
                        migrationBuilder.Sql("ALTER TABLE measurements DETACH PARTITION measurements_2020;");
                        #pragma warning restore SM0016
            """));

    [Fact]
    public Task Validate_beside_an_access_exclusive_subcommand_moves_after_the_commit() =>
        Verify.VerifyCodeFixAsync(
            Migration(up: """
                        migrationBuilder.Sql({|SM0016:@"ALTER TABLE ""Orders"" ADD COLUMN note text, VALIDATE CONSTRAINT ""CK_Orders_Qty"";"|});
            """),
            Migration(up: """
                        migrationBuilder.Sql(@"ALTER TABLE ""Orders"" ADD COLUMN note text;");
                        // Validated after the change above has committed: alone, VALIDATE CONSTRAINT takes SHARE UPDATE EXCLUSIVE and reads and writes continue during the scan.
                        migrationBuilder.Sql(@"ALTER TABLE ""Orders"" VALIDATE CONSTRAINT ""CK_Orders_Qty"";", suppressTransaction: true);
            """));

    [Fact]
    public Task Domain_constraint_check_is_acknowledged() =>
        Verify.VerifyCodeFixAsync(
            Migration(up: """
                        migrationBuilder.Sql({|SM0016:"ALTER DOMAIN positive_amount ADD CONSTRAINT amount_positive CHECK (VALUE > 0);"|});
            """),
            Migration(up: """
                        // No online form: a domain's constraint check takes SHARE locks on every table using the domain and has no online form; NOT VALID + VALIDATE does not avoid it (check each column with a table CHECK constraint NOT VALID, then VALIDATE, instead).
                        #pragma warning disable SM0016 // runs under its lock: schedule it in a maintenance window
                        migrationBuilder.Sql("ALTER DOMAIN positive_amount ADD CONSTRAINT amount_positive CHECK (VALUE > 0);");
                        #pragma warning restore SM0016
            """));
}
