using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;
using static SafeMigrations.Analyzers.Tests.Verifiers.MigrationSource;
using Verify = SafeMigrations.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<SafeMigrations.Analyzers.Rules.UnbatchedDataChangeAnalyzer>;

namespace SafeMigrations.Analyzers.Tests.Rules;

public class SM0015UnbatchedDataChangeTests
{
    [Fact]
    public async Task Update_of_many_rows_is_flagged_with_message()
    {
        var source = Migration("""
                migrationBuilder.Sql({|#0:"UPDATE \"Orders\" SET \"Status\" = 'Pending' WHERE \"Status\" IS NULL;"|});
        """);
        await Verify.VerifyAnalyzerAsync(source, Verify.Diagnostic("SM0015").WithLocation(0).WithArguments("UPDATE", "Orders"));
    }

    [Fact]
    public async Task Unbatched_update_and_delete_forms_are_flagged()
    {
        var source = Migration("""
                migrationBuilder.Sql({|SM0015:"UPDATE users SET full_name = first_name || ' ' || last_name;"|});
                migrationBuilder.Sql({|SM0015:"DELETE FROM sessions WHERE expires_at < now();"|});
                migrationBuilder.Sql({|SM0015:"DELETE FROM audit.events;"|});
                migrationBuilder.Sql({|SM0015:"UPDATE orders o SET total = s.total FROM order_sums s WHERE o.id = s.order_id;"|});
                migrationBuilder.Sql({|SM0015:"UPDATE orders SET a = 1 WHERE id = 5 OR a IS NULL;"|});
                migrationBuilder.Sql({|SM0015:"UPDATE orders SET a = 1 WHERE id > 100;"|});
                migrationBuilder.Sql({|SM0015:@"
                    UPDATE ""Products""
                    SET ""Slug"" = lower(""Name"")
                    WHERE ""Slug"" = '';"|});
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Data_modifying_cte_is_flagged_on_its_own_table()
    {
        var source = Migration("""
                migrationBuilder.Sql({|#0:"WITH moved AS (DELETE FROM orders WHERE archived RETURNING *) INSERT INTO orders_archive SELECT * FROM moved;"|});
        """);
        await Verify.VerifyAnalyzerAsync(source, Verify.Diagnostic("SM0015").WithLocation(0).WithArguments("DELETE (in a WITH clause)", "orders"));
    }

    [Fact]
    public async Task Batched_data_modifying_cte_is_not_flagged()
    {
        var source = Migration("""
                migrationBuilder.Sql("WITH moved AS (DELETE FROM orders WHERE id IN (SELECT id FROM orders WHERE archived ORDER BY id LIMIT 1000) RETURNING *) INSERT INTO orders_archive SELECT * FROM moved;");
                migrationBuilder.Sql("WITH batch AS (SELECT id FROM orders WHERE archived LIMIT 1000), moved AS (DELETE FROM orders WHERE id IN (SELECT id FROM batch) RETURNING *) INSERT INTO orders_archive SELECT * FROM moved;");
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Cte_into_a_table_created_earlier_is_checked_on_the_cte_target()
    {
        // The INSERT target is new, the DELETE target is not.
        var source = Migration("""
                migrationBuilder.Sql("CREATE TABLE orders_archive (LIKE orders);");
                migrationBuilder.Sql({|SM0015:"WITH moved AS (DELETE FROM orders WHERE archived RETURNING *) INSERT INTO orders_archive SELECT * FROM moved;"|});
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Batched_forms_are_not_flagged()
    {
        var source = Migration("""
                migrationBuilder.Sql("UPDATE orders SET status = 'new' WHERE id IN (SELECT id FROM orders WHERE status IS NULL ORDER BY id LIMIT 5000);");
                migrationBuilder.Sql("UPDATE orders SET status = 'new' WHERE id > 0 AND id <= 10000 AND status IS NULL;");
                migrationBuilder.Sql("DELETE FROM sessions WHERE ctid IN (SELECT ctid FROM sessions WHERE expires_at < now() LIMIT 1000);");
                migrationBuilder.Sql("WITH batch AS (SELECT id FROM orders WHERE status IS NULL LIMIT 1000) UPDATE orders SET status = 'new' FROM batch WHERE orders.id = batch.id;");
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Single_row_changes_are_not_flagged()
    {
        var source = Migration("""
                migrationBuilder.Sql("UPDATE \"Settings\" SET \"Value\" = 'on' WHERE \"Id\" = 5;");
                migrationBuilder.Sql("DELETE FROM \"AspNetRoles\" WHERE \"Id\" = 'b3f1c0de-0000-0000-0000-000000000001';");
                migrationBuilder.Sql("UPDATE orders SET flag = true WHERE id IN (1, 2, 3);");
                migrationBuilder.Sql("UPDATE \"Orders\" SET \"Status\" = 'x' WHERE \"OrderId\" = 42;");
                migrationBuilder.Sql("DELETE FROM order_items WHERE order_item_id = 7;");
                migrationBuilder.Sql("UPDATE \"Categories\" SET \"Name\" = 'Books' WHERE \"CategoryId\" = 3;");
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Foreign_key_equality_is_not_a_single_row()
    {
        var source = Migration("""
                migrationBuilder.Sql({|SM0015:"UPDATE \"OrderLines\" SET \"Qty\" = 0 WHERE \"OrderId\" = 1;"|});
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Table_created_earlier_in_the_method_is_not_flagged()
    {
        var source = Migration("""
                migrationBuilder.CreateTable(
                    name: "Tags",
                    columns: table => new
                    {
                        Id = table.Column<int>(type: "integer", nullable: false),
                        Name = table.Column<string>(type: "text", nullable: true)
                    });
                migrationBuilder.Sql("INSERT INTO \"Tags\" SELECT id, name FROM legacy_tags; UPDATE \"Tags\" SET \"Name\" = lower(\"Name\");");
                migrationBuilder.Sql("CREATE TABLE staging AS SELECT * FROM orders; DELETE FROM staging WHERE total = 0;");
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Small_tables_are_exempt()
    {
        var source = Migration("""
                migrationBuilder.Sql("UPDATE countries SET name = upper(name);");
                migrationBuilder.Sql("DELETE FROM config.settings;");
                migrationBuilder.Sql({|SM0015:"UPDATE orders SET total = 0;"|});
        """);
        await Verify.VerifyAnalyzerAsync(source, "safe_migrations.small_tables = countries, config.settings");
    }

    [Fact]
    public async Task Down_is_analysed()
    {
        var source = Migration(
            up: """
                migrationBuilder.AddColumn<string>(name: "Status", table: "Orders", type: "text", nullable: true);
        """,
            down: """
                migrationBuilder.Sql({|SM0015:"UPDATE \"Orders\" SET \"LegacyStatus\" = \"Status\";"|});
                migrationBuilder.DropColumn(name: "Status", table: "Orders");
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Down_undoing_the_data_its_Up_wrote_is_not_flagged()
    {
        var source = Migration(
            up: """
                migrationBuilder.Sql("INSERT INTO roles (name) VALUES ('Auditor'), ('Support');");
                migrationBuilder.InsertData(table: "Countries", columns: new[] { "Id", "Code" }, values: new object[] { 1, "US" });
                migrationBuilder.Sql({|SM0015:"UPDATE orders SET status = 'open' WHERE status = 'new';"|});
                migrationBuilder.Sql("CREATE TABLE outbox (id bigint, sent boolean);");
        """,
            down: """
                migrationBuilder.Sql("DELETE FROM roles WHERE name IN ('Auditor', 'Support');");
                migrationBuilder.Sql("DELETE FROM \"Countries\" WHERE \"Code\" = 'US';");
                migrationBuilder.Sql("UPDATE orders SET status = 'new' WHERE status = 'open';");
                migrationBuilder.Sql("DELETE FROM outbox WHERE sent;");
                migrationBuilder.Sql({|SM0015:"DELETE FROM customers WHERE name = 'test';"|});
                migrationBuilder.Sql({|SM0015:"UPDATE roles SET name = lower(name);"|});
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task EF_data_operations_and_AlterColumn_backfill_are_not_flagged()
    {
        // UpdateData/DeleteData/InsertData are keyed; AlterColumn's own UPDATE ... WHERE c IS NULL is SM0006's.
        var source = Migration("""
                migrationBuilder.InsertData(table: "Countries", columns: new[] { "Id", "Code" }, values: new object[] { 1, "US" });
                migrationBuilder.UpdateData(table: "Countries", keyColumn: "Id", keyValue: 1, column: "Code", value: "USA");
                migrationBuilder.DeleteData(table: "Countries", keyColumn: "Id", keyValue: 2);
                migrationBuilder.AlterColumn<string>(name: "Status", table: "Orders", type: "text", nullable: false, defaultValue: "", oldClrType: typeof(string), oldType: "text", oldNullable: true);
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Safe_look_alikes_are_not_flagged()
    {
        var source = Migration("""
                migrationBuilder.Sql("INSERT INTO orders_archive SELECT * FROM orders WHERE archived;");
                migrationBuilder.Sql("INSERT INTO orders (id, status) VALUES (1, 'a') ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status;");
                migrationBuilder.Sql(@"CREATE OR REPLACE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $body$
                    BEGIN
                        UPDATE orders SET updated_at = now();
                        DELETE FROM sessions;
                        RETURN NEW;
                    END $body$;");
                migrationBuilder.Sql(@"DO $body$
                    DECLARE n int;
                    BEGIN
                        LOOP
                            UPDATE orders SET status = 'new' WHERE id IN (SELECT id FROM orders WHERE status IS NULL LIMIT 1000);
                            GET DIAGNOSTICS n = ROW_COUNT;
                            EXIT WHEN n = 0;
                        END LOOP;
                    END $body$;");
                migrationBuilder.Sql("SELECT count(*) FROM orders WHERE status IS NULL; -- UPDATE orders SET status = 'x'");
                migrationBuilder.Sql("COMMENT ON TABLE orders IS 'DELETE FROM orders';");
                migrationBuilder.Sql("CREATE TRIGGER trg BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION touch();");
        """);
        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Plain_dollar_quoted_bodies_are_not_flagged()
    {
        // '$$' is the test framework's caret marker; read it as code here, the way users write function bodies.
        var source = Migration("""
                migrationBuilder.Sql("CREATE FUNCTION purge() RETURNS void LANGUAGE sql AS $$ DELETE FROM sessions; UPDATE orders SET a = 1; $$;");
                migrationBuilder.Sql("DO $$ BEGIN UPDATE orders SET status = 'x'; END $$;");
                migrationBuilder.Sql({|SM0015:"DELETE FROM sessions; SELECT $$ not a body $$;"|});
        """);
        var test = new Verify.Test { TestCode = source, MarkupOptions = MarkupOptions.TreatPositionIndicatorsAsCode };
        await test.RunAsync();
    }
}
