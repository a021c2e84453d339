using System.Threading.Tasks;
using static SafeMigrations.Analyzers.Tests.Verifiers.MigrationSource;
using Verify = SafeMigrations.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<SafeMigrations.Analyzers.Rules.HeavyLockStatementAnalyzer>;

namespace SafeMigrations.Analyzers.Tests.Rules;

public class SM0016HeavyLockStatementTests
{
    private const string EverythingBlocked = "every query on it, reads included, until it is released";

    [Fact]
    public async Task Lock_table_default_mode_is_access_exclusive()
    {
        var source = Migration("""
                migrationBuilder.Sql({|#0:"LOCK TABLE orders;"|});
        """);
        await Verify.VerifyAnalyzerAsync(
            source,
            Verify.Diagnostic("SM0016").WithLocation(0).WithArguments(
                "LOCK TABLE 'orders' IN ACCESS EXCLUSIVE MODE",
                "an ACCESS EXCLUSIVE lock on the table until the migration commits",
                "every query on it, reads included",
                "do not lock tables explicitly in a migration; if a step really needs the lock, keep it alone in a short transaction behind a lock_timeout"));
    }

    [Fact]
    public async Task Lock_table_in_share_or_stronger_modes_is_flagged()
    {
        var source = Migration("""
                migrationBuilder.Sql({|SM0016:"LOCK TABLE orders IN SHARE MODE;"|});
                migrationBuilder.Sql({|SM0016:"LOCK orders IN SHARE ROW EXCLUSIVE MODE NOWAIT;"|});
                migrationBuilder.Sql({|SM0016:"LOCK TABLE ONLY orders IN EXCLUSIVE MODE;"|});
                migrationBuilder.Sql({|SM0016:"lock table \"Orders\", customers in access exclusive mode;"|});
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Lock_table_in_weak_modes_is_not_flagged()
    {
        var source = Migration("""
                migrationBuilder.Sql("LOCK TABLE orders IN ACCESS SHARE MODE;");
                migrationBuilder.Sql("LOCK TABLE orders IN ROW SHARE MODE;");
                migrationBuilder.Sql("LOCK TABLE orders IN ROW EXCLUSIVE MODE;");
                migrationBuilder.Sql("LOCK TABLE orders IN SHARE UPDATE EXCLUSIVE MODE;");
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Vacuum_full_is_flagged_and_plain_vacuum_is_not()
    {
        var source = Migration("""
                migrationBuilder.Sql({|#0:"VACUUM FULL orders;"|}, suppressTransaction: true);
                migrationBuilder.Sql({|SM0016:"VACUUM (FULL, ANALYZE) orders;"|}, suppressTransaction: true);
                migrationBuilder.Sql({|SM0016:"VACUUM FULL VERBOSE;"|}, suppressTransaction: true);
                migrationBuilder.Sql("VACUUM ANALYZE orders;", suppressTransaction: true);
                migrationBuilder.Sql("VACUUM (FULL false) orders;", suppressTransaction: true);
                migrationBuilder.Sql("ANALYZE orders;");
        """);
        await Verify.VerifyAnalyzerAsync(
            source,
            Verify.Diagnostic("SM0016").WithLocation(0).WithArguments(
                "VACUUM FULL of 'orders'",
                "an ACCESS EXCLUSIVE lock on each table while it rewrites it",
                EverythingBlocked,
                "reclaim space online with pg_repack, outside migrations, or let plain VACUUM (not FULL) run; VACUUM cannot run inside a transaction block anyway"));
    }

    [Fact]
    public async Task Cluster_is_flagged()
    {
        var source = Migration("""
                migrationBuilder.Sql({|SM0016:"CLUSTER orders USING ix_orders_created;"|});
                migrationBuilder.Sql({|SM0016:"CLUSTER VERBOSE \"Orders\";"|});
                migrationBuilder.Sql({|SM0016:"CLUSTER;"|});
                migrationBuilder.Sql("ALTER TABLE orders CLUSTER ON ix_orders_created;");
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Reindex_without_concurrently_is_flagged_with_the_concurrent_form()
    {
        var source = Migration("""
                migrationBuilder.Sql({|#0:"REINDEX INDEX ix_orders_total;"|});
                migrationBuilder.Sql({|SM0016:"REINDEX TABLE orders;"|});
                migrationBuilder.Sql({|SM0016:"REINDEX SCHEMA sales;"|}, suppressTransaction: true);
                migrationBuilder.Sql({|SM0016:"REINDEX DATABASE app;"|}, suppressTransaction: true);
                migrationBuilder.Sql({|#1:"REINDEX SYSTEM app;"|}, suppressTransaction: true);
        """);
        await Verify.VerifyAnalyzerAsync(
            source,
            Verify.Diagnostic("SM0016").WithLocation(0).WithArguments(
                "REINDEX INDEX 'ix_orders_total'",
                "a SHARE lock on the index's table and an ACCESS EXCLUSIVE lock on the index for the whole rebuild",
                "every write to the table and every query that would use the index",
                "use REINDEX INDEX CONCURRENTLY, alone in migrationBuilder.Sql(\"...\", suppressTransaction: true)"),
            Verify.Diagnostic("SM0016").WithLocation(1).WithArguments(
                "REINDEX SYSTEM 'app'",
                "a SHARE lock on each table and an ACCESS EXCLUSIVE lock on each of its indexes while they are rebuilt",
                "every write to the table and every query that would use the index",
                "REINDEX SYSTEM has no concurrent form: run it outside migrations, in a maintenance window"));
    }

    [Fact]
    public async Task Reindex_concurrently_is_not_flagged()
    {
        var source = Migration("""
                migrationBuilder.Sql("REINDEX INDEX CONCURRENTLY ix_orders_total;", suppressTransaction: true);
                migrationBuilder.Sql("REINDEX TABLE CONCURRENTLY orders;", suppressTransaction: true);
                migrationBuilder.Sql("REINDEX (VERBOSE, CONCURRENTLY) TABLE orders;", suppressTransaction: true);
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Reindex_before_postgres_12_says_there_is_no_concurrent_form()
    {
        var source = Migration("""
                migrationBuilder.Sql({|#0:"REINDEX TABLE orders;"|});
        """);
        await Verify.VerifyAnalyzerAsync(
            source,
            "safe_migrations.postgres_version = 11",
            Verify.Diagnostic("SM0016").WithLocation(0).WithArguments(
                "REINDEX TABLE 'orders'",
                "a SHARE lock on the table and an ACCESS EXCLUSIVE lock on each of its indexes for the whole rebuild",
                "every write to the table and every query that would use the index",
                "PostgreSQL 11 (safe_migrations.postgres_version) has no REINDEX CONCURRENTLY, which needs PostgreSQL 12: create a replacement index CONCURRENTLY, drop the old one CONCURRENTLY and rename the new one"));
    }

    [Fact]
    public async Task Truncate_is_flagged_per_existing_table()
    {
        var source = Migration("""
                migrationBuilder.Sql("CREATE TABLE scratch (id int);");
                migrationBuilder.Sql({|#0:"TRUNCATE TABLE scratch, orders, audit.events CASCADE;"|});
                migrationBuilder.Sql({|SM0016:"TRUNCATE sessions;"|});
                migrationBuilder.Sql("TRUNCATE scratch;");
        """);
        await Verify.VerifyAnalyzerAsync(
            source,
            Verify.Diagnostic("SM0016").WithLocation(0).WithArguments(
                "TRUNCATE of 'orders', 'audit.events' CASCADE",
                "an ACCESS EXCLUSIVE lock on the table and on every table referencing it until the migration commits",
                EverythingBlocked,
                "on a live table, delete the rows in keyset batches instead (DELETE ... WHERE id IN (SELECT id ... ORDER BY id LIMIT n)), each batch in its own transaction"));
    }

    [Fact]
    public async Task Refresh_materialized_view_without_concurrently_is_flagged()
    {
        var source = Migration("""
                migrationBuilder.Sql({|#0:"REFRESH MATERIALIZED VIEW order_totals;"|});
                migrationBuilder.Sql("REFRESH MATERIALIZED VIEW CONCURRENTLY order_totals;");
        """);
        await Verify.VerifyAnalyzerAsync(
            source,
            Verify.Diagnostic("SM0016").WithLocation(0).WithArguments(
                "REFRESH MATERIALIZED VIEW 'order_totals'",
                "an ACCESS EXCLUSIVE lock on the view for the whole refresh",
                "every read of the view until the refresh commits",
                "use REFRESH MATERIALIZED VIEW CONCURRENTLY (it needs a unique index on the view, and a view that is already populated)"));
    }

    [Fact]
    public async Task Refresh_of_a_view_created_earlier_is_not_flagged()
    {
        var source = Migration("""
                migrationBuilder.Sql("CREATE MATERIALIZED VIEW order_totals AS SELECT customer_id, sum(total) FROM orders GROUP BY customer_id WITH NO DATA;");
                migrationBuilder.Sql("REFRESH MATERIALIZED VIEW order_totals;");
                migrationBuilder.Sql({|SM0016:"REFRESH MATERIALIZED VIEW other_totals;"|});
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Alter_table_rewrites_are_flagged()
    {
        var source = Migration("""
                migrationBuilder.Sql({|#0:"ALTER TABLE orders SET TABLESPACE fast_ssd;"|});
                migrationBuilder.Sql({|#1:"ALTER TABLE events SET UNLOGGED;"|});
                migrationBuilder.Sql({|SM0016:"ALTER TABLE events SET LOGGED;"|});
                migrationBuilder.Sql("ALTER TABLE orders SET (fillfactor = 90), SET SCHEMA archive;");
        """);
        await Verify.VerifyAnalyzerAsync(
            source,
            Verify.Diagnostic("SM0016").WithLocation(0).WithArguments(
                "ALTER TABLE 'orders' SET TABLESPACE",
                "an ACCESS EXCLUSIVE lock on the table while it copies it to the new tablespace",
                EverythingBlocked,
                "move it online with pg_repack --tablespace, outside migrations"),
            Verify.Diagnostic("SM0016").WithLocation(1).WithArguments(
                "ALTER TABLE 'events' SET UNLOGGED",
                "an ACCESS EXCLUSIVE lock on the table while it rewrites it",
                EverythingBlocked,
                "there is no online form: create a new table with the wanted persistence, copy the rows in batches and swap, or do it in a maintenance window"));
    }

    [Fact]
    public async Task Detach_partition_without_concurrently_is_flagged()
    {
        var source = Migration("""
                migrationBuilder.Sql({|#0:"ALTER TABLE measurements DETACH PARTITION measurements_2020;"|});
        """);
        await Verify.VerifyAnalyzerAsync(
            source,
            "safe_migrations.postgres_version = 14",
            Verify.Diagnostic("SM0016").WithLocation(0).WithArguments(
                "ALTER TABLE 'measurements' DETACH PARTITION 'measurements_2020'",
                "an ACCESS EXCLUSIVE lock on the parent table and on the partition until the migration commits",
                "every query on both, reads included, until it is released",
                "use DETACH PARTITION ... CONCURRENTLY (PostgreSQL 14+; SHARE UPDATE EXCLUSIVE on the parent; not possible while the parent has a default partition), alone in migrationBuilder.Sql(\"...\", suppressTransaction: true): it cannot run in a transaction block"));
    }

    [Fact]
    public async Task Detach_partition_before_postgres_14_says_there_is_no_concurrent_form()
    {
        // Without safe_migrations.postgres_version the oldest supported server is assumed: 12.
        var source = Migration("""
                migrationBuilder.Sql({|#0:"ALTER TABLE measurements DETACH PARTITION measurements_2020;"|});
        """);
        await Verify.VerifyAnalyzerAsync(
            source,
            "safe_migrations.postgres_version = 13",
            Verify.Diagnostic("SM0016").WithLocation(0).WithArguments(
                "ALTER TABLE 'measurements' DETACH PARTITION 'measurements_2020'",
                "an ACCESS EXCLUSIVE lock on the parent table and on the partition until the migration commits",
                "every query on both, reads included, until it is released",
                "PostgreSQL 13 (safe_migrations.postgres_version) has no DETACH PARTITION CONCURRENTLY, which needs PostgreSQL 14: keep the detach alone in a short transaction behind a lock_timeout"));
    }

    [Fact]
    public async Task Detach_partition_concurrently_or_finalize_is_not_flagged()
    {
        var source = Migration("""
                migrationBuilder.Sql("ALTER TABLE measurements DETACH PARTITION measurements_2020 CONCURRENTLY;", suppressTransaction: true);
                migrationBuilder.Sql("ALTER TABLE measurements DETACH PARTITION measurements_2020 FINALIZE;");
                migrationBuilder.Sql("ALTER TABLE measurements ATTACH PARTITION measurements_2021 FOR VALUES FROM ('2021-01-01') TO ('2022-01-01');");
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Validate_combined_with_an_access_exclusive_subcommand_is_flagged()
    {
        var source = Migration("""
                migrationBuilder.Sql({|#0:"ALTER TABLE orders ADD COLUMN note text, VALIDATE CONSTRAINT ck_orders_qty;"|});
                migrationBuilder.Sql({|SM0016:"ALTER TABLE orders VALIDATE CONSTRAINT fk_orders_stores, ALTER COLUMN status SET DEFAULT 'new';"|});
                migrationBuilder.Sql({|SM0016:"ALTER TABLE orders DROP CONSTRAINT ck_old, VALIDATE CONSTRAINT ck_new;"|});
        """);
        await Verify.VerifyAnalyzerAsync(
            source,
            Verify.Diagnostic("SM0016").WithLocation(0).WithArguments(
                "ALTER TABLE 'orders' VALIDATE CONSTRAINT ck_orders_qty in one statement with ADD COLUMN",
                "the statement's strongest lock, ACCESS EXCLUSIVE on the table, for the whole validation scan",
                EverythingBlocked,
                "validate in its own statement after the other change has committed: ALTER TABLE orders VALIDATE CONSTRAINT ck_orders_qty alone in migrationBuilder.Sql(\"...\", suppressTransaction: true), where it takes only SHARE UPDATE EXCLUSIVE"));
    }

    [Fact]
    public async Task Validate_alone_or_with_weak_subcommands_is_not_flagged()
    {
        var source = Migration("""
                migrationBuilder.Sql("ALTER TABLE orders VALIDATE CONSTRAINT ck_orders_qty;");
                migrationBuilder.Sql("ALTER TABLE orders VALIDATE CONSTRAINT ck_a, VALIDATE CONSTRAINT ck_b;");
                migrationBuilder.Sql("ALTER TABLE orders VALIDATE CONSTRAINT ck_a, SET (fillfactor = 90);");
                migrationBuilder.Sql("ALTER TABLE orders ADD COLUMN note text; ALTER TABLE orders VALIDATE CONSTRAINT ck_a;", suppressTransaction: true);
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Validate_combined_on_a_table_created_earlier_is_not_flagged()
    {
        var source = Migration("""
                migrationBuilder.CreateTable(
                    name: "Events",
                    columns: table => new { Id = table.Column<long>(type: "bigint", nullable: false) });
                migrationBuilder.Sql("ALTER TABLE \"Events\" ADD COLUMN note text, VALIDATE CONSTRAINT ck_events;");
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Validate_of_a_constraint_added_in_the_same_statement_is_left_to_SM0009()
    {
        var source = Migration("""
                migrationBuilder.Sql("ALTER TABLE orders ADD CONSTRAINT ck_q CHECK (q > 0) NOT VALID, VALIDATE CONSTRAINT ck_q;");
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Domain_constraints_that_check_existing_rows_are_flagged()
    {
        var source = Migration("""
                migrationBuilder.Sql({|#0:"ALTER DOMAIN positive_amount ADD CONSTRAINT amount_positive CHECK (VALUE > 0);"|});
                migrationBuilder.Sql({|#1:"ALTER DOMAIN positive_amount VALIDATE CONSTRAINT amount_positive;"|});
                migrationBuilder.Sql({|SM0016:"ALTER DOMAIN positive_amount SET NOT NULL;"|});
                migrationBuilder.Sql({|SM0016:"ALTER DOMAIN positive_amount ADD NOT NULL;"|});
        """);
        const string Locks = "a SHARE lock on every table that has a column of the domain while it checks all their rows, held until the migration commits";
        const string Blocks = "every INSERT, UPDATE and DELETE on those tables (reads proceed)";
        await Verify.VerifyAnalyzerAsync(
            source,
            Verify.Diagnostic("SM0016").WithLocation(0).WithArguments(
                "ALTER DOMAIN 'positive_amount' ADD CONSTRAINT amount_positive",
                Locks,
                Blocks,
                "NOT VALID + VALIDATE does not help on a domain (ALTER DOMAIN ... VALIDATE CONSTRAINT scans under the same SHARE locks): add the domain constraint NOT VALID, which checks only new and updated values, and check the existing rows with a CHECK constraint on each table's column (ADD CONSTRAINT ... NOT VALID, then VALIDATE CONSTRAINT, which takes only SHARE UPDATE EXCLUSIVE)"),
            Verify.Diagnostic("SM0016").WithLocation(1).WithArguments(
                "ALTER DOMAIN 'positive_amount' VALIDATE CONSTRAINT amount_positive",
                Locks,
                Blocks,
                "unlike a table's, a domain's VALIDATE CONSTRAINT blocks writes: leave the domain constraint NOT VALID (it already checks new and updated values) and check the existing rows with a CHECK constraint on each table's column (ADD CONSTRAINT ... NOT VALID, then VALIDATE CONSTRAINT, which takes only SHARE UPDATE EXCLUSIVE)"));
    }

    [Fact]
    public async Task Domain_changes_that_check_no_rows_are_not_flagged()
    {
        var source = Migration("""
                migrationBuilder.Sql("ALTER DOMAIN positive_amount ADD CONSTRAINT amount_positive CHECK (VALUE > 0) NOT VALID;");
                migrationBuilder.Sql("ALTER DOMAIN positive_amount DROP CONSTRAINT amount_positive;");
                migrationBuilder.Sql("ALTER DOMAIN positive_amount DROP CONSTRAINT IF EXISTS amount_positive CASCADE;");
                migrationBuilder.Sql("ALTER DOMAIN positive_amount RENAME CONSTRAINT amount_positive TO amount_gt_zero;");
                migrationBuilder.Sql("ALTER DOMAIN positive_amount SET DEFAULT 1;");
                migrationBuilder.Sql("ALTER DOMAIN positive_amount DROP DEFAULT;");
                migrationBuilder.Sql("ALTER DOMAIN positive_amount DROP NOT NULL;");
                migrationBuilder.Sql("ALTER DOMAIN positive_amount RENAME TO amount;");
                migrationBuilder.Sql("ALTER DOMAIN positive_amount OWNER TO app;");
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Tables_created_earlier_are_not_flagged()
    {
        var source = Migration("""
                migrationBuilder.CreateTable(
                    name: "Events",
                    columns: table => new { Id = table.Column<long>(type: "bigint", nullable: false) });
                migrationBuilder.Sql("ALTER TABLE \"Events\" SET UNLOGGED; LOCK TABLE \"Events\"; TRUNCATE \"Events\"; REINDEX TABLE \"Events\"; CLUSTER \"Events\" USING pk_events;");
                migrationBuilder.Sql("CREATE UNLOGGED TABLE staging (id int); ALTER TABLE staging SET LOGGED; VACUUM FULL staging;");
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Small_tables_are_exempt()
    {
        var source = Migration("""
                migrationBuilder.Sql("LOCK TABLE countries; TRUNCATE config.settings; REINDEX TABLE countries; VACUUM FULL countries;");
                migrationBuilder.Sql({|SM0016:"TRUNCATE countries, orders;"|});
        """);
        await Verify.VerifyAnalyzerAsync(source, "safe_migrations.small_tables = countries, config.settings");
    }

    [Fact]
    public async Task Down_is_analysed()
    {
        var source = Migration(
            up: """
                migrationBuilder.AddColumn<string>(name: "Note", table: "Orders", type: "text", nullable: true);
        """,
            down: """
                migrationBuilder.Sql({|SM0016:"LOCK TABLE \"Orders\" IN EXCLUSIVE MODE;"|});
                migrationBuilder.DropColumn(name: "Note", table: "Orders");
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Down_truncating_tables_its_Up_created_is_not_flagged()
    {
        var source = Migration(
            up: """
                migrationBuilder.Sql("CREATE TABLE outbox (id bigint); CREATE TABLE inbox (id bigint);");
        """,
            down: """
                migrationBuilder.Sql("TRUNCATE outbox, inbox;");
                migrationBuilder.Sql({|SM0016:"TRUNCATE orders;"|});
                migrationBuilder.Sql("DROP TABLE outbox, inbox;");
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Safe_look_alikes_are_not_flagged()
    {
        var source = Migration("""
                migrationBuilder.Sql("SELECT pg_advisory_lock(42);");
                migrationBuilder.Sql("SELECT * FROM orders FOR UPDATE SKIP LOCKED LIMIT 10;");
                migrationBuilder.Sql("CREATE INDEX CONCURRENTLY ix_orders_total ON orders (total);", suppressTransaction: true);
                migrationBuilder.Sql("CREATE FUNCTION reset() RETURNS void LANGUAGE sql AS $body$ TRUNCATE scratch_data; $body$;");
                migrationBuilder.Sql("-- VACUUM FULL orders\nSELECT 1;");
                migrationBuilder.Sql("SET lock_timeout = '2s';");
                migrationBuilder.Sql("COMMENT ON TABLE orders IS 'LOCK TABLE orders';");
                migrationBuilder.Sql("ALTER TABLE orders ALTER COLUMN note SET STORAGE EXTERNAL;");
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }
}
